//! Linear regions through the library: hand-counted networks, the two exact methods against
//! each other and the reference figures, the sampled bound, the region optimum against the
//! MILP, the 2-D tiling, and the error cases.

mod common;

use common::*;
use ndarray::{Array1, Array2};
use reluscope::bounds::interval_bounds;
use reluscope::control::TaskControl;
use reluscope::formats::load_network;
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, solve_network};
use reluscope::network::{Activation, InputBox, Layer, Network};
use reluscope::regions::{
    ActivationPattern, LpBackend, Method, RegionOptions, RegionsError, Slice, StopReason,
    count_exact, count_regions, partition_2d, regions_benchmark, sample_patterns, solve_by_regions,
};

/// A layer from row-major weights.
fn layer(weights: &[&[f64]], bias: &[f64], activation: Activation) -> Layer {
    let rows = weights.len();
    let cols = weights[0].len();
    let flat: Vec<f64> = weights.iter().flat_map(|r| r.iter().copied()).collect();
    Layer::new(
        Array2::from_shape_vec((rows, cols), flat).unwrap(),
        Array1::from_vec(bias.to_vec()),
        activation,
    )
}

fn network(layers: Vec<Layer>, pairs: &[[f64; 2]]) -> (Network, InputBox) {
    let b = InputBox::from_pairs(pairs).unwrap();
    (Network::new(layers, Some(b.clone())).unwrap(), b)
}

/// A seeded random network with the given widths (input first) and its box `[-1, 1]ⁿ`.
fn random_network(widths: &[usize], seed: u64, hidden: Activation) -> (Network, InputBox) {
    let net = reluscope::network::random_network(widths, seed, hidden).unwrap();
    let b = net.input_box().unwrap().clone();
    (net, b)
}

fn exact(net: &Network, b: &InputBox) -> reluscope::regions::RegionCount {
    count_exact(net, b, &RegionOptions::default(), &TaskControl::default()).unwrap()
}

fn map(net: &Network, b: &InputBox) -> reluscope::regions::RegionMap {
    partition_2d(
        net,
        b,
        None,
        &RegionOptions::default(),
        &TaskControl::default(),
    )
    .unwrap()
}

#[test]
fn one_input_counts_breakpoints_plus_one() {
    // Breakpoints −b/w at −0.5, 0.1, 0.3, 0.9 inside [−1, 1]; 1.5 and −3 outside.
    let (net, b) = network(
        vec![
            layer(
                &[&[1.0], &[-2.0], &[1.0], &[0.5], &[1.0], &[1.0]],
                &[0.5, 0.2, -0.3, -0.45, -1.5, 3.0],
                Activation::Relu,
            ),
            layer(
                &[&[1.0, -1.0, 2.0, 0.3, 1.0, 1.0]],
                &[0.0],
                Activation::Linear,
            ),
        ],
        &[[-1.0, 1.0]],
    );
    let r = exact(&net, &b);
    assert_eq!((r.count, r.exact, r.per_layer.clone()), (5, true, vec![5]));
    let sampled = sample_patterns(&net, &b, 20_000, 3, &TaskControl::default()).unwrap();
    assert!(
        sampled.count <= r.count && sampled.count >= 4,
        "{sampled:?}"
    );
}

#[test]
fn three_lines_in_general_position_cut_a_square_into_seven() {
    // x = 0 and y = 0 make four quadrants; x + y = 0.5 crosses three of them.
    let hidden = layer(
        &[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0]],
        &[0.0, 0.0, -0.5],
        Activation::Relu,
    );
    let (net, b) = network(
        vec![
            hidden,
            layer(&[&[1.0, 1.0, 1.0]], &[0.0], Activation::Linear),
        ],
        &[[-1.0, 1.0], [-1.0, 1.0]],
    );
    assert_eq!(exact(&net, &b).count, 7);
    assert_eq!(map(&net, &b).count(), 7);
}

