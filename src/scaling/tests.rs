use super::*;
use crate::bounds::{binaries_needed, interval_bounds, symbolic_bounds};
use crate::formulation::NetworkModel;
use crate::milp::{NetworkSolveOptions, Sense, SolveControl, solve_network};
use crate::network::tests::random_network_with;
use rand::SeedableRng;

fn networks() -> Vec<Network> {
    vec![
        random_network_with(&[2, 10, 10, 1], 1, Activation::Relu),
        random_network_with(&[3, 8, 8, 8, 2], 2, Activation::Relu),
        random_network_with(&[2, 10, 10, 1], 3, Activation::ClippedRelu { cap: 0.7 }),
    ]
}

#[test]
fn rescaled_networks_compute_the_same_function() {
    for net in networks() {
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        for method in [
            ScalingMethod::Balanced,
            ScalingMethod::Range,
            ScalingMethod::Unit,
        ] {
            let scaled = apply_scaling(&net, &b, &bounds, method).unwrap().network;
            let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
            for _ in 0..10_000 {
                let x = b.sample(&mut rng);
                for (y, z) in net.forward(&x).iter().zip(scaled.forward(&x)) {
                    assert!(
                        (y - z).abs() <= 1e-9 * y.abs().max(1.0),
                        "{method:?}: {y} vs {z}"
                    );
                }
            }
        }
    }
}

#[test]
fn interval_bounds_scale_by_the_factors_and_stability_is_unchanged() {
    for net in networks() {
        let b = net.input_box().unwrap().clone();
        let ia = interval_bounds(&net, &b);
        for method in [
            ScalingMethod::Balanced,
            ScalingMethod::Range,
            ScalingMethod::Unit,
        ] {
            let factors = choose_factors(&net, &b, &ia, method).unwrap();
            let scaled = rescale_network(&net, &factors).unwrap();
            let scaled_ia = interval_bounds(&scaled, &b);
            let expected = rescale_bounds(&ia, &factors);
            for (got, want) in scaled_ia.layers.iter().zip(&expected.layers) {
                for (g, w) in got
                    .lower
                    .iter()
                    .chain(&got.upper)
                    .zip(want.lower.iter().chain(&want.upper))
                {
                    if method != ScalingMethod::Unit {
                        // Powers of two: no rounding error at all.
                        assert_eq!(g, w, "{method:?}");
                    } else {
                        assert!(
                            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                            "{method:?}: {g} vs {w}"
                        );
                    }
                }
            }
            // Every neuron keeps its state and its binaries.
            let layers = net.layers().iter().zip(scaled.layers());
            for ((layer, scaled_layer), (x, y)) in
                layers.zip(ia.layers.iter().zip(&scaled_ia.layers))
            {
                for i in 0..x.len() {
                    let (act, scaled_act) = (layer.activation, scaled_layer.activation);
                    assert_eq!(
                        neuron_state(act, x.lower[i], x.upper[i]),
                        neuron_state(scaled_act, y.lower[i], y.upper[i])
                    );
                    assert_eq!(
                        binaries_needed(act, x.lower[i], x.upper[i]),
                        binaries_needed(scaled_act, y.lower[i], y.upper[i])
                    );
                }
            }
        }
    }
}

#[test]
fn unit_scaling_makes_every_relu_big_m_one() {
    let net = &networks()[1];
    let b = net.input_box().unwrap().clone();
    let report = apply_scaling(net, &b, &symbolic_bounds(net, &b), ScalingMethod::Unit)
        .unwrap()
        .report
        .unwrap();
    for layer in &report.big_m_after {
        for &m in layer.iter().filter(|&&m| m > 0.0) {
            assert!((m - 1.0).abs() < 1e-12, "{m}");
        }
    }
}

/// Variance of log₂|coefficient| over the matrix of the MILP.
fn log_spread(net: &Network, b: &InputBox, bounds: &NetworkBounds) -> f64 {
    let o = Objective::output(Sense::Minimize, 0, net.output_dim()).unwrap();
    let m = NetworkModel::build(net, b, bounds, &o).unwrap().model;
    let logs: Vec<f64> = m
        .row_value
        .iter()
        .filter(|v| **v != 0.0)
        .map(|v| v.abs().log2())
        .collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logs.len() as f64
}

