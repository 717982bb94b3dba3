//! GUI tests of honest state: what the panels show refers to the network on screen, or says
//! which network it refers to.

use super::tests::{has_label, start, wait_for};
use eframe::egui;
use egui_kittest::kittest::Queryable;
use std::time::Duration;

#[test]
fn opening_another_network_resets_the_path_field_and_labels_the_last_solve() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    let net = super::samples::find("peaks_25x2")
        .unwrap()
        .load()
        .unwrap()
        .named("mine");
    reluscope::save_network(&net, &file).unwrap();
    let mut h = start();
    h.run();
    h.get_by_label("File path:")
        .set_text_value_accesskit(&file.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(&mut h, Duration::from_secs(10), "the file", |h| {
        h.state().state.load_task.is_none()
    });
    h.run();
    assert_eq!(h.state().state.path_field, file.display().to_string());
    h.key_press(egui::Key::F5);
    wait_for(&mut h, Duration::from_secs(60), "the solve", |h| {
        h.state().state.solve.is_none() && h.state().state.last_solve.is_some()
    });
    h.run();
    assert!(has_label(&h, "Last solve: optimal"));
    // A sample replaces the file: the field no longer names the file, and the last solve
    // says whose it is.
    h.get_by_label("Sample").click();
    h.run();
    h.get_by_label("peaks_25x3").click();
    h.run();
    assert!(has_label(&h, "Network: peaks_25x3"));
    assert_eq!(h.state().state.path_field, "");
    assert!(
        has_label(&h, "Last solve (on mine, not the network shown): optimal"),
        "the last solve must name its network"
    );
}
