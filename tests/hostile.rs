//! Hostile input to the command line: every case gives a one-line error, a warning or a
//! correct answer — never a panic (exit 101), never a false "optimal".

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_reluscope");

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_networks")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("run reluscope")
}

/// Exit status 1 and one line on stderr containing `expect`, no panic.
fn assert_clean_error(output: &Output, expect: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(expect), "expected {expect:?} in: {stderr}");
}

fn tiny(dir: &Path, weight: f64) -> PathBuf {
    let path = dir.join(format!("tiny_{weight:e}.json"));
    let text = format!(
        r#"{{"layers": [{{"weights": [[1.0, -1.0], [0.5, {weight:e}]], "bias": [0.1, -0.2], "activation": "relu"}},
                        {{"weights": [[1.0, -2.0]], "bias": [0.0], "activation": "linear"}}],
            "input_bounds": [[-1, 1], [-1, 1]]}}"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn non_files_and_oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let as_dir = dir.path().join("net.json");
    std::fs::create_dir(&as_dir).unwrap();
    assert_clean_error(&run(&["info", as_dir.to_str().unwrap()]), "a directory");
    #[cfg(unix)]
    {
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_clean_error(
            &run(&["info", zero.to_str().unwrap()]),
            "not a regular file",
        );
    }
    let net = tiny(dir.path(), 1.0);
    let output = Command::new(BIN)
        .args(["info", net.to_str().unwrap()])
        .env("RELUSCOPE_MAX_FILE_BYTES", "100")
        .output()
        .unwrap();
    assert_clean_error(&output, "RELUSCOPE_MAX_FILE_BYTES");
}

#[test]
fn magnitudes_beyond_the_limits_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let huge = tiny(dir.path(), 1e300);
    let out = run(&["analyze", huge.to_str().unwrap()]);
    assert_clean_error(
        &out,
        "layer 1: weight [1, 1] (neuron 1, input 1) = 1e300 exceeds 1e12",
    );
    let ok = tiny(dir.path(), 1.0);
    let out = run(&["solve", ok.to_str().unwrap(), "--box", "-9e307,9e307;-1,1"]);
    assert_clean_error(&out, "exceed 1e12");
    // Within the limits but far beyond what the MILP's tolerances honour: refused, naming the
    // neuron, rather than "solved".
    let big = tiny(dir.path(), 1e11);
    let out = run(&[
        "solve",
        big.to_str().unwrap(),
        "--method",
        "milp",
        "--box",
        "-1e3,1e3;-1e3,1e3",
    ]);
    assert_clean_error(&out, "layer 1, neuron 1");
}

