//! The library as a user calls it: `examples/quickstart.rs` and the pipeline, checked against
//! an independent method (the region solver) on a sample network.

use reluscope::milp::Objective;
use reluscope::{Sense, TaskControl, load, solve_by_regions};
use std::path::PathBuf;
use std::process::Command;

const SAMPLE: &str = "sample_networks/peaks_25x2.json";

/// `cargo test` builds the examples beside the test binaries (`target/<profile>/examples`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: cargo test builds the examples",
        path.display()
    );
    path
}

fn line_value(output: &str, key: &str) -> String {
    output
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("no line {key:?} in:\n{output}"))
        .trim()
        .to_string()
}

#[test]
fn the_quickstart_example_prints_the_optimum_the_region_solver_finds() {
    let output = Command::new(example("quickstart"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the example");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(line_value(&text, "status"), "optimal");
    let minimum: f64 = line_value(&text, "minimum").parse().unwrap();
    let forward: f64 = line_value(&text, "f(x*)").parse().unwrap();

    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (network, input_box) = load(manifest.join(SAMPLE), None).unwrap();
    let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
    let exact = solve_by_regions(
        &network,
        &input_box,
        &objective,
        None,
        None,
        &TaskControl::default(),
    )
    .unwrap();
    let expected = exact.objective.unwrap();
    // The example prints 10 decimals; the MILP's gap is 1e-6 relative.
    assert!(
        (minimum - expected).abs() <= 1e-6 * expected.abs(),
        "example {minimum} vs regions {expected}"
    );
    assert!((forward - minimum).abs() <= 1e-9 * minimum.abs());
}

#[test]
fn load_names_the_file_and_asks_for_a_box_when_the_file_has_none() {
    let err = load("no/such/network.json", None).unwrap_err().to_string();
    assert!(err.contains("no/such/network.json"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let onnx = dir.path().join("peaks.onnx");
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (network, _) = load(manifest.join(SAMPLE), None).unwrap();
    reluscope::save_network(&network, &onnx).unwrap();
    let (reloaded, b) = load(&onnx, None).expect("reluscope stores the box in ONNX metadata");
    assert_eq!(b.dim(), 2);
    assert_eq!(
        reloaded.forward(&[0.3, -0.2]),
        network.forward(&[0.3, -0.2])
    );
    let override_box = reluscope::InputBox::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap();
    let (_, b) = load(&onnx, Some(override_box.clone())).unwrap();
    assert_eq!(b, override_box);
    let wrong = reluscope::InputBox::new(vec![-1.0], vec![1.0]).unwrap();
    assert!(
        load(&onnx, Some(wrong)).is_err(),
        "a box of the wrong dimension"
    );
    // A file without a box: an error naming it, unless a box is given.
    let boxless = dir.path().join("boxless.json");
    std::fs::write(
        &boxless,
        r#"{"layers": [{"weights": [[1.0]], "activation": "relu"},
                       {"weights": [[1.0]], "activation": "linear"}]}"#,
    )
    .unwrap();
    let err = load(&boxless, None).unwrap_err().to_string();
    assert!(
        err.contains("boxless.json") && err.contains("no input box"),
        "{err}"
    );
    let unit = reluscope::InputBox::new(vec![0.0], vec![1.0]).unwrap();
    assert_eq!(load(&boxless, Some(unit.clone())).unwrap().1, unit);
}

#[test]
fn auto_takes_regions_then_branching_then_a_race_then_the_milp_and_every_path_agrees() {
    use reluscope::milp::{NetworkSolveOptions, SolveControl};
    use reluscope::network::RandomNetwork;
    use reluscope::pipeline::{MilpSetup, SolveMethod, choose_method, solve};
    use reluscope::regions::RegionOptions;
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (peaks, b) = load(manifest.join(SAMPLE), None).unwrap();
    let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
    let setup = MilpSetup {
        bounds: reluscope::BoundMethod::LpObbt,
        ..MilpSetup::default()
    };
    let options = NetworkSolveOptions::default();
    let run = |net: &reluscope::Network, b: &reluscope::InputBox, m, cap: Option<usize>| {
        let defaults = RegionOptions::default();
        let regions = RegionOptions {
            max_regions: cap.unwrap_or(defaults.max_regions),
            ..defaults
        };
        solve(
            net,
            b,
            &objective,
            m,
            &setup,
            &options,
            &regions,
            &SolveControl::default(),
        )
        .unwrap()
    };
    let auto = run(&peaks, &b, SolveMethod::Auto, None);
    assert_eq!(auto.method, SolveMethod::Regions, "{}", auto.reason);
    assert!(auto.reason.contains("2 input"), "{}", auto.reason);
    let milp = run(&peaks, &b, SolveMethod::Milp, None);
    assert_eq!(
        (milp.method, milp.report.status.as_str()),
        (SolveMethod::Milp, "optimal")
    );
    let (a, m) = (
        auto.report.objective.unwrap(),
        milp.report.objective.unwrap(),
    );
    assert!((a - m).abs() <= 1e-6 * a.abs(), "auto {a} vs milp {m}");
    // A region cap hands over to the MILP, which still finds the optimum.
    let capped = run(&peaks, &b, SolveMethod::Auto, Some(10));
    assert_eq!(capped.method, SolveMethod::Milp, "{}", capped.reason);
    assert!(capped.reason.contains("MILP instead"), "{}", capped.reason);
    assert!((capped.report.objective.unwrap() - m).abs() <= 1e-6 * m.abs());
    // Three inputs: branching alone (both cores).
    let net = RandomNetwork::new(&[3, 8, 8, 1]).build().unwrap();
    assert_eq!(
        choose_method(&net, net.input_box().unwrap(), &[]).0,
        SolveMethod::Branch
    );
    let b3 = net.input_box().unwrap().clone();
    let exact = solve_by_regions(&net, &b3, &objective, None, None, &TaskControl::default())
        .unwrap()
        .objective
        .unwrap();
    let three = run(&net, &b3, SolveMethod::Auto, None);
    assert_eq!(three.method, SolveMethod::Branch, "{}", three.reason);
    assert!(
        three.reason.contains("3 inputs") && three.reason.contains("both cores"),
        "{}",
        three.reason
    );
    // Branching stopped by a cap (its leaves' region cap at 1, on a network whose leaves
    // enumerate) hands over to the MILP, which proves the region enumeration's optimum.
    let net16 = RandomNetwork::new(&[3, 16, 16, 1]).build().unwrap();
    let b16 = net16.input_box().unwrap().clone();
    let exact16 = solve_by_regions(
        &net16,
        &b16,
        &objective,
        None,
        None,
        &TaskControl::default(),
    )
    .unwrap()
    .objective
    .unwrap();
    let capped = run(&net16, &b16, SolveMethod::Auto, Some(1));
    assert_eq!(capped.method, SolveMethod::Milp, "{}", capped.reason);
    assert!(
        capped.reason.contains("branching stopped") && capped.reason.contains("MILP instead"),
        "{}",
        capped.reason
    );
    assert_eq!(capped.report.status, "optimal");
    let c = capped.report.objective.unwrap();
    assert!(
        (c - exact16).abs() <= 1e-6 * (1.0 + exact16.abs()),
        "{c} vs {exact16}"
    );
    // The same cap on forced branching: stopped, not proven, and said so.
    let forced_capped = run(&net16, &b16, SolveMethod::Branch, Some(1));
    assert_eq!(forced_capped.method, SolveMethod::Branch);
    assert_eq!(forced_capped.report.status, "other");
    assert!(forced_capped.report.objective.unwrap() >= exact16 - 1e-9);
    // Five inputs: auto (raced or alone), proven, with the optimum of the MILP alone.
    let auto_against_milp = |widths: &[usize]| {
        let net = RandomNetwork::new(widths).build().unwrap();
        let b = net.input_box().unwrap().clone();
        let auto = run(&net, &b, SolveMethod::Auto, None);
        let milp = run(&net, &b, SolveMethod::Milp, None);
        let (a, m) = (
            auto.report.objective.unwrap(),
            milp.report.objective.unwrap(),
        );
        assert_eq!(auto.report.status, "optimal", "{widths:?}");
        assert_eq!(milp.report.status, "optimal", "{widths:?}");
        assert!(
            (a - m).abs() <= 1e-6 * (1.0 + m.abs()),
            "{widths:?}: {a} vs {m}"
        );
        auto
    };
    // A small network: branching raced against the MILP.
    let five = auto_against_milp(&[5, 8, 8, 1]);
    assert!(
        five.reason.contains("5 inputs") && five.reason.contains("raced"),
        "{}",
        five.reason
    );
    // Six inputs: raced on every network.
    let six = auto_against_milp(&[6, 8, 8, 1]);
    assert!(
        six.reason.contains("6 inputs") && six.reason.contains("raced"),
        "{}",
        six.reason
    );
    // 50 neurons: branching alone on both cores.
    let alone = auto_against_milp(&[5, 25, 25, 1]);
    assert_eq!(alone.method, SolveMethod::Branch, "{}", alone.reason);
    assert!(
        alone.reason.contains("both cores") && !alone.reason.contains("raced"),
        "{}",
        alone.reason
    );
    // Every path, forced, agrees with the region enumeration.
    for (solved, method) in [
        (three, None),
        (
            run(&net, &b3, SolveMethod::Branch, None),
            Some(SolveMethod::Branch),
        ),
        (
            run(&net, &b3, SolveMethod::Milp, None),
            Some(SolveMethod::Milp),
        ),
        (
            run(&net, &b3, SolveMethod::Regions, None),
            Some(SolveMethod::Regions),
        ),
    ] {
        if let Some(m) = method {
            assert_eq!(solved.method, m);
        }
        assert_eq!(solved.report.status, "optimal", "{:?}", solved.method);
        let o = solved.report.objective.unwrap();
        assert!(
            (o - exact).abs() <= 1e-6 * (1.0 + exact.abs()),
            "{:?}: {o} vs {exact}",
            solved.method
        );
    }
    // Nine inputs: the MILP alone.
    let net = RandomNetwork::new(&[9, 8, 8, 1]).build().unwrap();
    let (path, why) = choose_method(&net, net.input_box().unwrap(), &[]);
    // Two inputs over a box with a zero-width side: the regions cannot split it, the MILP.
    let flat = reluscope::InputBox::new(vec![-1.0, 0.5], vec![1.0, 0.5]).unwrap();
    let (flat_path, flat_why) = choose_method(&peaks, &flat, &[]);
    assert_eq!(flat_path, SolveMethod::Milp, "{flat_why}");
    assert_eq!(path, SolveMethod::Milp, "{why}");
    let b9 = net.input_box().unwrap().clone();
    let nine = run(&net, &b9, SolveMethod::Auto, None);
    assert_eq!(nine.method, SolveMethod::Milp);
    let forced = run(&net, &b9, SolveMethod::Branch, None);
    let (m, b) = (
        nine.report.objective.unwrap(),
        forced.report.objective.unwrap(),
    );
    assert!((m - b).abs() <= 1e-6 * (1.0 + m.abs()), "{m} vs {b}");
}

/// `solve`'s default bounds: LP-OBBT alone for a small MILP; MILP-OBBT on top when LP-OBBT
/// leaves at least `MILP_OBBT_FROM_BINARIES` binaries — bounds at least as tight as LP-OBBT's,
/// containing every sampled pre-activation, and the same optimum.
#[test]
fn solve_default_bounds_tighten_by_milps_only_for_large_milps() {
    use rand::SeedableRng;
    use reluscope::BoundMethod;
    use reluscope::network::RandomNetwork;
    use reluscope::pipeline::{MILP_OBBT_FROM_BINARIES, MilpSetup, prepare_milp};
    let binaries = |p: &reluscope::pipeline::PreparedMilp, net: &reluscope::Network| {
        reluscope::analysis::layer_stats(net, &p.original_bounds)
            .iter()
            .map(|s| s.binaries)
            .sum::<usize>()
    };
    let control = TaskControl::default();
    for (widths, large) in [(vec![2, 8, 8, 1], false), (vec![2, 40, 40, 1], true)] {
        let net = RandomNetwork::new(&widths).build().unwrap();
        let b = net.input_box().unwrap().clone();
        let lp = prepare_milp(
            &net,
            &b,
            &MilpSetup {
                bounds: BoundMethod::LpObbt,
                ..MilpSetup::default()
            },
            &control,
        )
        .unwrap();
        let default = prepare_milp(&net, &b, &MilpSetup::solve_default(), &control).unwrap();
        // A time limit that cuts the MILP-OBBT short never leaves a bound looser than
        // LP-OBBT's (the layers it did not reach would otherwise fall back to symbolic ones).
        let mut escalated_in_time = 0;
        for fraction in [1.5, 3.0] {
            let limit = fraction * lp.original_bounds.time.as_secs_f64() + 0.02;
            let limited = TaskControl::default().with_time_limit(Some(limit));
            let cut_short = prepare_milp(&net, &b, &MilpSetup::solve_default(), &limited).unwrap();
            if cut_short.original_bounds.method != BoundMethod::MilpObbt {
                continue; // a small network, or its LP pass itself ran out of time
            }
            escalated_in_time += 1;
            assert_eq!(cut_short.original_bounds.stopped, None);
            for (d, l) in cut_short
                .original_bounds
                .layers
                .iter()
                .zip(&lp.original_bounds.layers)
            {
                for i in 0..d.len() {
                    assert!(d.lower[i] >= l.lower[i] && d.upper[i] <= l.upper[i]);
                }
            }
        }
        assert!(
            !large || escalated_in_time >= 1,
            "no escalation within 3× LP time"
        );
        assert_eq!(
            binaries(&lp, &net) >= MILP_OBBT_FROM_BINARIES,
            large,
            "{widths:?}"
        );
        let expected = if large {
            BoundMethod::MilpObbt
        } else {
            BoundMethod::LpObbt
        };
        assert_eq!(default.original_bounds.method, expected, "{widths:?}");
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for (k, (d, l)) in default
            .original_bounds
            .layers
            .iter()
            .zip(&lp.original_bounds.layers)
            .enumerate()
        {
            for i in 0..d.len() {
                assert!(
                    d.lower[i] >= l.lower[i] && d.upper[i] <= l.upper[i],
                    "layer {k}"
                );
            }
        }
        for _ in 0..2000 {
            let x = b.sample(&mut rng);
            for (k, a) in net.preactivations(&x).iter().enumerate() {
                let layer = &default.original_bounds.layers[k];
                for (i, &v) in a.iter().enumerate() {
                    assert!(
                        layer.lower[i] <= v && v <= layer.upper[i],
                        "layer {k} neuron {i}: {v} outside [{}, {}]",
                        layer.lower[i],
                        layer.upper[i]
                    );
                }
            }
        }
        // The optimum on the default bounds is the region solver's (2 inputs: exact).
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let mut options = reluscope::milp::NetworkSolveOptions::default();
        options.solver.time_limit = Some(300.0);
        let milp = default
            .solve_with(
                &b,
                &objective,
                &options,
                &reluscope::milp::SolveControl::default(),
            )
            .unwrap();
        assert_eq!(milp.status, "optimal", "{widths:?}");
        let exact = solve_by_regions(&net, &b, &objective, None, None, &control)
            .unwrap()
            .objective
            .unwrap();
        let found = milp.objective.unwrap();
        assert!(
            (found - exact).abs() <= 1e-6 * (1.0 + exact.abs()),
            "{widths:?}: {found} vs {exact}"
        );
    }
}
