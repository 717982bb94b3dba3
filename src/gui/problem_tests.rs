//! GUI tests of problems and properties open beside a network: the side panel lists them,
//! Solve optimises or verifies, and the answers are checked by forward passes here.

use super::tests::{has_label, start, wait_for};
use eframe::egui;
use egui_kittest::kittest::Queryable;
use ndarray::array;
use reluscope::network::{Activation, InputBox, Layer, Network};
use std::path::Path;
use std::time::Duration;

/// `relu(a·x₀ + b·x₁)` over `[−1, 1]²`.
fn one_neuron(a: f64, b: f64, name: &str) -> Network {
    Network::new(
        vec![
            Layer::new(array![[a, b]], array![0.0], Activation::Relu),
            Layer::new(array![[1.0]], array![0.0], Activation::Linear),
        ],
        Some(InputBox::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap()),
    )
    .unwrap()
    .named(name)
}

fn open(h: &mut egui_kittest::Harness<'static, super::app::ReluscopeApp>, path: &Path) {
    h.get_by_label("File path:")
        .set_text_value_accesskit(&path.display().to_string());
    h.run();
    h.get_by_label("Open").click();
    wait_for(h, Duration::from_secs(10), "the file to load", |h| {
        h.state().state.load_task.is_none()
    });
    h.run();
}

fn solve(h: &mut egui_kittest::Harness<'static, super::app::ReluscopeApp>) {
    // F5, as a user may: the Solve button can sit below the panel's fold.
    h.key_press(egui::Key::F5);
    wait_for(h, Duration::from_secs(60), "the solve", |h| {
        h.state().state.solve.is_none() && h.state().state.last_solve.is_some()
    });
    h.run();
}

/// The numbers inside `(…)` of the first label starting with `prefix`.
fn numbers_after(
    h: &egui_kittest::Harness<'static, super::app::ReluscopeApp>,
    prefix: &str,
) -> Vec<f64> {
    let label = h.get_by_label_contains(prefix).value().unwrap_or_default();
    let inside = label
        .split_once('(')
        .map(|(_, rest)| rest.trim_end_matches(')'))
        .unwrap_or_default();
    inside
        .split(", ")
        .map(|v| v.parse().expect("a number"))
        .collect()
}

#[test]
fn a_problem_file_lists_its_networks_and_constraints_and_solves_over_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let (f, g) = (one_neuron(1.0, -1.0, "f"), one_neuron(1.0, 1.0, "g"));
    reluscope::save_network(&f, dir.path().join("f.json")).unwrap();
    reluscope::save_network(&g, dir.path().join("g.json")).unwrap();
    let problem = dir.path().join("p.json");
    std::fs::write(
        &problem,
        r#"{"networks": [{"name": "f", "file": "f.json"}, {"name": "g", "file": "g.json"}],
            "constraints": [{"terms": {"g.y0": 1.0}, "sense": ">=", "rhs": 1.0}],
            "objective": {"sense": "min", "terms": {"f.y0": 1, "g.y0": 1}}}"#,
    )
    .unwrap();
    let mut h = start();
    h.run();
    open(&mut h, &problem);
    assert!(has_label(&h, "Problem: p.json"));
    assert!(has_label(&h, "Network: f"));
    assert!(has_label(&h, "g.y0 >= 1"), "the constraint is listed");
    assert!(has_label(&h, "minimise f.y0 + g.y0"));
    solve(&mut h);
    h.get_by_label("Solve").click();
    h.run();
    assert!(has_label(&h, "status: optimal"), "the problem is solved");
    // min f + g subject to g ≥ 1 is 1; the point is checked here by forward passes.
    let x = numbers_after(&h, "x* = (");
    let (fx, gx) = (f.forward(&x)[0], g.forward(&x)[0]);
    assert!(
        (fx + gx - 1.0).abs() < 1e-6 && gx >= 1.0 - 1e-6,
        "x* = {x:?}"
    );
    assert!(has_label(&h, "g(x) = ("));
    // The Surface shades the infeasible half (x₀ + x₁ < 1) and marks x*.
    h.get_by_label("Surface").click();
    wait_for(&mut h, Duration::from_secs(20), "the surface", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "shaded: points that satisfy no alternative"));
    assert!(has_label(&h, "x* (optimum) at ("));
    h.get_by_label("Regions").click();
    wait_for(&mut h, Duration::from_secs(20), "the regions", |h| {
        !h.state().is_busy()
    });
    h.run();
    assert!(has_label(&h, "shaded: points that satisfy no alternative"));
    // The picker shows g instead; the problem stays open.
    h.get_by_label("network shown").click();
    h.run();
    h.get_by_label("g").click();
    h.run();
    assert!(has_label(&h, "Network: g") && has_label(&h, "Problem: p.json"));
    h.get_by_label("Close problem").click();
    h.run();
    assert!(!has_label(&h, "Problem: p.json"));
    assert!(has_label(&h, "Network: g"));
}

#[test]
fn a_property_is_verified_with_a_checked_counterexample() {
    let dir = tempfile::tempdir().unwrap();
    let sample = super::samples::default_network().unwrap();
    let b = sample.input_box().unwrap().clone();
    let mut h = start();
    h.run();
    // Below the sample's minimum (−6.62 on the reference box) by a margin: unsat; above it:
    // sat, with a point whose forward pass is below the threshold.
    for (threshold, expect) in [(-6.7, "verdict: unsat"), (-6.5, "verdict: sat")] {
        let path = dir.path().join(format!("p{}.vnnlib", threshold as i64));
        std::fs::write(
            &path,
            format!(
                "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
                 (assert (>= X_0 {}))\n(assert (<= X_0 {}))\n(assert (>= X_1 {}))\n(assert (<= X_1 {}))\n\
                 (assert (<= Y_0 {threshold}))\n",
                b.lower()[0],
                b.upper()[0],
                b.lower()[1],
                b.upper()[1]
            ),
        )
        .unwrap();
        open(&mut h, &path);
        assert!(has_label(&h, "Property: p"), "the property is attached");
        assert!(has_label(&h, "y0 <= "));
        solve(&mut h);
        h.get_by_label("Solve").click();
        h.run();
        assert!(has_label(&h, expect), "{expect}");
        // Two inputs: auto enumerated the regions, and the view says so.
        assert!(has_label(&h, "method: regions"));
        if expect.ends_with("sat") && !expect.ends_with("unsat") {
            let x = numbers_after(&h, "counterexample x = (");
            assert!(sample.forward(&x)[0] <= threshold + 1e-6, "x = {x:?}");
        }
    }
}
