//! The command line on real files: stable JSON keys, conversions, exports, and one-line
//! errors (never a panic) on bad input.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .output()
        .expect("the binary runs")
}

fn run_json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: stdout is not one JSON object ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// Asserts a clean failure: non-zero exit, no panic, a one-line error containing `expect`.
fn assert_fails(args: &[&str], expect: &str) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "{args:?}: expected a one-line error, got:\n{stderr}"
    );
    assert!(
        lines[0].contains(expect),
        "{args:?}: error should mention {expect:?}: {}",
        lines[0]
    );
}

/// A small valid network file written into `dir`.
fn small_network(dir: &Path) -> PathBuf {
    let path = dir.join("small.json");
    std::fs::write(
        &path,
        r#"{"input_bounds": [[-1, 1], [-1, 1]],
            "layers": [{"weights": [[1, -1], [0.5, 2], [-1, -1]], "bias": [0, -0.5, 0.2], "activation": "relu"},
                       {"weights": [[1, -2, 0.5]], "bias": [0.1], "activation": "linear"}]}"#,
    )
    .unwrap();
    path
}

#[test]
fn analyze_prints_the_stable_json_keys() {
    let dir = tempfile::tempdir().unwrap();
    let net = small_network(dir.path());
    let v = run_json(&["analyze", net.to_str().unwrap(), "--json"]);
    assert_eq!(v["bounds_method"], "ia");
    assert!(v["time_s"].is_number());
    let layers = v["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2, "hidden layer + output layer");
    for key in [
        "index",
        "neurons",
        "stably_active",
        "stably_inactive",
        "unstable",
        "max_big_m",
        "median_big_m",
        "lower",
        "upper",
    ] {
        assert!(layers[0].get(key).is_some(), "missing key {key}");
    }
    assert_eq!(layers[0]["index"], 1);
    // First layer on the box [-1,1]²: a₁ = x−y ∈ [−2, 2], a₂ = x/2+2y−1/2 ∈ [−3, 2], a₃ = −x−y+0.2.
    assert_eq!(floats(&layers[0]["lower"]), vec![-2.0, -3.0, -1.8]);
    assert_eq!(floats(&layers[0]["upper"]), vec![2.0, 2.0, 2.2]);
    assert_eq!(layers[0]["unstable"], 3);
}

#[test]
fn solve_prints_the_stable_json_keys_and_a_checked_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let net = small_network(dir.path());
    let v = run_json(&["solve", net.to_str().unwrap(), "--json"]);
    for key in [
        "status",
        "objective",
        "best_bound",
        "gap",
        "nodes",
        "time_s",
        "x",
        "forward_value",
        "binaries",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["status"], "optimal");
    // Two inputs: `auto` (the default) enumerates the regions and says why.
    assert_eq!(v["method"], "regions");
    assert!(v["method_reason"].as_str().unwrap().contains("2 input"));
    let objective = v["objective"].as_f64().unwrap();
    let milp = run_json(&["solve", net.to_str().unwrap(), "--method", "milp", "--json"]);
    assert_eq!(
        (&milp["method"], &milp["bounds_method"]),
        (&"milp".into(), &"lp".into())
    );
    let milp_objective = milp["objective"].as_f64().unwrap();
    assert!((milp_objective - objective).abs() <= 1e-6 * (1.0 + objective.abs()));
    assert!((v["forward_value"].as_f64().unwrap() - objective).abs() < 1e-6);
    // Brute force over a fine grid can only find values ≥ the true minimum.
    let grid_min = (0..=400)
        .flat_map(|i| (0..=400).map(move |j| (i, j)))
        .map(|(i, j)| {
            let (x, y) = (-1.0 + i as f64 / 200.0, -1.0 + j as f64 / 200.0);
            let h = [
                (x - y).max(0.0),
                (0.5 * x + 2.0 * y - 0.5).max(0.0),
                (-x - y + 0.2).max(0.0),
            ];
            h[0] - 2.0 * h[1] + 0.5 * h[2] + 0.1
        })
        .fold(f64::INFINITY, f64::min);
    assert!(
        objective <= grid_min + 1e-9,
        "{objective} > grid {grid_min}"
    );
    assert!(
        objective >= grid_min - 0.05,
        "{objective} far below grid {grid_min}"
    );
    let max = run_json(&["solve", net.to_str().unwrap(), "--maximize", "--json"]);
    assert!(max["objective"].as_f64().unwrap() > objective);
}

