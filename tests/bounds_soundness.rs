//! Every bound method is sound (sampled pre-activations lie inside), nested (tighter methods
//! inside looser ones), LP-OBBT reproduces the independent reference, and the MILP optimum
//! does not depend on the bounds or the rescaling used.

mod common;

use common::*;
use ndarray::Array2;
use rand::SeedableRng;
use reluscope::analysis::layer_stats;
use reluscope::bounds::{BoundMethod, NetworkBounds};
use reluscope::control::TaskControl;
use reluscope::formats::load_network;
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, solve_network};
use reluscope::network::{Activation, InputBox, Network, RandomNetwork, WeightScale};
use reluscope::pipeline::{MilpSetup, prepare_milp};
use reluscope::scaling::ScalingMethod;
use reluscope::tightening::{ObbtOptions, SAFETY_MARGIN, compute_bounds_with, lp_obbt};

/// Fast MILP-OBBT for tests: a short per-neuron limit keeps bounds sound, only weaker.
fn options() -> ObbtOptions {
    ObbtOptions {
        skip_irrelevant: true,
        milp_time_limit: 0.05,
    }
}

fn bounds(net: &Network, b: &InputBox, method: BoundMethod) -> NetworkBounds {
    compute_bounds_with(net, b, method, &options(), &TaskControl::default()).unwrap()
}

/// 10,000 uniform samples and all corners: every pre-activation inside the bounds.
fn assert_sound(net: &Network, b: &InputBox, nb: &NetworkBounds, what: &str) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
    let corners = 1u64 << b.dim().min(10);
    let mut points: Vec<f64> = Vec::new();
    for k in 0..corners {
        points.extend(b.corner(k));
    }
    for _ in 0..10_000 {
        points.extend(b.sample(&mut rng));
    }
    let n = points.len() / b.dim();
    let batch = Array2::from_shape_vec((n, b.dim()), points).unwrap();
    for (k, (pre, lb)) in net
        .preactivations_batch(batch.view())
        .iter()
        .zip(&nb.layers)
        .enumerate()
    {
        for row in pre.outer_iter() {
            assert!(
                lb.contains(row.as_slice().unwrap(), 1e-9),
                "{what}: layer {} not inside its bounds",
                k + 1
            );
        }
        for i in 0..lb.len() {
            assert!(
                lb.lower[i] <= lb.upper[i],
                "{what}: L > U at layer {} neuron {i}",
                k + 1
            );
        }
    }
}

/// `inner ⊆ outer` up to the safety margin, on the sides the MILP uses: OBBT does not
/// optimise the lower bound of a neuron it has proven inactive (nor the upper bound of a
/// saturated clipped ReLU), so those sides may stay as loose as the starting bounds.
fn assert_nested(net: &Network, inner: &NetworkBounds, outer: &NetworkBounds, what: &str) {
    for (k, (i, o)) in inner.layers.iter().zip(&outer.layers).enumerate() {
        let act = net.layers()[k].activation;
        for n in 0..i.len() {
            let slack = 10.0 * SAFETY_MARGIN * (1.0 + o.lower[n].abs().max(o.upper[n].abs()));
            let state = reluscope::bounds::neuron_state(act, i.lower[n], i.upper[n]);
            use reluscope::bounds::NeuronState::{StablyInactive, StablySaturated};
            let lower_ok = state == StablyInactive || i.lower[n] >= o.lower[n] - slack;
            let upper_ok = state == StablySaturated || i.upper[n] <= o.upper[n] + slack;
            assert!(
                lower_ok && upper_ok,
                "{what}: layer {} neuron {n}: [{}, {}] not inside [{}, {}]",
                k + 1,
                i.lower[n],
                i.upper[n],
                o.lower[n],
                o.upper[n]
            );
        }
    }
}

