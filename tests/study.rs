//! The `study` and `plot` commands on real files: the quick grid's outputs are complete and
//! agree with the library run independently on the networks it saved; shards merge into an
//! unsharded run's results; resume, refusals and per-cell commands work; every figure view
//! writes valid SVG and PNG files.

mod common;

use common::*;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::interval_bounds;
use reluscope::control::TaskControl;
use reluscope::formats::load_network;
use reluscope::regions::{RegionOptions, count_exact};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn reluscope(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().unwrap()
}

fn succeeded(run: &Output) -> String {
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout).into_owned()
}

fn results(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap()
}

fn assert_valid_svg(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
        "{}",
        path.display()
    );
}

fn assert_valid_png(path: &Path) {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert!(
        info.width >= 400 && info.height >= 300,
        "{}",
        path.display()
    );
    // Not a blank page.
    let dark = pixels.chunks(3).filter(|p| p[0] < 128).count();
    assert!(dark > 200, "{}: almost blank", path.display());
}

#[test]
fn the_quick_study_is_complete_and_agrees_with_an_independent_recount() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("quick");
    succeeded(&reluscope(&[
        "study",
        "--quick",
        "--out",
        out.to_str().unwrap(),
    ]));
    let v = results(&out);
    let cells = v["cells"].as_array().unwrap();
    // 3 functions × 2 layouts × 3 variants × 1 seed, none missing or failed.
    assert_eq!(cells.len(), 18);
    assert_eq!(v["missing"], Value::Array(vec![]));
    for cell in cells {
        let id = cell["cell"]["id"].as_str().unwrap();
        assert!(cell["error"].is_null(), "{id}: {}", cell["error"]);
        // 2 bound methods × 2 rescalings, each with its MILP.
        let treatments = cell["treatments"].as_array().unwrap();
        assert_eq!(treatments.len(), 4, "{id}");
        let net = load_network(out.join(cell["network_file"].as_str().unwrap())).unwrap();
        let b = net.input_box().unwrap().clone();
        // Every optimum re-evaluated here by a forward pass, and every path the same optimum.
        let regions = &cell["solves"][0];
        assert_eq!(regions["method"], "regions");
        let reference = regions["objective"].as_f64().unwrap();
        let solves = treatments
            .iter()
            .map(|t| &t["milp"])
            .chain(std::iter::once(regions));
        for s in solves {
            assert_eq!(s["status"], "optimal", "{id}");
            let x = floats(&s["x"]);
            let objective = s["objective"].as_f64().unwrap();
            assert!(close(net.forward(&x)[0], objective, 1e-6), "{id}");
            assert!(
                close(objective, reference, 1e-6),
                "{id}: {objective} vs {reference}"
            );
            assert!(b.contains(&x, 1e-9), "{id}: x* outside the box");
        }
        // Stability and binaries under interval bounds, recomputed.
        let ia = &treatments[0];
        assert_eq!(
            (ia["bounds"].as_str(), ia["rescaling"].as_str()),
            (Some("ia"), Some("none"))
        );
        let report = AnalysisReport::new(&net, &b, &interval_bounds(&net, &b));
        assert!(close(
            ia["stable_percent"].as_f64().unwrap(),
            report.stable_percent,
            1e-12
        ));
        assert_eq!(ia["binaries"].as_u64().unwrap() as usize, report.binaries);
        // The net saving: the baseline's (first treatment) bounds + rescaling + MILP time
        // minus each treatment's, recomputed from the times in the cell.
        let total = |t: &Value| {
            t["bounds_time_s"].as_f64().unwrap()
                + t["scaling_time_s"].as_f64().unwrap()
                + t["milp"]["time_s"].as_f64().unwrap()
        };
        for t in treatments {
            let saving = t["net_saving_s"].as_f64().unwrap();
            assert!(
                (saving - (total(&treatments[0]) - total(t))).abs() < 1e-12,
                "{id}"
            );
        }
        // Rescaling leaves the stability alone (it computes the same function).
        assert_eq!(
            treatments[1]["stable_percent"], ia["stable_percent"],
            "{id}"
        );
    }
    // Regions: the study's 2-D partition against the general LP enumeration, on two cells.
    for cell in &cells[..2] {
        let net = load_network(out.join(cell["network_file"].as_str().unwrap())).unwrap();
        let b = net.input_box().unwrap().clone();
        let general =
            count_exact(&net, &b, &RegionOptions::default(), &TaskControl::default()).unwrap();
        assert_eq!(
            cell["regions"]["count"].as_u64().unwrap() as usize,
            general.count
        );
    }
    // The reported test error is the saved network's (loosely: a small held-out split).
    let first = &cells[0];
    let net = load_network(out.join(first["network_file"].as_str().unwrap())).unwrap();
    let fresh = fresh_rmse(&net, reluscope::training::BenchmarkFunction::Peaks, 4000);
    let reported = first["test_rmse"].as_f64().unwrap();
    assert!(
        (fresh - reported).abs() <= 0.35 * fresh,
        "{reported} vs {fresh}"
    );
    // One CSV row per cell × treatment; the report has every finding; figures are files.
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 18 * 4);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(
            "| Every optimum passes its forward check and all solve paths agree | holds |"
        ),
        "{report}"
    );
    assert!(report.contains("LP-OBBT lowers the largest big-M"));
    assert!(report.contains("Cells present: 18 of 18"));
    // The summary per variant: medians recomputed here from results.json.
    for variant in ["plain", "l1=1e-3", "dropout=0.1"] {
        let these: Vec<&Value> = cells
            .iter()
            .filter(|c| c["cell"]["source"]["variant"] == variant)
            .collect();
        let med = |mut v: Vec<f64>| {
            reluscope::numbers::format_number(reluscope::numbers::median(&mut v).unwrap())
        };
        let of = |c: &&Value, bounds: &str, key: &str| {
            let t = c["treatments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["bounds"] == bounds && t["rescaling"] == "none")
                .unwrap();
            match key {
                "stable" => t["stable_percent"].as_f64().unwrap(),
                _ => t["milp"]["time_s"].as_f64().unwrap(),
            }
        };
        let expected = format!(
            "| {variant} | {} | {} | {} | {} | {} | {n} of {n} | {} | {} | {n} of {n} |",
            these.len(),
            med(these
                .iter()
                .map(|c| c["test_rmse"].as_f64().unwrap())
                .collect()),
            med(these
                .iter()
                .map(|c| c["regions"]["count"].as_f64().unwrap())
                .collect()),
            med(these.iter().map(|c| of(c, "ia", "stable")).collect()),
            med(these.iter().map(|c| of(c, "ia", "time")).collect()),
            med(these.iter().map(|c| of(c, "lp", "stable")).collect()),
            med(these.iter().map(|c| of(c, "lp", "time")).collect()),
            n = these.len(),
        );
        assert!(report.contains(&expected), "missing {expected}");
    }
    let figures: Vec<_> = std::fs::read_dir(out.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(figures.len() >= 2 * 10, "{figures:?}");
    for f in &figures {
        match f.extension().and_then(|e| e.to_str()) {
            Some("svg") => assert_valid_svg(f),
            Some("png") => assert_valid_png(f),
            other => panic!("unexpected figure {other:?}"),
        }
        let name = f.file_stem().unwrap().to_str().unwrap();
        assert!(
            report.contains(&format!("figures/{name}.svg")),
            "{name} not in the report"
        );
    }
}

const SMALL_GRID: [&str; 14] = [
    "study",
    "--quick",
    "--functions",
    "peaks",
    "--hidden",
    "6x6",
    "--variants",
    "plain,l1=1e-2",
    "--seeds",
    "0,1",
    "--rescale",
    "none",
    "--epochs",
    "60",
];

fn without_times(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !(k.ends_with("time_s") || k == "times_s" || k == "net_saving_s"));
            map.values_mut().for_each(without_times);
        }
        Value::Array(items) => items.iter_mut().for_each(without_times),
        _ => {}
    }
}

