//! The engine against the reference figures: formats agree, interval bounds and stability
//! match the independent implementation, and the MILP finds the reference optimum.

mod common;

use common::*;
use rand::SeedableRng;
use reluscope::analysis::layer_stats;
use reluscope::bounds::interval_bounds;
use reluscope::formats::load_network;
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, solve_network};

#[test]
fn all_formats_compute_the_same_function() {
    let dir = reference_dir();
    for name in REFERENCE_NETWORKS {
        let json = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = json.input_box().unwrap().clone();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(42);
        let points: Vec<Vec<f64>> = (0..1000).map(|_| b.sample(&mut rng)).collect();
        for suffix in [".nnet", ".onnx", "_matmul.onnx"] {
            let other = load_network(network_file(&dir, name, suffix))
                .unwrap_or_else(|e| panic!("{name}{suffix}: {e}"));
            assert_eq!(other.architecture(), json.architecture(), "{name}{suffix}");
            for x in &points {
                let (a, o) = (json.forward(x)[0], other.forward(x)[0]);
                assert!(close(o, a, 1e-6), "{name}{suffix} at {x:?}: {o} vs {a}");
            }
        }
        let nnet = load_network(network_file(&dir, name, ".nnet")).unwrap();
        assert_eq!(
            nnet.input_box(),
            json.input_box(),
            "{name}: NNet min/max = box"
        );
    }
}

#[test]
fn interval_bounds_and_stability_match_the_reference() {
    let dir = reference_dir();
    for name in REFERENCE_NETWORKS {
        let fig = figures(&dir, name);
        // ONNX stores no box: use the JSON file's for every format.
        let json = load_network(network_file(&dir, name, ".json")).unwrap();
        let input_box = json.input_box().unwrap().clone();
        for suffix in [".json", ".nnet", ".onnx", "_matmul.onnx"] {
            let net = load_network(network_file(&dir, name, suffix)).unwrap();
            let bounds = interval_bounds(&net, &input_box);
            let reference = fig["interval_bounds"].as_array().unwrap();
            assert_eq!(reference.len(), bounds.layers.len(), "{name}");
            // float32 files (ONNX) hold the same rounded values; compare all formats tightly.
            for (k, (r, b)) in reference.iter().zip(&bounds.layers).enumerate() {
                for (mine, theirs) in [(&b.lower, &r["lower"]), (&b.upper, &r["upper"])] {
                    for (i, (m, t)) in mine.iter().zip(floats(theirs)).enumerate() {
                        assert!(
                            close(*m, t, 1e-9),
                            "{name}{suffix} layer {k} neuron {i}: {m} vs {t}"
                        );
                    }
                }
            }
            let stats = layer_stats(&net, &bounds);
            for (k, r) in fig["stats_interval"].as_array().unwrap().iter().enumerate() {
                let s = &stats[k];
                assert_eq!(s.neurons as u64, r["neurons"].as_u64().unwrap());
                assert_eq!(
                    s.stably_active as u64,
                    r["stably_active"].as_u64().unwrap(),
                    "{name} {k}"
                );
                assert_eq!(
                    s.stably_inactive as u64,
                    r["stably_inactive"].as_u64().unwrap()
                );
                assert_eq!(s.unstable as u64, r["unstable"].as_u64().unwrap());
                assert!(close(
                    s.max_big_m.unwrap_or(0.0),
                    r["max_M"].as_f64().unwrap(),
                    1e-9
                ));
                assert!(close(
                    s.median_big_m.unwrap_or(0.0),
                    r["median_M"].as_f64().unwrap(),
                    1e-9
                ));
            }
        }
    }
}

#[test]
fn interval_bounds_contain_sampled_preactivations() {
    let dir = reference_dir();
    for name in REFERENCE_NETWORKS {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let points = (0..10_000)
            .map(|_| b.sample(&mut rng))
            .chain((0..4).map(|k| b.corner(k)));
        for x in points {
            for (k, (a, lb)) in net
                .preactivations(&x)
                .iter()
                .zip(&bounds.layers)
                .enumerate()
            {
                assert!(lb.contains(a, 1e-12), "{name} layer {k} at {x:?}");
            }
        }
    }
}