/// The MILP's levers from the command line: each gives the same optimum and reports itself
/// (`root_cuts` with bounds that only tighten, `local_search` from the sampled start to a
/// value no worse); bad values are refused naming them.
#[test]
fn the_milps_levers_keep_the_optimum_and_report_themselves() {
    let net = sample("peaks_25x2.json");
    let net_s = net.to_str().unwrap();
    let milp = |extra: &[&str]| {
        let mut args = vec!["solve", net_s, "--method", "milp", "--json"];
        args.extend_from_slice(extra);
        run_json(&args)
    };
    let plain = milp(&[]);
    assert_eq!(plain["status"], "optimal");
    let optimum = plain["objective"].as_f64().unwrap();
    let walk = &plain["local_search"];
    let (from, to) = (walk["from"].as_f64().unwrap(), walk["to"].as_f64().unwrap());
    assert!(
        to <= from && walk["starts"].as_u64().unwrap() >= 1,
        "{walk}"
    );
    assert_eq!(plain["start_objective"].as_f64().unwrap(), to);
    assert!(to >= optimum - 1e-9, "the walk's point is a true value");
    assert!(plain.get("root_cuts").is_none());
    for extra in [
        &["--cuts", "ideal"][..],
        &["--formulation", "partition:2"],
        &["--formulation", "partition:3", "--cuts", "ideal"],
        &["--no-local-search"],
        &["--all-binaries"],
    ] {
        let v = milp(extra);
        assert_eq!(v["status"], "optimal", "{extra:?}");
        let o = v["objective"].as_f64().unwrap();
        assert!(close(o, optimum, 1e-6), "{extra:?}: {o} vs {optimum}");
        if extra.contains(&"ideal") {
            let cuts = &v["root_cuts"];
            let (before, after) = (
                cuts["bound_before"].as_f64().unwrap(),
                cuts["bound_after"].as_f64().unwrap(),
            );
            assert!(before <= after + 1e-9 && after <= optimum + 1e-6, "{cuts}");
            assert!(cuts["rows_added"].as_u64().unwrap() <= cuts["cuts_found"].as_u64().unwrap());
        }
        if extra.contains(&"--no-local-search") {
            assert!(v.get("local_search").is_none());
        }
        if extra.contains(&"--all-binaries") {
            // The one-sided neurons get their binaries back.
            let count = |v: &serde_json::Value, key: &str| v[key].as_u64().unwrap();
            assert!(count(&plain, "one_sided") > 0, "{plain}");
            assert_eq!(count(&v, "one_sided"), 0);
            assert_eq!(
                count(&v, "binaries"),
                count(&plain, "binaries") + count(&plain, "one_sided")
            );
        }
    }
    let text =
        String::from_utf8(run(&["solve", net_s, "--method", "milp", "--cuts", "ideal"]).stdout)
            .unwrap();
    assert!(text.contains("root cuts    ideal: "), "{text}");
    assert!(text.contains("then a walk over "), "{text}");
    for t in ["0", "nan", "inf"] {
        assert_fails(
            &["solve", net_s, "--method", "milp", "--obbt-time-limit", t],
            "--obbt-time-limit must be positive",
        );
    }
    for (args, expect) in [
        (
            &["--formulation", "partition:0"][..],
            "partition:0: the number of groups",
        ),
        (&["--cuts", "gomory"], "unknown cuts 'gomory'"),
    ] {
        let mut all = vec!["solve", net_s];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expect),
            "{args:?}"
        );
    }
}