#[test]
fn an_ill_conditioned_milp_is_flagged_and_its_optimum_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    // One weight of 2^31 in a network of weights around 1.
    let big = tiny(dir.path(), 2f64.powi(31));
    let out = run(&["solve", big.to_str().unwrap(), "--method", "milp", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: ill-conditioned MILP"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = report["status"].as_str().unwrap();
    let objective = report["objective"].as_f64().unwrap();
    // min over [-1,1]²: relu(x0 − x1 + 0.1) − 2 relu(0.5 x0 + 2³¹ x1 − 0.2), at x = (1, 1).
    let truth = 0.1 - 2.0 * (0.5 + 2f64.powi(31) - 0.2);
    match status {
        "optimal" => assert!(
            (objective - truth).abs() <= 1e-6 * truth.abs(),
            "{objective} vs {truth}"
        ),
        "numerically_unreliable" => {}
        other => panic!("status {other}"),
    }
    assert!(!report["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn a_closed_pipe_ends_quietly_and_a_full_disk_is_one_line() {
    let mut child = Command::new(BIN)
        .args(["analyze", sample("peaks_25x2.json").to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader is gone before the first line is written (as with `| head -c0`): every
    // write meets a closed pipe.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    #[cfg(target_os = "linux")]
    {
        let full = std::fs::File::create("/dev/full").unwrap();
        let output = Command::new(BIN)
            .args(["info", sample("peaks_25x2.json").to_str().unwrap()])
            .stdout(full)
            .output()
            .unwrap();
        assert_clean_error(&output, "cannot write to standard output");
    }
}

#[test]
fn exports_report_failed_writes() {
    let net = sample("peaks_25x2.json");
    let out = run(&[
        "export",
        net.to_str().unwrap(),
        "--mps",
        "/no/such/dir/m.mps",
    ]);
    assert_clean_error(&out, "No such file or directory");
    #[cfg(target_os = "linux")]
    {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.mps");
        std::os::unix::fs::symlink("/dev/full", &full).unwrap();
        let out = run(&[
            "export",
            net.to_str().unwrap(),
            "--mps",
            full.to_str().unwrap(),
        ]);
        assert_clean_error(&out, "No space left on device");
    }
}

#[test]
fn control_characters_from_files_are_escaped_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.json");
    std::fs::write(
        &evil,
        "{\"layers\": [{\"weights\": [[1]], \"activation\": \"sigm\\u001b[2J\\u0007oid\"}]}",
    )
    .unwrap();
    let out = run(&["info", evil.to_str().unwrap()]);
    assert_clean_error(&out, "unknown activation");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.trim_end().chars().any(|c| c.is_control()),
        "{stderr:?}"
    );
    assert!(stderr.contains("\\u{1b}[2J\\u{7}"), "{stderr}");
}

/// A wide network whose exact region count and LP-OBBT take far longer than the limits below.
fn wide_network(dir: &Path) -> PathBuf {
    let net = reluscope::network::RandomNetwork {
        seed: 5,
        input_box: Some(reluscope::network::InputBox::new(vec![0.0; 100], vec![1.0; 100]).unwrap()),
        ..reluscope::network::RandomNetwork::new(&[100, 150, 150, 1])
    }
    .build()
    .unwrap();
    let path = dir.join("wide.json");
    reluscope::formats::save_network(&net, &path).unwrap();
    path
}

/// `args` under `--time-limit limit` ends within 10 % + 1 s of it (plus 1 s for a loaded CI
/// machine running a debug build), exits cleanly and reports the stop in its JSON.
fn assert_limit_holds(args: &[&str], limit: f64, stopped: impl Fn(&serde_json::Value) -> bool) {
    let limit_text = limit.to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--time-limit", &limit_text, "--json"]);
    let started = std::time::Instant::now();
    let out = run(&all);
    let elapsed = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{all:?}: {stderr}");
    assert!(
        elapsed <= 1.1 * limit + 2.0,
        "{all:?} took {elapsed:.2} s at a limit of {limit} s"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stopped(&report), "{all:?}: {report}");
}

#[test]
fn time_limits_bound_the_whole_command() {
    let dir = tempfile::tempdir().unwrap();
    let wide = wide_network(dir.path());
    let wide = wide.to_str().unwrap();
    assert_limit_holds(&["regions", wide, "--exact"], 2.0, |r| {
        r["stopped"] == "time_limit" && r["exact"] == false
    });
    assert_limit_holds(&["regions", wide, "--sample", "100000000"], 1.0, |r| {
        r["stopped"] == "time_limit"
    });
    assert_limit_holds(&["solve", wide, "--method", "regions"], 2.0, |r| {
        // A capped region solve never claims a best point it does not have.
        let detail = r["status_detail"].as_str().unwrap_or("");
        r["status"] == "time_limit"
            && detail.contains("time limit")
            && (r["objective"].is_null() == detail.contains("no region was completed"))
    });
    // LP-OBBT is cut short (valid bounds kept) and HiGHS gets what is left.
    assert_limit_holds(&["solve", wide, "--bounds", "milp"], 3.0, |r| {
        r["bounds_stopped"].is_string()
            && matches!(r["status"].as_str(), Some("time_limit" | "optimal"))
    });
}

#[test]
fn region_counts_stop_at_the_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let wide = wide_network(dir.path());
    let out = run(&[
        "regions",
        wide.to_str().unwrap(),
        "--exact",
        "--max-memory",
        "1",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stopped"], "max_memory", "{report}");
    assert_eq!(report["exact"], false);
}

#[test]
fn threads_and_start_samples_are_checked_against_the_machine() {
    let net = sample("peaks_25x2.json");
    let net = net.to_str().unwrap();
    assert_clean_error(
        &run(&["solve", net, "--threads", "1000"]),
        "--threads must be between 1 and",
    );
    assert_clean_error(
        &run(&["solve", net, "--start-samples", "1000000000"]),
        "--start-samples must be at most",
    );
}

#[test]
fn huge_boxes_are_solved_correctly_flagged_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let net = tiny(dir.path(), 1.0);
    let net = net.to_str().unwrap();
    // min over [-b, b]²: relu(x0 − x1 + 0.1) − 2 relu(0.5 x0 + x1 − 0.2) = 0.5 − 3b at (b, b).
    for (b, method) in [1e7, 1e10, 1e11]
        .into_iter()
        .flat_map(|b| [(b, "milp"), (b, "regions")])
    {
        let bx = format!("-{b:e},{b:e};-{b:e},{b:e}");
        let out = run(&["solve", net, "--method", method, "--box", &bx, "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{b:e}: {stderr}");
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        match r["status"].as_str().unwrap() {
            "optimal" => {
                let (o, truth) = (r["objective"].as_f64().unwrap(), 0.5 - 3.0 * b);
                assert!(
                    (o - truth).abs() <= 1e-6 * truth.abs(),
                    "{b:e}: {o} vs {truth}"
                );
            }
            status => assert_eq!(status, "numerically_unreliable", "{b:e}: {r}"),
        }
        if method == "milp" {
            assert!(
                stderr.contains("ill-conditioned"),
                "{b:e}: big-M of {b:e}: {stderr}"
            );
        }
    }
    for b in ["1e13", "1e14"] {
        let bx = format!("-{b},{b};-1,1");
        assert_clean_error(&run(&["solve", net, "--box", &bx]), "exceed 1e12");
    }
}

#[test]
fn an_export_without_a_usable_temporary_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args([
            "export",
            sample("peaks_25x2.json").to_str().unwrap(),
            "--mps",
            dir.path().join("m.mps").to_str().unwrap(),
        ])
        .env("TMPDIR", "/no/such/tmp")
        .output()
        .unwrap();
    assert_clean_error(&out, "cannot make a scratch directory in /no/such/tmp");
    assert!(!dir.path().join("m.mps").exists());
}