#[test]
fn the_milp_finds_the_reference_optimum_on_two_layer_networks() {
    let dir = reference_dir();
    for name in ["peaks_25x2", "himmelblau_25x2"] {
        let fig = figures(&dir, name);
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let report = solve_network(
            &net,
            &b,
            &bounds,
            &objective,
            &NetworkSolveOptions::default(),
            &SolveControl::default(),
        )
        .unwrap();
        let reference = fig["optimum"]["objective"].as_f64().unwrap();
        let objective_value = report.objective.unwrap();
        assert_eq!(report.status, "optimal", "{name}");
        assert!(
            close(objective_value, reference, 1e-6),
            "{name}: {objective_value} vs {reference}"
        );
        assert!(
            report.forward_difference.unwrap() <= 1e-6,
            "{name}: {report:?}"
        );
        let fx = net.forward(report.x.as_ref().unwrap())[0];
        assert!(close(fx, reference, 1e-6), "{name}: forward {fx}");
        // The reference's big-M has a binary per unstable neuron; the one-sided ones have none.
        assert_eq!(
            (report.binaries + report.one_sided) as u64,
            fig["optimum"]["binaries"].as_u64().unwrap()
        );
        // Maximising the negated output is the same problem.
        let negated = Objective::combination(Sense::Maximize, vec![-1.0], 1).unwrap();
        let max = solve_network(
            &net,
            &b,
            &bounds,
            &negated,
            &Default::default(),
            &Default::default(),
        )
        .unwrap();
        assert!(
            close(max.objective.unwrap(), -reference, 1e-6),
            "{name}: max of −f"
        );
    }
}

/// Every exact path without a MILP — the region optimum with and without pruning, branching
/// over the input box — finds the reference optimum of every reference network (minimum of the
/// output, and the maximum of its negation), forward-checked.
#[test]
fn every_exact_path_finds_the_reference_optimum() {
    use reluscope::branching::{BranchOptions, solve_by_branching};
    use reluscope::control::TaskControl;
    use reluscope::regions::{RegionOptions, solve_by_regions_with};
    let dir = reference_dir();
    for name in [
        "peaks_25x2",
        "himmelblau_25x2",
        "peaks_25x3",
        "himmelblau_25x3",
        "peaks_50x2",
        "himmelblau_50x2",
        "peaks_25x5",
    ] {
        let reference = figures(&dir, name)["optimum"]["objective"]
            .as_f64()
            .unwrap();
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let control = TaskControl::default();
        for (objective, expected) in [
            (Objective::output(Sense::Minimize, 0, 1).unwrap(), reference),
            (
                Objective::combination(Sense::Maximize, vec![-1.0], 1).unwrap(),
                -reference,
            ),
        ] {
            let mut reports = Vec::new();
            for prune in [true, false] {
                let options = RegionOptions {
                    prune,
                    ..RegionOptions::default()
                };
                let r = solve_by_regions_with(&net, &b, &objective, &options, &control).unwrap();
                reports.push((format!("regions prune={prune}"), r));
            }
            let branch =
                solve_by_branching(&net, &b, &objective, &BranchOptions::default(), &control)
                    .unwrap();
            reports.push(("branch".to_string(), branch));
            for (path, r) in reports {
                assert_eq!(r.status, "optimal", "{name} {path}");
                let o = r.objective.unwrap();
                assert!(close(o, expected, 1e-6), "{name} {path}: {o} vs {expected}");
                let fx = objective.value(&net.forward(r.x.as_ref().unwrap()));
                assert!(close(fx, expected, 1e-6), "{name} {path}: forward {fx}");
            }
        }
    }
}