#[test]
fn convert_round_trips_and_export_writes_models() {
    let dir = tempfile::tempdir().unwrap();
    let net = small_network(dir.path());
    let net_s = net.to_str().unwrap();
    let base = run_json(&["analyze", net_s, "--json"]);
    for ext in ["onnx", "nnet", "json"] {
        let out = dir.path().join(format!("converted.{ext}"));
        let status = run(&["convert", net_s, out.to_str().unwrap()]);
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let again = run_json(&["analyze", out.to_str().unwrap(), "--json"]);
        assert_eq!(
            again["layers"], base["layers"],
            "bounds after converting to {ext}"
        );
    }
    let mps = dir.path().join("model.mps");
    let lp = dir.path().join("model.lp");
    let out = run(&[
        "export",
        net_s,
        "--mps",
        mps.to_str().unwrap(),
        "--lp",
        lp.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mps_text = std::fs::read_to_string(&mps).unwrap();
    assert!(
        mps_text.contains("ROWS") && mps_text.contains("z_1_0"),
        "{mps_text}"
    );
    // The LP file holds the same model: a row per big-M constraint of each of the three
    // neurons and the output row, and the neurons' binaries in its `bin` section.
    let lp_text = std::fs::read_to_string(&lp).unwrap();
    let mut rows = Vec::new();
    for k in 0..3 {
        rows.extend([
            format!("ge_1_{k}"),
            format!("le_1_{k}"),
            format!("on_1_{k}"),
        ]);
    }
    rows.push("out_0".into());
    assert_eq!(lp_section(&lp_text, "st", "bounds", ':'), rows, "{lp_text}");
    assert_eq!(
        lp_section(&lp_text, "bin", "gen", ' '),
        ["z_1_0", "z_1_1", "z_1_2"],
        "{lp_text}"
    );
    assert_fails(
        &["export", net_s, "--mps", lp.to_str().unwrap()],
        "--mps needs a file ending in .mps",
    );
}

/// The first word (up to `separator`) of every line of an LP file between the section
/// headers `start` and `end`; panics if a header is missing.
fn lp_section(text: &str, start: &str, end: &str, separator: char) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let header = |name: &str| {
        lines
            .iter()
            .position(|l| *l == name)
            .unwrap_or_else(|| panic!("no section {name:?} in the LP file"))
    };
    lines[header(start) + 1..header(end)]
        .iter()
        .map(|l| l.split(separator).next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn bad_input_gives_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = small_network(dir.path());
    let good_s = good.to_str().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    let text = std::fs::read(&good).unwrap();
    let truncated_json = write("truncated.json", &text[..text.len() / 2]);
    assert_fails(&["analyze", &truncated_json], "truncated.json");
    let garbage = write("garbage.json", b"\x00\x01garbage");
    assert_fails(&["analyze", &garbage], "invalid reluscope JSON");
    let nan = write(
        "nan.nnet",
        b"2,1,1,1,\n1,1,1,\n0,\n-1,\n1,\n0,0,\n1,1,\nnan,\n0,\n1,\n0,\n",
    );
    assert_fails(&["analyze", &nan], "nan.nnet");
    let shape = write(
        "shape.json",
        br#"{"layers": [{"weights": [[1, 2]], "bias": [0], "activation": "relu"},
                        {"weights": [[1, 2]], "bias": [0], "activation": "linear"}]}"#,
    );
    assert_fails(
        &["analyze", &shape, "--box", "0,1;0,1"],
        "layer 2: takes 2 inputs but layer 1 has 1 outputs",
    );
    let truncated_nnet = write("truncated.nnet", b"2,1,1,1,\n1,1,1,\n0,\n-1,\n");
    assert_fails(&["analyze", &truncated_nnet], "file ends before");
    let garbage_onnx = write("garbage.onnx", b"\xff\xff\xff\xff not protobuf");
    assert_fails(&["analyze", &garbage_onnx], "garbage.onnx");
    assert_fails(&["analyze", good_s, "--box", "1,-1;0,1"], "inverted");
    assert_fails(&["analyze", good_s, "--box", ""], "no dimensions");
    assert_fails(
        &["analyze", good_s, "--box", "0,1"],
        "1 dimensions but the network takes 2",
    );
    assert_fails(
        &["solve", good_s, "--output", "3"],
        "output index 3 is out of range",
    );
    assert_fails(
        &["solve", good_s, "--combination", "1,2"],
        "2 coefficient(s)",
    );
    assert_fails(&["solve", good_s, "--time-limit", "-1"], "--time-limit");
    assert_fails(
        &["analyze", "/nonexistent/net.json"],
        "/nonexistent/net.json",
    );
    assert_fails(&["analyze", "net.txt"], "unknown file extension");
    let no_box = write(
        "nobox.json",
        br#"{"layers": [{"weights": [[1]], "bias": [0], "activation": "linear"}]}"#,
    );
    assert_fails(&["solve", &no_box], "--box");
}