#[test]
fn every_method_is_sound_and_nested_on_the_reference_networks() {
    let dir = reference_dir();
    for name in REFERENCE_NETWORKS {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let ia = bounds(&net, &b, BoundMethod::Interval);
        let sym = bounds(&net, &b, BoundMethod::Symbolic);
        let lp = bounds(&net, &b, BoundMethod::LpObbt);
        for (nb, what) in [(&ia, "ia"), (&sym, "symbolic"), (&lp, "lp")] {
            assert_sound(&net, &b, nb, &format!("{name} {what}"));
        }
        assert_nested(&net, &sym, &ia, &format!("{name} symbolic ⊆ ia"));
        assert_nested(&net, &lp, &sym, &format!("{name} lp ⊆ symbolic"));
        if name.ends_with("25x2") {
            let milp = bounds(&net, &b, BoundMethod::MilpObbt);
            assert_sound(&net, &b, &milp, &format!("{name} milp"));
            assert_nested(&net, &milp, &lp, &format!("{name} milp ⊆ lp"));
        }
    }
}

#[test]
fn lp_obbt_reproduces_the_reference_bounds_and_stable_counts() {
    let dir = reference_dir();
    for name in REFERENCE_NETWORKS {
        let fig = figures(&dir, name);
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        for skip_irrelevant in [true, false] {
            let opts = ObbtOptions {
                skip_irrelevant,
                ..options()
            };
            let lp = lp_obbt(&net, &b, &opts, &TaskControl::default()).unwrap();
            let reference = fig["lp_obbt_bounds"].as_array().unwrap();
            let last = lp.layers.len() - 1;
            for (k, (mine, theirs)) in lp.layers.iter().zip(reference).enumerate() {
                let (lo, hi) = (floats(&theirs["lower"]), floats(&theirs["upper"]));
                for i in 0..mine.len() {
                    // With skipping, an inactive neuron's bounds are not optimised: only the
                    // fact that it is inactive must agree.
                    if skip_irrelevant && k < last && mine.upper[i] <= 0.0 {
                        assert!(
                            hi[i] <= 1e-6,
                            "{name} layer {} neuron {i}: inactive only here",
                            k + 1
                        );
                        continue;
                    }
                    assert!(
                        close(mine.lower[i], lo[i], 1e-6),
                        "{name} L[{k}][{i}] {} vs {}",
                        mine.lower[i],
                        lo[i]
                    );
                    assert!(
                        close(mine.upper[i], hi[i], 1e-6),
                        "{name} U[{k}][{i}] {} vs {}",
                        mine.upper[i],
                        hi[i]
                    );
                }
            }
            let stats = layer_stats(&net, &lp);
            for (k, r) in fig["stats_lp_obbt"].as_array().unwrap().iter().enumerate() {
                assert_eq!(
                    stats[k].unstable as u64,
                    r["unstable"].as_u64().unwrap(),
                    "{name} layer {}",
                    k + 1
                );
                assert_eq!(
                    stats[k].stably_inactive as u64,
                    r["stably_inactive"].as_u64().unwrap()
                );
                assert_eq!(
                    stats[k].stably_active as u64,
                    r["stably_active"].as_u64().unwrap()
                );
            }
            // The fast path solved (and certified) every LP; HiGHS is only the fallback.
            assert_eq!(lp.lps_by_highs, 0, "{name}: LPs left to HiGHS");
            if !skip_irrelevant {
                assert_eq!(
                    lp.lps_solved as u64,
                    fig["lp_obbt_lps_solved"].as_u64().unwrap(),
                    "{name}"
                );
            }
        }
    }
}

/// A random network: `widths` input first; weights in `±2/√n_in` so that bounds grow with
/// depth, biases in `±0.3` and the asymmetric box `[-1, 1.5]ⁿ`, so that no method can rely
/// on a box centred at 0.
fn random_network(widths: &[usize], seed: u64, hidden: Activation) -> Network {
    let b = InputBox::new(vec![-1.0; widths[0]], vec![1.5; widths[0]]).unwrap();
    RandomNetwork {
        seed,
        hidden,
        weights: WeightScale::FanIn {
            gain: std::f64::consts::SQRT_2,
        },
        bias: 0.3,
        input_box: Some(b),
        ..RandomNetwork::new(widths)
    }
    .build()
    .unwrap()
}