#[test]
fn balanced_scaling_narrows_the_spread_of_coefficient_magnitudes() {
    // A network with badly scaled layers: a factor 1000 in, 1/1000 out.
    let mut net = random_network_with(&[2, 12, 12, 1], 9, Activation::Relu);
    let mut layers = net.layers().to_vec();
    layers[0].weights *= 1000.0;
    layers[0].bias *= 1000.0;
    layers[1].weights /= 1000.0;
    net = Network::new(layers, net.input_box().cloned()).unwrap();
    let b = net.input_box().unwrap().clone();
    let ia = interval_bounds(&net, &b);
    let scaled = apply_scaling(&net, &b, &ia, ScalingMethod::Balanced).unwrap();
    let (before, after) = (
        log_spread(&net, &b, &ia),
        log_spread(&scaled.network, &b, &scaled.bounds),
    );
    assert!(after < 0.5 * before, "spread {before} → {after}");
    let report = scaled.report.unwrap();
    let ratio = |r: Option<(f64, f64)>| r.map(|(lo, hi)| hi / lo).unwrap();
    assert!(ratio(report.coefficient_range_after) < ratio(report.coefficient_range_before));
}

#[test]
fn rescaling_keeps_the_milp_optimum() {
    for net in networks().iter().take(2) {
        let b = net.input_box().unwrap().clone();
        let ia = interval_bounds(net, &b);
        let o = Objective::output(Sense::Minimize, 0, net.output_dim()).unwrap();
        let solve = |n: &Network, bounds: &NetworkBounds| {
            solve_network(
                n,
                &b,
                bounds,
                &o,
                &NetworkSolveOptions::default(),
                &SolveControl::default(),
            )
            .unwrap()
            .objective
            .unwrap()
        };
        let reference = solve(net, &ia);
        for method in [
            ScalingMethod::Balanced,
            ScalingMethod::Range,
            ScalingMethod::Unit,
        ] {
            let scaled = apply_scaling(net, &b, &ia, method).unwrap();
            let value = solve(&scaled.network, &scaled.bounds);
            assert!(
                (value - reference).abs() <= 1e-6 * reference.abs().max(1.0),
                "{method:?}"
            );
        }
    }
}

#[test]
fn rejects_invalid_factors() {
    let net = &networks()[2];
    let mut factors = ScaleFactors::identity(net);
    factors.layers[0][1] = 2.0;
    assert!(
        rescale_network(net, &factors)
            .unwrap_err()
            .to_string()
            .contains("common scale factor")
    );
    factors.layers[0] = vec![-1.0; 10];
    assert!(rescale_network(net, &factors).is_err());
}

#[test]
fn range_scaling_minimises_the_coefficient_ratio() {
    // The badly scaled network of the balanced test, and the random ones.
    let mut net = random_network_with(&[2, 12, 12, 1], 9, Activation::Relu);
    let mut layers = net.layers().to_vec();
    layers[0].weights *= 1000.0;
    layers[0].bias *= 1000.0;
    layers[1].weights /= 1000.0;
    net = Network::new(layers, net.input_box().cloned()).unwrap();
    let mut all = networks();
    all.push(net);
    for net in &all {
        let b = net.input_box().unwrap().clone();
        let ia = interval_bounds(net, &b);
        let ratio = |m: ScalingMethod| {
            let report = apply_scaling(net, &b, &ia, m).unwrap().report.unwrap();
            let (before, after) = (
                report.coefficient_range_before.unwrap(),
                report.coefficient_range_after.unwrap(),
            );
            (before.1 / before.0, after.1 / after.0)
        };
        let (before, range) = ratio(ScalingMethod::Range);
        // Rounding to powers of two costs at most a factor 4 over the LP optimum ≤ before.
        assert!(range <= 4.0 * before * (1.0 + 1e-9), "{range} vs {before}");
        let (_, balanced) = ratio(ScalingMethod::Balanced);
        assert!(
            range <= 4.0 * balanced * (1.0 + 1e-9),
            "range {range} vs balanced {balanced}"
        );
    }
}

#[test]
fn a_factor_that_would_pass_the_magnitude_limit_is_the_rescalings_error() {
    use crate::network::Layer;
    use ndarray::array;
    // Over a box of width 2e-13 the neuron's big-M is 1e-13: `unit` would multiply its row
    // by 1e13, past the 1e12 limit, although the network itself is fine.
    let net = Network::new(
        vec![
            Layer::new(array![[1.0]], array![0.0], Activation::Relu),
            Layer::new(array![[1.0]], array![0.0], Activation::Linear),
        ],
        None,
    )
    .unwrap();
    let b = InputBox::new(vec![-1e-13], vec![1e-13]).unwrap();
    let bounds = interval_bounds(&net, &b);
    let err = apply_scaling(&net, &b, &bounds, ScalingMethod::Unit).unwrap_err();
    assert!(
        matches!(err, ScalingError::FactorTooLarge { layer: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("choose another rescaling"),
        "{err}"
    );
    // The network and box themselves are admissible.
    assert!(apply_scaling(&net, &b, &bounds, ScalingMethod::None).is_ok());
}
