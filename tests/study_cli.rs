//! The `study` command: its figures agree with the library run independently on the
//! networks it trained and saved.

mod common;

use common::*;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::interval_bounds;
use reluscope::control::TaskControl;
use reluscope::formats::load_network;
use reluscope::regions::{RegionOptions, count_exact};
use std::process::Command;

#[test]
fn study_figures_match_an_independent_recount() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(binary())
        .args([
            "study",
            "--function",
            "peaks",
            "--hidden",
            "6,6",
            "--samples",
            "500",
        ])
        .args([
            "--epochs",
            "40",
            "--variants",
            "plain,l1=1e-2",
            "--bounds",
            "ia,symbolic",
        ])
        .args(["--save-dir", dir.path().to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let variants = v["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    for (row, file) in variants
        .iter()
        .zip(["peaks_plain.json", "peaks_l1_1e-2.json"])
    {
        let net = load_network(dir.path().join(file)).unwrap();
        let b = net.input_box().unwrap().clone();
        // Regions: the study uses the 2-D partition; recount with the general LP method.
        let general =
            count_exact(&net, &b, &RegionOptions::default(), &TaskControl::default()).unwrap();
        assert_eq!(
            row["regions"].as_u64().unwrap() as usize,
            general.count,
            "{file}"
        );
        assert_eq!(row["regions_exact"], true);
        let report = AnalysisReport::new(&net, &b, &interval_bounds(&net, &b));
        let ia = &row["methods"][0];
        assert_eq!(ia["bounds"], "ia");
        assert!(close(
            ia["stable_percent"].as_f64().unwrap(),
            report.stable_percent,
            1e-12
        ));
        assert_eq!(ia["binaries"].as_u64().unwrap() as usize, report.binaries);
        // The reported test error is the saved network's: recompute it on fresh points
        // loosely (the held-out split has only 75 points).
        let reported = row["test_rmse"].as_f64().unwrap();
        assert!(reported > 0.0);
        let fresh = fresh_rmse(&net, reluscope::training::BenchmarkFunction::Peaks, 4000);
        assert!(
            (fresh - reported).abs() <= 0.35 * fresh,
            "{file}: reported test RMSE {reported}, on fresh points {fresh}"
        );
    }
}

#[test]
fn study_rejects_unknown_variants_in_one_line() {
    let run = Command::new(binary())
        .args(["study", "--variants", "plain,momentum=0.9"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("momentum"), "{stderr}");
}