#[test]
fn every_method_is_sound_on_random_networks_of_depth_one_to_six() {
    for depth in 1..=6 {
        for (hidden, tag) in [
            (Activation::Relu, "relu"),
            (Activation::ClippedRelu { cap: 0.6 }, "clipped"),
        ] {
            let mut widths = vec![3];
            widths.extend(std::iter::repeat_n(8, depth));
            widths.push(2);
            let net = random_network(&widths, 40 + depth as u64, hidden);
            let b = net.input_box().unwrap().clone();
            // Every side optimised: skipped sides (and the explicit pre-activation bounds they
            // give the next LP) would otherwise make the methods incomparable.
            let every_side = ObbtOptions {
                skip_irrelevant: false,
                ..options()
            };
            let all: Vec<NetworkBounds> = BoundMethod::ALL
                .iter()
                .map(|&m| {
                    compute_bounds_with(&net, &b, m, &every_side, &TaskControl::default()).unwrap()
                })
                .collect();
            for (nb, m) in all.iter().zip(BoundMethod::ALL) {
                assert_sound(&net, &b, nb, &format!("depth {depth} {tag} {}", m.key()));
                assert_eq!(
                    nb.lps_by_highs,
                    0,
                    "depth {depth} {tag} {}: LPs left to HiGHS",
                    m.key()
                );
            }
            for nb in &all[1..] {
                assert_nested(
                    &net,
                    nb,
                    &all[0],
                    &format!("depth {depth} {tag}: {} ⊆ ia", nb.method.key()),
                );
            }
            // For ReLU each method also refines the previous one. Not so for clipped ReLU: its
            // LP relaxation (two triangles) is weaker than the convex hull, the symbolic lines
            // are chosen by a discrete rule, and OBBT keeps the better of both per neuron, so
            // tighter earlier bounds can give a slightly looser later one.
            if hidden == Activation::Relu {
                for w in all.windows(2) {
                    assert_nested(
                        &net,
                        &w[1],
                        &w[0],
                        &format!(
                            "depth {depth} {tag}: {} ⊆ {}",
                            w[1].method.key(),
                            w[0].method.key()
                        ),
                    );
                }
            }
        }
    }
}

#[test]
fn the_milp_optimum_does_not_depend_on_bounds_or_scaling() {
    let dir = reference_dir();
    let net = load_network(network_file(&dir, "peaks_25x2", ".json")).unwrap();
    let nets = [
        net,
        random_network(&[2, 10, 10, 10, 1], 3, Activation::ClippedRelu { cap: 0.8 }),
    ];
    for net in &nets {
        let b = net.input_box().unwrap().clone();
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let mut values = Vec::new();
        for method in [
            BoundMethod::Interval,
            BoundMethod::Symbolic,
            BoundMethod::LpObbt,
        ] {
            for scaling in ScalingMethod::ALL {
                let setup = MilpSetup {
                    bounds: method,
                    scaling,
                    obbt: options(),
                    ..MilpSetup::default()
                };
                let prepared = prepare_milp(net, &b, &setup, &TaskControl::default()).unwrap();
                let report = solve_network(
                    &prepared.problem.network,
                    &b,
                    &prepared.problem.bounds,
                    &objective,
                    &NetworkSolveOptions::default(),
                    &SolveControl::default(),
                )
                .unwrap();
                assert_eq!(report.status, "optimal");
                let x = report.x.unwrap();
                // The optimum is checked on the ORIGINAL network, whatever was solved.
                let fx = net.forward(&x)[0];
                assert!((fx - report.objective.unwrap()).abs() <= 1e-6 * fx.abs().max(1.0));
                values.push((method.key(), scaling.key(), report.objective.unwrap()));
            }
        }
        let first = values[0].2;
        for (m, s, v) in &values {
            assert!(
                close(*v, first, 1e-6),
                "{}: {m}/{s} gives {v}, ia/none gives {first}",
                net.name
            );
        }
    }
}