#[test]
fn three_concurrent_lines_cut_a_square_into_six() {
    // Degenerate: x = 0, y = 0 and x = y all pass through the origin.
    let hidden = layer(
        &[&[1.0, 0.0], &[0.0, 1.0], &[1.0, -1.0]],
        &[0.0, 0.0, 0.0],
        Activation::Relu,
    );
    let (net, b) = network(
        vec![
            hidden,
            layer(&[&[1.0, 1.0, 1.0]], &[0.0], Activation::Linear),
        ],
        &[[-1.0, 1.0], [-1.0, 1.0]],
    );
    assert_eq!(exact(&net, &b).count, 6);
    assert_eq!(map(&net, &b).count(), 6);
}

#[test]
fn a_stably_inactive_second_layer_adds_no_region() {
    let first = layer(
        &[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0]],
        &[0.0, 0.0, -0.5],
        Activation::Relu,
    );
    // Layer 2 is at most 3·(1 + 1 + 2) − 100 < 0 on the box: never active.
    let second = layer(
        &[&[1.0, 1.0, 1.0], &[-1.0, 2.0, 0.5]],
        &[-100.0, -100.0],
        Activation::Relu,
    );
    let (net, b) = network(
        vec![
            first,
            second,
            layer(&[&[1.0, 1.0]], &[0.0], Activation::Linear),
        ],
        &[[-1.0, 1.0], [-1.0, 1.0]],
    );
    assert_eq!(exact(&net, &b).per_layer, vec![7, 7]);
    assert_eq!(map(&net, &b).per_layer, vec![7, 7]);
}

#[test]
fn clipped_relu_has_three_pieces() {
    // 1-D: min(max(x, 0), 0.5) on [−1, 1] breaks at 0 and 0.5.
    let clipped = Activation::ClippedRelu { cap: 0.5 };
    let (net, b) = network(
        vec![
            layer(&[&[1.0]], &[0.0], clipped),
            layer(&[&[1.0]], &[0.0], Activation::Linear),
        ],
        &[[-1.0, 1.0]],
    );
    assert_eq!(exact(&net, &b).count, 3);
    // 2-D: a clipped neuron on x and one on y.
    let (net, b) = network(
        vec![
            layer(&[&[1.0, 0.0], &[0.0, 1.0]], &[0.0, 0.0], clipped),
            layer(&[&[1.0, 1.0]], &[0.0], Activation::Linear),
        ],
        &[[-1.0, 1.0], [-1.0, 1.0]],
    );
    // Both neurons are clipped: lines x = 0, x = 0.5, y = 0, y = 0.5 give 3 × 3 regions.
    assert_eq!(exact(&net, &b).count, 9);
    assert_eq!(map(&net, &b).count(), 9);
    let saturated: Vec<_> = map(&net, &b)
        .regions
        .iter()
        .filter(|r| r.pattern.to_string() == "cc")
        .map(|r| r.area())
        .collect();
    assert_eq!(saturated.len(), 1);
    assert!((saturated[0] - 0.25).abs() < 1e-12);
}

#[test]
fn the_methods_agree_on_random_two_input_networks() {
    let control = TaskControl::default();
    for depth in 1..=4 {
        for seed in 0..3u64 {
            let mut widths = vec![2];
            widths.extend(std::iter::repeat_n(8, depth));
            widths.push(1);
            let act = if seed == 2 {
                Activation::ClippedRelu { cap: 0.8 }
            } else {
                Activation::Relu
            };
            let (net, b) = random_network(&widths, 100 * depth as u64 + seed, act);
            let general = exact(&net, &b);
            let plane = map(&net, &b);
            assert_eq!(
                general.per_layer, plane.per_layer,
                "depth {depth} seed {seed}"
            );
            let sampled = sample_patterns(&net, &b, 20_000, seed, &control).unwrap();
            assert!(sampled.count <= general.count, "depth {depth} seed {seed}");
            // The HiGHS backend decides alike on the shallow ones (it is slower).
            if depth <= 2 {
                let options = RegionOptions {
                    lp: LpBackend::Highs,
                    ..RegionOptions::default()
                };
                let highs = count_exact(&net, &b, &options, &control).unwrap();
                assert_eq!(
                    highs.per_layer, general.per_layer,
                    "depth {depth} seed {seed}"
                );
            }
        }
    }
}