#[test]
fn reference_networks_analyse_identically_in_every_format() {
    let dir = reference_dir();
    let name = "peaks_25x3";
    let json = run_json(&[
        "analyze",
        network_file(&dir, name, ".json").to_str().unwrap(),
        "--json",
    ]);
    for suffix in [".nnet", ".onnx", "_matmul.onnx"] {
        let file = network_file(&dir, name, suffix);
        // ONNX holds no box; the JSON file's is [-2, 2]².
        let other = run_json(&[
            "analyze",
            file.to_str().unwrap(),
            "--box",
            "-2,2;-2,2",
            "--json",
        ]);
        for (a, b) in json["layers"]
            .as_array()
            .unwrap()
            .iter()
            .zip(other["layers"].as_array().unwrap())
        {
            assert_eq!(a["unstable"], b["unstable"], "{suffix}");
            for key in ["lower", "upper"] {
                for (x, y) in floats(&a[key]).iter().zip(floats(&b[key])) {
                    assert!(close(*x, y, 1e-9), "{suffix} {key}: {x} vs {y}");
                }
            }
        }
    }
}

#[test]
fn regions_prints_the_stable_json_keys_and_agrees_across_methods() {
    let net = sample("peaks_25x2.json");
    let net_s = net.to_str().unwrap();
    let exact_2d = run_json(&["regions", net_s, "--json"]);
    for key in ["count", "exact", "per_layer", "method", "time_s"] {
        assert!(exact_2d.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(exact_2d["method"], "exact_2d");
    assert_eq!(exact_2d["exact"], true);
    let general = run_json(&["regions", net_s, "--exact", "--json"]);
    assert_eq!(general["method"], "exact");
    assert_eq!(general["count"], exact_2d["count"]);
    assert_eq!(general["per_layer"], exact_2d["per_layer"]);
    let sampled = run_json(&["regions", net_s, "--sample", "20000", "--json"]);
    assert_eq!(sampled["exact"], false);
    assert_eq!(sampled["samples"], 20000);
    assert!(sampled["count"].as_u64().unwrap() <= exact_2d["count"].as_u64().unwrap());
}

#[test]
fn solving_by_regions_matches_the_milp() {
    let net = sample("peaks_25x2.json");
    let net_s = net.to_str().unwrap();
    let milp = run_json(&[
        "solve", net_s, "--method", "milp", "--bounds", "lp", "--json",
    ]);
    assert_eq!(milp["method"], "milp");
    let regions = run_json(&["solve", net_s, "--method", "regions", "--json"]);
    for key in [
        "status",
        "objective",
        "best_bound",
        "gap",
        "nodes",
        "time_s",
        "x",
        "forward_value",
        "binaries",
    ] {
        assert!(regions.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(regions["status"], "optimal");
    let (a, b) = (
        milp["objective"].as_f64().unwrap(),
        regions["objective"].as_f64().unwrap(),
    );
    assert!(close(a, b, 1e-6), "MILP {a} vs regions {b}");
    assert!((regions["forward_value"].as_f64().unwrap() - b).abs() < 1e-9);
    // Without pruning: the same optimum, more regions examined.
    let full = run_json(&[
        "solve",
        net_s,
        "--method",
        "regions",
        "--no-prune",
        "--json",
    ]);
    assert!(close(full["objective"].as_f64().unwrap(), b, 1e-9));
    assert!(full["nodes"].as_u64().unwrap() > regions["nodes"].as_u64().unwrap());
    // Branching over the input box: the same optimum, with a certificate.
    let branch = run_json(&["solve", net_s, "--method", "branch", "--json"]);
    assert_eq!(
        (&branch["method"], &branch["status"]),
        (&"branch".into(), &"optimal".into())
    );
    let c = branch["objective"].as_f64().unwrap();
    assert!(close(c, b, 1e-6), "branch {c} vs regions {b}");
    assert!(branch["best_bound"].as_f64().unwrap() <= c);
    assert!(branch["nodes"].as_u64().unwrap() >= 1);
    // Its bound on the whole box, with fixed and with chosen lines: below the optimum.
    let root = &branch["root_box_bound"];
    let (fixed, chosen) = (
        root["fixed_lines"].as_f64().unwrap(),
        root["chosen_slopes"].as_f64().unwrap(),
    );
    assert!(fixed <= chosen + 1e-12 && chosen <= c + 1e-9, "{root}");
    // The table names the path and its boxes, not regions.
    let out = run(&["solve", net_s, "--method", "branch"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("by branching over the input box"), "{text}");
    assert!(text.contains("method       branch ("), "{text}");
    assert!(
        text.contains("boxes        ") && text.contains("with chosen slopes"),
        "{text}"
    );
    assert!(!text.contains("regions      "), "{text}");
}

#[test]
fn auto_branches_alone_at_three_inputs_and_races_the_milp_at_five() {
    let dir = tempfile::tempdir().unwrap();
    for (inputs, says) in [(3, "both cores"), (5, "raced")] {
        let path = dir.path().join(format!("net{inputs}.json"));
        let net = reluscope::network::RandomNetwork::new(&[inputs, 10, 10, 1])
            .build()
            .unwrap();
        reluscope::formats::save_network(&net, &path).unwrap();
        let p = path.to_str().unwrap();
        let auto = run_json(&["solve", p, "--json"]);
        let reason = auto["method_reason"].as_str().unwrap();
        assert!(
            reason.contains(&format!("{inputs} inputs")) && reason.contains(says),
            "{reason}"
        );
        let allowed: &[&str] = if inputs == 3 {
            &["branch"]
        } else {
            &["branch", "milp"]
        };
        assert!(
            allowed.contains(&auto["method"].as_str().unwrap()),
            "{auto}"
        );
        assert_eq!(auto["status"], "optimal");
        let milp = run_json(&["solve", p, "--method", "milp", "--json"]);
        let (a, m) = (
            auto["objective"].as_f64().unwrap(),
            milp["objective"].as_f64().unwrap(),
        );
        assert!(close(a, m, 1e-6), "{inputs} inputs: auto {a} vs MILP {m}");
    }
}

#[test]
fn the_region_solver_honours_the_time_limit() {
    // 13,000 regions take far longer than 10 ms (pruning would examine 1,000 and finish): the
    // result is a lower-quality point, marked.
    let net = sample("peaks_25x5.json");
    let stopped = run_json(&[
        "solve",
        net.to_str().unwrap(),
        "--method",
        "regions",
        "--no-prune",
        "--time-limit",
        "0.01",
        "--json",
    ]);
    assert_eq!(stopped["status"], "time_limit");
    assert!(
        stopped["status_detail"]
            .as_str()
            .unwrap()
            .contains("time limit")
    );
    assert!(stopped["best_bound"].is_null(), "no proof after a stop");
}

#[test]
fn bench_regions_counts_agree_between_the_methods() {
    let net = sample("peaks_25x2.json");
    let out = run_json(&[
        "bench",
        "regions",
        net.to_str().unwrap(),
        "--repeat",
        "1",
        "--json",
    ]);
    let row = &out["networks"][0];
    assert_eq!(row["architecture"], "2-25-25-1");
    assert_eq!(row["count_2d"], row["count_general"]);
    let counted = run_json(&["regions", net.to_str().unwrap(), "--json"]);
    assert_eq!(row["count_2d"], counted["count"]);
}

#[test]
fn bench_bounds_solves_with_several_seeds_and_agrees_on_the_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let net = small_network(dir.path());
    let out = run_json(&[
        "bench",
        "bounds",
        net.to_str().unwrap(),
        "--methods",
        "ia,lp",
        "--solve",
        "--scalings",
        "none,balanced",
        "--solver-seeds",
        "3",
        "--solver-seed",
        "7",
        "--repeat",
        "1",
        "--json",
    ]);
    let row = &out["networks"][0];
    assert_eq!(row["hidden_layers"], 1);
    let solved = run_json(&["solve", net.to_str().unwrap(), "--json"]);
    let optimum = solved["objective"].as_f64().unwrap();
    for method in row["methods"].as_array().unwrap() {
        for solve in method["solves"].as_array().unwrap() {
            let runs = solve["runs"].as_array().unwrap();
            let seeds: Vec<u64> = runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect();
            assert_eq!(seeds, [7, 8, 9]);
            assert_eq!(solve["optimal_runs"], 3);
            for r in runs {
                let objective = r["objective"].as_f64().unwrap();
                assert!(
                    (objective - optimum).abs() <= 1e-6 * (1.0 + optimum.abs()),
                    "{}/{}: {objective} vs {optimum}",
                    method["method"],
                    solve["scaling"]
                );
            }
            let mut times: Vec<f64> = runs.iter().map(|r| r["time_s"].as_f64().unwrap()).collect();
            times.sort_by(f64::total_cmp);
            assert_eq!(solve["median_time_s"].as_f64().unwrap(), times[1]);
        }
    }
}

#[test]
fn bench_solve_times_every_path_and_checks_they_agree() {
    let net = sample("peaks_25x2.json");
    let v = run_json(&[
        "bench",
        "solve",
        net.to_str().unwrap(),
        "--methods",
        "auto,regions,branch",
        "--json",
    ]);
    let rows = v["solves"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let optima: Vec<f64> = rows
        .iter()
        .map(|r| {
            assert_eq!(r["status"], "optimal", "{r}");
            assert!(r["wall_s"].as_f64().unwrap() > 0.0);
            r["objective"].as_f64().unwrap()
        })
        .collect();
    assert!(
        optima.iter().all(|o| close(*o, optima[0], 1e-6)),
        "{optima:?}"
    );
    assert_eq!(
        rows[0]["method"], "regions",
        "auto answers by regions for 2 inputs"
    );
    let unknown = run(&[
        "bench",
        "solve",
        net.to_str().unwrap(),
        "--methods",
        "simplex",
    ]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown method"));
}

/// A many-input box is written briefly: equal intervals in a row as a power, the rest elided.
#[test]
fn info_writes_a_many_input_box_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.json");
    let inputs = 100;
    let weights: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..inputs)
                .map(|j| ((i + j) % 5) as f64 * 0.1 - 0.2)
                .collect()
        })
        .collect();
    let mut bounds = vec![[-1.0, 1.0]];
    bounds.extend(vec![[0.0, 1.0]; inputs - 1]);
    let network = serde_json::json!({
        "input_bounds": bounds,
        "layers": [
            {"weights": weights, "bias": [0.0, 0.1, -0.1], "activation": "relu"},
            {"weights": [[1.0, -1.0, 0.5]], "bias": [0.0], "activation": "linear"}
        ]
    });
    std::fs::write(&path, network.to_string()).unwrap();
    let out = run(&["info", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("input box")).unwrap();
    assert_eq!(
        line.split_whitespace()
            .skip(2)
            .collect::<Vec<_>>()
            .join(" "),
        "[-1, 1] × [0, 1]^99"
    );
}