#[test]
fn two_shards_merged_give_the_cells_and_figures_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = SMALL_GRID.to_vec();
        args.extend(extra);
        succeeded(&reluscope(&args))
    };
    run(&["--out", &path("whole")]);
    run(&["--shard", "1/2", "--out", &path("s1")]);
    run(&["--shard", "2/2", "--out", &path("s2")]);
    let (s1, s2) = (
        results(&dir.path().join("s1")),
        results(&dir.path().join("s2")),
    );
    assert_eq!(s1["cells"].as_array().unwrap().len(), 2);
    assert_eq!(s2["cells"].as_array().unwrap().len(), 2);
    assert_eq!(s1["missing"].as_array().unwrap().len(), 2);
    succeeded(&reluscope(&[
        "study",
        "merge",
        "--out",
        &path("merged"),
        &path("s1"),
        &path("s2"),
    ]));
    let (mut whole, mut merged) = (
        results(&dir.path().join("whole")),
        results(&dir.path().join("merged")),
    );
    without_times(&mut whole);
    without_times(&mut merged);
    assert_eq!(whole, merged);
    // Figures without times are the same files.
    for name in ["bigm_peaks_6x6.svg", "stable_peaks.svg"] {
        let a = std::fs::read(dir.path().join("whole/figures").join(name)).unwrap();
        let b = std::fs::read(dir.path().join("merged/figures").join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }
    // A shard of another grid is refused.
    let mut other: Vec<&str> = SMALL_GRID.to_vec();
    other[7] = "plain";
    let mut args = other.clone();
    let other_dir = path("other");
    args.extend(["--out", &other_dir]);
    succeeded(&reluscope(&args));
    let refused = reluscope(&[
        "study",
        "merge",
        "--out",
        &path("m2"),
        &path("s1"),
        &path("other"),
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another study"));
}

#[test]
fn resume_list_cells_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("study");
    let out_text = out.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = SMALL_GRID.to_vec();
        args.extend(extra);
        reluscope(&args)
    };
    // --list-cells: one runnable command per cell.
    let listed = succeeded(&run(&["--list-cells", "--out", out_text]));
    let commands: Vec<&str> = listed.lines().collect();
    assert_eq!(commands.len(), 4, "{listed}");
    assert!(
        commands[0].starts_with("reluscope study --spec "),
        "{}",
        commands[0]
    );
    let args: Vec<&str> = commands[1].split_whitespace().skip(1).collect();
    succeeded(&reluscope(&args));
    let cell_dir = out.join("shards").join("peaks_6x6_plain_s1");
    assert!(cell_dir.join("cells/peaks_6x6_plain_s1.json").exists());
    // A directory with finished cells is refused without --resume, continued with it.
    succeeded(&run(&["--cell", "peaks_6x6_plain_s0", "--out", out_text]));
    let again = run(&["--out", out_text]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let resumed = run(&["--resume", "--out", out_text]);
    succeeded(&resumed);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(
        stderr.contains("peaks_6x6_plain_s0: finished before, skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("ran 3 cell(s), skipped 1"), "{stderr}");
    assert_eq!(results(&out)["cells"].as_array().unwrap().len(), 4);
    // Another grid into the same directory is refused, naming it.
    let other = reluscope(&["study", "--quick", "--out", out_text]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("another study"));
    // A grid file that is not one, or unreadable JSON, is refused naming the file.
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, r#"{"functions": ["peaks"], "hiden": []}"#).unwrap();
    for spec in [garbage.to_str().unwrap(), "/nonexistent/grid.json"] {
        let r = reluscope(&["study", "--spec", spec, "--out", out_text]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(
            !r.status.success() && stderr.contains(spec),
            "{spec}: {stderr}"
        );
    }
    // Bad shards, cells and variants are refused in one line.
    for bad in [
        vec!["--shard", "3/2"],
        vec!["--cell", "nope"],
        vec!["--variants", "l2=1e-3,momentum=0.9"],
    ] {
        let mut args = bad.clone();
        args.extend(["--out", out_text]);
        let r = run(&args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{bad:?}");
        assert!(
            stderr.contains(
                bad[1]
                    .split(',')
                    .next_back()
                    .unwrap()
                    .split('=')
                    .next()
                    .unwrap()
            ),
            "{bad:?}: {stderr}"
        );
    }
}

#[test]
fn plot_writes_every_view_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    for (net, views) in [
        (
            "peaks_25x2.json",
            vec!["bigm", "stability", "regions", "surface", "solve"],
        ),
        ("ackley_25x3_l1.json", vec!["bigm", "regions"]),
    ] {
        for view in views {
            for ext in ["svg", "png"] {
                let file = dir.path().join(format!("{net}_{view}.{ext}"));
                let run = reluscope(&[
                    "plot",
                    sample(net).to_str().unwrap(),
                    "--view",
                    view,
                    "--out",
                    file.to_str().unwrap(),
                ]);
                succeeded(&run);
                if ext == "svg" {
                    assert_valid_svg(&file);
                    let text = std::fs::read_to_string(&file).unwrap();
                    // Titled with the network and its box.
                    let name = net.trim_end_matches(".json");
                    assert!(text.contains(name) && text.contains("box ["), "{view}");
                } else {
                    assert_valid_png(&file);
                }
            }
        }
    }
    let bad = reluscope(&[
        "plot",
        sample("peaks_25x2.json").to_str().unwrap(),
        "--view",
        "bigm",
        "--out",
        "figure.jpg",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("figure.jpg"));
    let bad = reluscope(&[
        "plot",
        sample("peaks_25x2.json").to_str().unwrap(),
        "--view",
        "bigmm",
        "--out",
        "f.svg",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bigmm"));
}

#[test]
fn a_failed_cell_is_recorded_and_a_finished_copy_replaces_it_on_merge() {
    let dir = tempfile::tempdir().unwrap();
    let net = dir.path().join("later.json");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let net_text = net.to_str().unwrap().to_string();
    // The file does not exist yet: the cell fails, the study says so, nothing panics.
    let failed = reluscope(&[
        "study",
        &net_text,
        "--solve",
        "milp",
        "--solve-seeds",
        "1",
        "--out",
        &path("a"),
    ]);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("1 cell(s) failed") && stderr.contains("later.json"),
        "{stderr}"
    );
    let a = results(&dir.path().join("a"));
    assert!(
        a["cells"][0]["error"]
            .as_str()
            .unwrap()
            .contains("later.json")
    );
    assert!(
        std::fs::read_to_string(dir.path().join("a/report.md"))
            .unwrap()
            .contains("Failed cell file0_later")
    );
    // The same grid once the file exists: the finished cell wins the merge.
    std::fs::copy(sample("peaks_25x2_l1.json"), &net).unwrap();
    succeeded(&reluscope(&[
        "study",
        &net_text,
        "--solve",
        "milp",
        "--solve-seeds",
        "1",
        "--out",
        &path("b"),
    ]));
    succeeded(&reluscope(&[
        "study",
        "merge",
        "--out",
        &path("m"),
        &path("a"),
        &path("b"),
    ]));
    let m = results(&dir.path().join("m"));
    assert!(
        m["cells"][0]["error"].is_null(),
        "{}",
        m["cells"][0]["error"]
    );
    assert_eq!(m["cells"][0]["treatments"].as_array().unwrap().len(), 4);
}

#[test]
fn bounds_cut_short_by_the_time_limit_are_flagged_and_left_out_of_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("short");
    succeeded(&reluscope(&[
        "study",
        sample("peaks_25x5.json").to_str().unwrap(),
        "--bounds",
        "ia,milp",
        "--rescale",
        "none",
        "--solve",
        "none",
        "--time-limit",
        "0.5",
        "--out",
        out.to_str().unwrap(),
    ]));
    let v = results(&out);
    let treatments = v["cells"][0]["treatments"].as_array().unwrap();
    assert!(
        treatments[0]["bounds_stopped"].is_null(),
        "interval bounds never stop"
    );
    let why = treatments[1]["bounds_stopped"]
        .as_str()
        .expect("MILP-OBBT cut short");
    assert!(!why.is_empty());
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("milp (cut short)"), "{report}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("bounds_stopped,error")
    );
}
