//! Training from the command line: stable JSON keys, a fitted network that the rest of the
//! tool reads, one-line errors, and sample networks that the documented command reproduces.

mod common;

use common::*;
use std::process::Command;

#[test]
fn train_writes_a_network_and_reports_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net.json");
    let run = Command::new(binary())
        .args([
            "train",
            "--function",
            "peaks",
            "--hidden",
            "8,8",
            "--samples",
            "600",
            "--epochs",
            "30",
        ])
        .args([
            "--l1",
            "1e-4",
            "--seed",
            "3",
            "--json",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    for key in ["test_rmse", "train_rmse", "epochs", "time_s"] {
        assert!(v[key].is_number(), "missing {key}: {v}");
    }
    let net = reluscope::formats::load_network(&out).unwrap();
    assert_eq!(net.architecture(), "2-8-8-1");
    assert_eq!(
        net.input_box().unwrap().pairs(),
        vec![[-2.0, 2.0], [-2.0, 2.0]]
    );
    let meta = &net.metadata;
    assert_eq!(meta["function"], "peaks");
    assert_eq!(meta["l1"], 1e-4);
    assert_eq!(meta["seed"], 3);
    // The reported test error is the network's own: recompute it on fresh points loosely
    // (the held-out split has only 90 points).
    let reported = v["test_rmse"].as_f64().unwrap();
    assert!(reported < 3.0);
    let fresh = fresh_rmse(&net, reluscope::training::BenchmarkFunction::Peaks, 4000);
    assert!(
        (fresh - reported).abs() <= 0.35 * fresh,
        "reported test RMSE {reported}, on fresh points {fresh}"
    );
}

#[test]
fn train_rejects_bad_options_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("net.json");
    let bad_csv = dir.path().join("bad.csv");
    std::fs::write(&bad_csv, "x,y,f\n1,2,3\n1,oops,3\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--function", "rosenbrock"], "rosenbrock"),
        (&["--function", "peaks", "--dropout", "1.5"], "dropout"),
        (&["--function", "peaks", "--hidden", "0"], "width"),
        (&["--csv", bad_csv.to_str().unwrap()], "oops"),
    ];
    for (args, expect) in cases {
        let run = Command::new(binary())
            .arg("train")
            .args(args)
            .args(["-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} should fail");
        assert_ne!(run.status.code(), Some(101), "{args:?} panicked: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.to_lowercase().contains(expect), "{args:?}: {stderr}");
    }
}

#[test]
fn the_samples_command_reproduces_the_committed_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::new(binary())
        .args([
            "samples",
            "--only",
            "peaks_25x2_l1",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let fresh = std::fs::read(dir.path().join("peaks_25x2_l1.json")).unwrap();
    let committed = std::fs::read(sample("peaks_25x2_l1.json")).unwrap();
    assert!(
        fresh == committed,
        "retraining peaks_25x2_l1 gives a different file"
    );
}