/// Threads share the neurons differently from run to run; the bounds must not change with
/// that (last-bit differences send branch and bound down different paths).
#[test]
fn lp_obbt_gives_the_same_bounds_on_every_run() {
    let dir = reference_dir();
    for name in ["peaks_25x5", "himmelblau_25x3"] {
        let net = load_network(network_file(&dir, name, ".json")).unwrap();
        let b = net.input_box().unwrap().clone();
        let first = lp_obbt(&net, &b, &options(), &TaskControl::default()).unwrap();
        for run in 1..6 {
            let again = lp_obbt(&net, &b, &options(), &TaskControl::default()).unwrap();
            for (k, (x, y)) in first.layers.iter().zip(&again.layers).enumerate() {
                assert_eq!(x.lower, y.lower, "{name} run {run} layer {}", k + 1);
                assert_eq!(x.upper, y.upper, "{name} run {run} layer {}", k + 1);
            }
        }
    }
}

/// The objective bound with chosen slopes lies between the fixed lines' bound and the triangle
/// LP's optimum over the same layer bounds (an independent solver: the dense simplex on the
/// triangle encoding), the LP being the best any choice of slopes can reach; and the ascent
/// closes most of the gap between the two.
#[test]
fn chosen_slopes_approach_the_triangle_lp_bound_from_below() {
    use reluscope::bounds::{SlopeSearch, optimised_objective_bound, symbolic_bounds};
    use reluscope::formulation::{Encoding, NetworkModel};
    use reluscope::lp::DenseSimplex;
    let (mut gap_fixed, mut gap_chosen) = (0.0, 0.0);
    for seed in 0..10u64 {
        let net = random_network(&[3, 10, 8, 1], 300 + seed, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let nb = symbolic_bounds(&net, &b);
        let sign = if seed % 2 == 0 { 1.0 } else { -1.0 };
        let search = |iterations| SlopeSearch {
            iterations,
            enough: f64::INFINITY,
            warm_start: None,
        };
        let fixed = optimised_objective_bound(&net, &[sign], &nb.layers, &b, search(0)).lower;
        let chosen = optimised_objective_bound(&net, &[sign], &nb.layers, &b, search(40)).lower;
        // min sign·y over the triangle relaxation = −max(−sign·y).
        let lp = NetworkModel::build_prefix(&net, &b, nb.hidden(), Encoding::Triangle).unwrap();
        let y = &lp.next_preactivations(net.output_layer())[0];
        let terms: Vec<_> = y.terms.iter().map(|&(c, v)| (c, -sign * v)).collect();
        let mut dense = DenseSimplex::new();
        dense.extend_to(&lp.model).unwrap();
        let triangle = -dense.maximize(&terms).unwrap() + sign * y.constant;
        let scale = 1e-7 * (1.0 + triangle.abs());
        assert!(fixed <= chosen, "seed {seed}: {fixed} > {chosen}");
        assert!(
            chosen <= triangle + scale,
            "seed {seed}: chosen slopes {chosen} above the triangle LP {triangle}"
        );
        gap_fixed += triangle - fixed;
        gap_chosen += triangle - chosen;
    }
    assert!(
        gap_fixed > 0.0,
        "the fixed lines were already optimal everywhere"
    );
    assert!(
        gap_chosen <= 0.25 * gap_fixed,
        "the ascent closed only {:.0} % of the gap to the LP",
        100.0 * (1.0 - gap_chosen / gap_fixed)
    );
}