#[test]
fn higher_dimensional_counts_agree_across_backends_and_bound_the_samples() {
    let control = TaskControl::default();
    for (widths, seed) in [
        (vec![3, 8, 6, 1], 1),
        (vec![4, 7, 5, 1], 2),
        (vec![6, 6, 1], 3),
    ] {
        let (net, b) = random_network(&widths, seed, Activation::Relu);
        let dense = exact(&net, &b);
        let options = RegionOptions {
            lp: LpBackend::Highs,
            ..RegionOptions::default()
        };
        let highs = count_exact(&net, &b, &options, &control).unwrap();
        assert_eq!(dense.per_layer, highs.per_layer, "{widths:?}");
        let sampled = sample_patterns(&net, &b, 50_000, seed, &control).unwrap();
        assert!(sampled.count <= dense.count, "{widths:?}");
        for (s, e) in sampled.per_layer.iter().zip(&dense.per_layer) {
            assert!(s <= e, "{widths:?}");
        }
    }
}

#[test]
fn the_methods_agree_on_the_reference_networks() {
    let dir = reference_dir();
    let control = TaskControl::default();
    for name in REFERENCE_NETWORKS {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let plane = map(&net, &b);
        let general = exact(&net, &b);
        assert!(plane.exact() && general.exact);
        assert_eq!(general.per_layer, plane.per_layer, "{name}");
        let grid = figures(&dir, name)["regions_grid_lower_bound"]
            .as_u64()
            .unwrap() as usize;
        assert!(
            plane.count() >= grid,
            "{name}: exact {} below the grid's lower bound {grid}",
            plane.count()
        );
        let sampled = sample_patterns(&net, &b, 100_000, 1, &control).unwrap();
        assert!(sampled.count <= plane.count(), "{name}");
        eprintln!(
            "{name}: {} regions (per layer {:?}), grid lower bound {grid}, sampled {}",
            plane.count(),
            plane.per_layer,
            sampled.count
        );
    }
}

#[test]
fn polygons_tile_the_box_and_carry_their_centroid_pattern() {
    let mut cases = vec![random_network(&[2, 10, 10, 1], 5, Activation::Relu)];
    cases.push(random_network(
        &[2, 6, 6, 2],
        6,
        Activation::ClippedRelu { cap: 0.5 },
    ));
    let net = load_network(network_file(&reference_dir(), "peaks_25x3", ".json")).unwrap();
    let b = net.input_box().unwrap().clone();
    cases.push((net, b));
    for (net, b) in cases {
        let m = map(&net, &b);
        let box_area = (b.upper()[0] - b.lower()[0]) * (b.upper()[1] - b.lower()[1]);
        let total: f64 = m.regions.iter().map(|r| r.area()).sum();
        assert!(
            (total - box_area).abs() <= 1e-9 * box_area,
            "{}: areas sum to {total}, box {box_area}",
            net.name
        );
        for r in &m.regions {
            assert!(r.area() > 0.0);
            let c = r.centroid();
            let at_centroid = ActivationPattern::of_point(&net, &c).unwrap();
            assert_eq!(at_centroid, r.pattern, "{}: centroid {c:?}", net.name);
            let y = net.forward(&c);
            for (piece, yj) in r.outputs.iter().zip(&y) {
                assert!((piece.at(&c) - yj).abs() <= 1e-9 * (1.0 + yj.abs()));
            }
        }
    }
}

fn milp_optimum(net: &Network, b: &InputBox, objective: &Objective) -> f64 {
    let bounds = interval_bounds(net, b);
    let mut options = NetworkSolveOptions::default();
    options.solver.mip_rel_gap = 1e-9;
    let report = solve_network(
        net,
        b,
        &bounds,
        objective,
        &options,
        &SolveControl::default(),
    )
    .unwrap();
    assert_eq!(report.status, "optimal");
    report.objective.unwrap()
}

fn assert_region_optimum_matches(net: &Network, b: &InputBox, sense: Sense) {
    let objective = Objective::output(sense, 0, net.output_dim()).unwrap();
    let report = solve_by_regions(net, b, &objective, &TaskControl::default()).unwrap();
    let milp = milp_optimum(net, b, &objective);
    let mine = report.objective.unwrap();
    assert_eq!(report.status, "optimal");
    assert!(
        (mine - milp).abs() <= 1e-6 * milp.abs().max(1.0),
        "{} {sense:?}: regions {mine} vs MILP {milp}",
        net.name
    );
    assert!(report.forward_difference.unwrap() <= 1e-9 * (1.0 + mine.abs()));
    assert_eq!(report.best_bound, report.objective);
    assert!(report.nodes > 0);
}

#[test]
fn the_region_optimum_equals_the_milp_optimum() {
    for seed in 0..3 {
        let (net, b) = random_network(&[2, 8, 8, 1], 40 + seed, Activation::Relu);
        assert_region_optimum_matches(&net, &b, Sense::Minimize);
        assert_region_optimum_matches(&net, &b, Sense::Maximize);
    }
    // Three inputs: the general method's per-region LPs.
    let (net, b) = random_network(&[3, 6, 6, 1], 50, Activation::Relu);
    assert_region_optimum_matches(&net, &b, Sense::Minimize);
    let dir = reference_dir();
    for name in ["peaks_25x2", "himmelblau_25x2"] {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        assert_region_optimum_matches(&net, &b, Sense::Minimize);
    }
    // The reference MILP optima (relative gap 1e-6), where the reference has one.
    for name in REFERENCE_NETWORKS {
        let Some(reference) = figures(&dir, name)["optimum"]["objective"].as_f64() else {
            continue;
        };
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let mine = solve_by_regions(&net, &b, &objective, &TaskControl::default())
            .unwrap()
            .objective
            .unwrap();
        assert!((mine - reference).abs() <= 1e-6 * reference.abs(), "{name}");
    }
}

#[test]
fn a_slice_counts_like_the_restricted_network() {
    let (net, b) = random_network(&[3, 8, 8, 1], 9, Activation::Relu);
    let slice = Slice::parse("2,0@0.1,0.3,-0.2").unwrap();
    let control = TaskControl::default();
    let options = RegionOptions::default();
    let plane = partition_2d(&net, &b, Some(&slice), &options, &control).unwrap();
    let general = count_regions(&net, &b, Some(&slice), Method::Exact, &options, &control).unwrap();
    assert_eq!(plane.per_layer, general.per_layer);
    assert_eq!(plane.axes, [2, 0]);
    // Each polygon's pattern is the full network's pattern at its lifted centroid.
    for r in &plane.regions {
        let x = plane.lift(r.centroid());
        assert_eq!(x[1], 0.3);
        assert_eq!(ActivationPattern::of_point(&net, &x).unwrap(), r.pattern);
    }
}

#[test]
fn bad_inputs_are_errors_and_caps_give_lower_bounds() {
    let (net, b) = random_network(&[2, 8, 8, 1], 3, Activation::Relu);
    let control = TaskControl::default();
    let options = RegionOptions::default();
    let wrong = InputBox::from_pairs(&[[-1.0, 1.0]; 3]).unwrap();
    assert!(matches!(
        count_exact(&net, &wrong, &options, &control),
        Err(RegionsError::BoxDimension { .. })
    ));
    assert!(matches!(
        partition_2d(&net, &wrong, None, &options, &control),
        Err(RegionsError::BoxDimension { .. })
    ));
    let flat = InputBox::from_pairs(&[[-1.0, 1.0], [0.5, 0.5]]).unwrap();
    for result in [
        count_exact(&net, &flat, &options, &control),
        partition_2d(&net, &flat, None, &options, &control).map(|m| m.region_count()),
        sample_patterns(&net, &flat, 10, 0, &control),
    ] {
        assert!(matches!(
            result,
            Err(RegionsError::ZeroVolumeBox { axis: 1 })
        ));
    }
    let (net3, b3) = random_network(&[3, 4, 1], 3, Activation::Relu);
    assert!(matches!(
        partition_2d(&net3, &b3, None, &options, &control),
        Err(RegionsError::NotTwoDimensional { inputs: 3 })
    ));
    let out_of_range = Slice::parse("0,3").unwrap();
    assert!(matches!(
        partition_2d(&net3, &b3, Some(&out_of_range), &options, &control),
        Err(RegionsError::Slice(_))
    ));

    let full = exact(&net, &b).count;
    assert!(full > 20);
    let capped = RegionOptions {
        max_regions: 10,
        ..RegionOptions::default()
    };
    for r in [
        count_exact(&net, &b, &capped, &control).unwrap(),
        partition_2d(&net, &b, None, &capped, &control)
            .unwrap()
            .region_count(),
    ] {
        assert!(!r.exact);
        assert_eq!(r.stopped, Some(StopReason::MaxRegions));
        assert!(r.count > 10 && r.count <= full, "{r:?}");
    }
    let hurried = RegionOptions {
        time_limit: Some(1e-9),
        ..RegionOptions::default()
    };
    let r = count_exact(&net, &b, &hurried, &control).unwrap();
    assert_eq!((r.exact, r.stopped), (false, Some(StopReason::TimeLimit)));
    let endless = RegionOptions {
        time_limit: Some(1e300),
        ..RegionOptions::default()
    };
    assert_eq!(
        count_exact(&net, &b, &endless, &control).unwrap().count,
        full
    );
    let cancelled = TaskControl::default();
    cancelled.request_cancel();
    let r = count_exact(&net, &b, &options, &cancelled).unwrap();
    assert_eq!((r.exact, r.stopped), (false, Some(StopReason::Cancelled)));
    let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
    let report = solve_by_regions(&net, &b, &objective, &cancelled).unwrap();
    assert_eq!(report.status, "cancelled");
    let bad = RegionOptions {
        tolerance: -1.0,
        ..RegionOptions::default()
    };
    assert!(count_exact(&net, &b, &bad, &control).is_err());
    let wrong_objective = Objective {
        sense: Sense::Minimize,
        weights: vec![1.0, 2.0],
        constraints: Vec::new(),
    };
    assert!(solve_by_regions(&net, &b, &wrong_objective, &control).is_err());
}

/// Prints count and time of both exact methods on the reference networks:
/// `cargo test --test regions -- --ignored --nocapture regions_benchmark`.
#[test]
#[ignore]
fn regions_benchmark_on_the_reference_networks() {
    let dir = reference_dir();
    println!(
        "{:<16} {:>10} {:>8} {:>10} {:>10} {:>8} {:>7}",
        "network", "arch", "regions", "2-D s", "general s", "LPs", "ratio"
    );
    for name in REFERENCE_NETWORKS {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let r = regions_benchmark(&net, &b, &RegionOptions::default(), 3).unwrap();
        assert_eq!(r.count_2d, r.count_general, "{name}");
        println!(
            "{:<16} {:>10} {:>8} {:>10.4} {:>10.4} {:>8} {:>7.1}",
            name, r.architecture, r.count_2d, r.time_2d_s, r.time_general_s, r.lps, r.ratio
        );
    }
}

/// Prints count and time of the general method on random networks with 3–6 inputs:
/// `cargo test --test regions -- --ignored --nocapture general_method_in_higher_dimension`.
#[test]
#[ignore]
fn general_method_in_higher_dimension() {
    let control = TaskControl::default();
    for d in 3..=6 {
        let (net, b) = random_network(&[d, 16, 16, 1], d as u64, Activation::Relu);
        let r = exact(&net, &b);
        let sampled = sample_patterns(&net, &b, 100_000, 0, &control).unwrap();
        println!(
            "{}: {} regions (per layer {:?}) in {:.3} s, {} LPs; sampled 100k: {}",
            net.architecture(),
            r.count,
            r.per_layer,
            r.time_s,
            r.lps_solved,
            sampled.count
        );
    }
}

/// On every sample network the exact paths without a MILP agree: the region optimum with and
/// without pruning, and branching over the input box (minimising output 0).
#[test]
fn every_exact_path_agrees_on_every_sample_network() {
    use reluscope::branching::{BranchOptions, solve_by_branching};
    use reluscope::regions::solve_by_regions_with;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_networks");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 16, "{} samples", files.len());
    let control = TaskControl::default();
    let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
    for file in files {
        let net = load_network(&file).unwrap();
        let b = net.input_box().unwrap().clone();
        let run = |prune| {
            let options = RegionOptions {
                prune,
                ..RegionOptions::default()
            };
            solve_by_regions_with(&net, &b, &objective, &options, &control).unwrap()
        };
        let (pruned, full) = (run(true), run(false));
        let branch =
            solve_by_branching(&net, &b, &objective, &BranchOptions::default(), &control).unwrap();
        let expected = full.objective.unwrap();
        for (path, r) in [("pruned", &pruned), ("full", &full), ("branch", &branch)] {
            assert_eq!(r.status, "optimal", "{} {path}", file.display());
            let o = r.objective.unwrap();
            assert!(
                (o - expected).abs() <= 1e-6 * (1.0 + expected.abs()),
                "{} {path}: {o} vs {expected}",
                file.display()
            );
            assert!(
                r.forward_difference.unwrap() <= 1e-6,
                "{} {path}",
                file.display()
            );
        }
        assert!(pruned.nodes <= full.nodes, "{}", file.display());
    }
}

/// Every path on every reference and sample network, minimising output 0: the forced MILP
/// with `solve`'s default setup (bounds, HiGHS settings, the walk), the same with the ideal
/// cuts (reference networks), branching and auto give the region optimum. A MILP a network's budget stops (the
/// hardest samples take Gurobi 10–120 s too) must still bracket it: its proven bound at or
/// below the region optimum, its incumbent, a forward-checked value, at or above.
#[test]
fn every_path_gives_the_region_optimum_on_every_reference_and_sample_network() {
    use reluscope::branching::{BranchOptions, solve_by_branching};
    use reluscope::milp::Cuts;
    use reluscope::pipeline::{MilpSetup, SolveMethod, solve};
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_networks");
    let mut files: Vec<(std::path::PathBuf, f64)> = REFERENCE_NETWORKS
        .iter()
        .map(|name| (network_file(&reference_dir(), name, ".json"), 120.0))
        .collect();
    let mut sample_files: Vec<_> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    sample_files.sort();
    assert!(sample_files.len() >= 16);
    files.extend(sample_files.into_iter().map(|p| (p, 5.0)));
    let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
    let control = TaskControl::default();
    let (mut proven, mut bracketed) = (0, 0);
    for (file, budget) in files {
        let net = load_network(&file).unwrap();
        let b = net.input_box().unwrap().clone();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let exact = solve_by_regions(&net, &b, &objective, &control).unwrap();
        assert_eq!(exact.status, "optimal", "{name}");
        let expected = exact.objective.unwrap();
        let tolerance = 1e-6 * (1.0 + expected.abs());
        let mut reports = Vec::new();
        let reference = budget > 5.0;
        for (path, method, cuts) in [
            ("milp", SolveMethod::Milp, Cuts::None),
            ("milp+ideal", SolveMethod::Milp, Cuts::Ideal),
            ("auto", SolveMethod::Auto, Cuts::None),
        ] {
            // The cuts on the reference networks only (and on random ones in the properties).
            if cuts == Cuts::Ideal && !reference {
                continue;
            }
            let mut options = NetworkSolveOptions {
                cuts,
                ..NetworkSolveOptions::default()
            };
            options.solver.time_limit = Some(budget);
            let solved = solve(
                &net,
                &b,
                &objective,
                method,
                &MilpSetup::solve_default(),
                &options,
                &RegionOptions::default(),
                &SolveControl::default(),
            )
            .unwrap();
            reports.push((path, solved.report));
        }
        let branch =
            solve_by_branching(&net, &b, &objective, &BranchOptions::default(), &control).unwrap();
        reports.push(("branch", branch));
        for (path, r) in reports {
            let value = r.objective.unwrap();
            assert!(
                r.forward_difference.unwrap() <= 1e-6 * (1.0 + value.abs()),
                "{name} {path}"
            );
            if r.status == "optimal" {
                proven += 1;
                assert!(
                    (value - expected).abs() <= tolerance,
                    "{name} {path}: {value} vs regions {expected}"
                );
            } else {
                assert_eq!(r.status, "time_limit", "{name} {path}");
                bracketed += 1;
                // No bound when the budget ran out before branch and bound began (in the
                // bound tightening): then only the incumbent is checked.
                let bound = r.best_bound.unwrap_or(f64::NEG_INFINITY);
                assert!(
                    bound <= expected + tolerance && value >= expected - tolerance,
                    "{name} {path}: [{bound}, {value}] misses regions {expected}"
                );
            }
        }
    }
    // The reference networks' MILPs all prove their optimum: most answers are proofs.
    assert!(
        proven >= 4 * 7 && proven > 3 * bracketed,
        "{proven} proven, {bracketed} bracketed"
    );
}
