//! A lower bound of the objective over one box of inputs, and where to split the box.
//!
//! On the box `B = [l, u]`, symbolic bounds give every hidden layer's pre-activation bounds
//! (interval arithmetic the linear output layer's); the backward relaxation of the objective
//! down to the inputs, with each kinked neuron's line slope chosen for this box
//! ([`optimised_objective_bound`]: a few ascent steps from the parent box's slopes, towards
//! the triangle-LP bound), `vᵀf(x) ≥ gᵀx + h`, is minimised over the box at the corner
//! `x_j = l_j` if `g_j ≥ 0`, else `u_j`:
//!
//! `β(B) = max( Σⱼ min(g_j l_j, g_j u_j) + h,  Σᵢ vᵢ·[Lᴸᵢ, Uᴸᵢ] )`,
//!
//! the second term being the interval bound from the output layer's bounds. The minimising
//! corner and the centre are the box's incumbent candidates. As the box shrinks, neurons
//! become stable and the relaxation becomes exact on them.
//!
//! A constraint `lower ≤ wᵀf(x) ≤ upper` is bounded the same way, `wᵀf` from below against
//! `upper` and `−wᵀf` against `−lower`: a box where either bound passes its side (by more
//! than `10⁻⁹·(1 + |side|)`, as in the region pruning) holds no feasible point, and its bound
//! is `+∞`. Candidates (the centre, the objective's corner and each constraint bound's
//! corner) count only where every constraint holds exactly.

use crate::bounds::{
    LayerBounds, NeuronState, SlopeSearch, Slopes, finite_or_minus_infinity, interval_layer,
    neuron_state, optimised_objective_bound, symbolic_layer,
};
use crate::formulation::OutputConstraint;
use crate::network::{Activation, InputBox, Network};

/// What bounding one box gives.
#[derive(Debug, Clone)]
pub(crate) struct BoxBound {
    /// `β(B)`: no input of the box has a smaller objective (`+∞`: no input of the box
    /// satisfies the constraints).
    pub lower: f64,
    /// How far the box is from being ruled out by a constraint: the largest `bound − side`
    /// over the constraints' sides (`−∞` without constraints). Orders boxes of equal `β`
    /// (a feasibility question's are all 0): the least likely to be empty first.
    pub excess: f64,
    /// Hidden neurons with a breakpoint strictly inside their bounds on the box.
    pub unstable: usize,
    /// The best of the box's candidates (centre, the objective bound's corner, each
    /// constraint bound's corner) that satisfy every constraint exactly, and its value.
    pub candidate: Option<(Vec<f64>, f64)>,
    /// Per input: `|g_j|·(u_j − l_j)`, how much of the bound's slack that side carries.
    pub split_scores: Vec<f64>,
    /// The pre-activation bounds of every layer on the box (a part of the box inherits them).
    pub layers: Vec<LayerBounds>,
    /// The relaxation slopes that gave `lower` (a part of the box starts from them).
    pub slopes: Slopes,
}

/// Ascent steps on the relaxation's slopes per box. Measured one core, `--method branch`, on
/// the 5-input Ackley networks 2×25, 3×25, 2×50 and the 4-input 2×50 (boxes, wall s): fixed
/// lines (0 steps) 21325/46343/25039/– boxes, 1.14/2.47/1.54/– s; 3 → 0.38/0.92/0.90/0.16 s;
/// 4 → 0.31/0.89/0.72/0.13; 6 → 12737/17961/12211/2233 boxes, 0.29/0.79/0.69/0.13 s; 8 →
/// 0.27/0.80/0.78/0.12; 12 → 0.35/0.96/1.00/0.16. Starting each box from its parent's slopes
/// rather than the fixed lines saves 5–15 % at 6 steps (14309/19499/13545/2397 boxes cold).
const SLOPE_STEPS: usize = 6;

/// Bounds `weights · f(x)` over the points of `input_box` that may satisfy `constraints`
/// (normalised), stopping the slope search once the bound reaches `cutoff`. When the box is a
/// part of `parent`'s, the parent's layer bounds hold here too and are intersected with the
/// box's own, layer by layer (later layers are relaxed with the tighter of both), and its
/// slopes start the search.
pub(crate) fn bound_box(
    network: &Network,
    weights: &[f64],
    constraints: &[OutputConstraint],
    input_box: &InputBox,
    parent: Option<&BoxBound>,
    cutoff: f64,
) -> BoxBound {
    let (lo, hi) = (input_box.lower(), input_box.upper());
    let layers = network.layers();
    let mut bounds: Vec<LayerBounds> = Vec::with_capacity(layers.len());
    let last = layers.len() - 1;
    for k in 0..layers.len() {
        let mut own = if k == last && k > 0 && layers[k].activation == Activation::Linear {
            // A linear output layer's bounds enter no relaxation: only the interval term of
            // `β`, which the objective's own (optimised) relaxation nearly always beats.
            let (l, u) = bounds[k - 1].activated(layers[k - 1].activation);
            interval_layer(&layers[k], &l, &u)
        } else {
            symbolic_layer(network, input_box, &bounds, k)
        };
        if let Some(parent) = parent.map(|p| &p.layers[k]) {
            own.intersect(parent);
        }
        bounds.push(own);
    }
    let unstable = layers
        .iter()
        .zip(&bounds)
        .take(layers.len() - 1)
        .map(|(layer, b)| {
            b.lower
                .iter()
                .zip(&b.upper)
                .filter(|&(&l, &u)| neuron_state(layer.activation, l, u) == NeuronState::Unstable)
                .count()
        })
        .sum();
    let minimising_corner = |g: &[f64]| -> Vec<f64> {
        g.iter()
            .zip(lo.iter().zip(hi))
            .map(|(&gj, (&l, &u))| if gj >= 0.0 { l } else { u })
            .collect()
    };
    // Each constraint side: `min wᵀf ≤ upper` and `min −wᵀf ≤ −lower` must both be possible.
    let mut excess = f64::NEG_INFINITY;
    let mut corners: Vec<Vec<f64>> = Vec::new();
    for c in constraints {
        let negated: Vec<f64> = c.weights.iter().map(|w| -w).collect();
        for (w, side) in [(&c.weights, c.upper), (&negated, -c.lower)] {
            if !side.is_finite() {
                continue;
            }
            let limit = side + 1e-9 * (1.0 + side.abs());
            let search = SlopeSearch {
                iterations: SLOPE_STEPS,
                enough: limit.next_up(),
                warm_start: None,
            };
            let b = optimised_objective_bound(network, w, &bounds, input_box, search);
            let least = finite_or_minus_infinity(b.lower.max(interval_term(network, w, &bounds)));
            excess = excess.max(least - limit);
            corners.push(minimising_corner(&b.input_coefficients));
        }
    }
    if excess > 0.0 {
        return BoxBound {
            lower: f64::INFINITY,
            excess,
            unstable,
            candidate: None,
            split_scores: vec![0.0; lo.len()],
            layers: bounds,
            // Never split: no slopes to hand down.
            slopes: Slopes {
                lower: Vec::new(),
                upper: Vec::new(),
            },
        };
    }
    // A feasibility question's objective is 0 everywhere: nothing to search.
    let constant = weights.iter().all(|&w| w == 0.0);
    let search = SlopeSearch {
        iterations: if constant { 0 } else { SLOPE_STEPS },
        enough: cutoff,
        warm_start: parent.map(|p| &p.slopes),
    };
    let objective = optimised_objective_bound(network, weights, &bounds, input_box, search);
    // `linear`: `min_{x∈B} gᵀx + h`, as the slope search found it (`−∞` on overflow).
    let (linear, g, slopes) = (
        objective.lower,
        objective.input_coefficients,
        objective.slopes,
    );
    let interval = interval_term(network, weights, &bounds);
    // The centre, the objective's corner and the constraints' corners: the best that
    // satisfies every constraint exactly.
    let mut candidate: Option<(Vec<f64>, f64)> = None;
    let points = [input_box.center(), minimising_corner(&g)];
    for x in points.into_iter().chain(corners) {
        let y = network.forward(&x);
        let value: f64 = weights.iter().zip(&y).map(|(v, y)| v * y).sum();
        let better = candidate.as_ref().is_none_or(|(_, best)| value < *best);
        if !value.is_nan() && better && OutputConstraint::all_hold_exactly(constraints, &y) {
            candidate = Some((x, value));
        }
    }
    let split_scores = g
        .iter()
        .zip(lo.iter().zip(hi))
        .map(|(gj, (l, u))| gj.abs() * (u - l))
        .collect();
    BoxBound {
        lower: finite_or_minus_infinity(linear.max(interval)),
        excess,
        unstable,
        candidate,
        split_scores,
        layers: bounds,
        slopes,
    }
}

/// `Σᵢ vᵢ·[Lᴸᵢ, Uᴸᵢ]`: the objective's interval bound from the output layer's bounds.
fn interval_term(network: &Network, weights: &[f64], bounds: &[LayerBounds]) -> f64 {
    let layers = network.layers();
    let output = &bounds[layers.len() - 1];
    let last = layers[layers.len() - 1].activation;
    weights
        .iter()
        .zip(output.lower.iter().zip(&output.upper))
        .map(|(&v, (&l, &u))| {
            let (sl, su) = last.apply_interval(l, u);
            if v >= 0.0 { v * sl } else { v * su }
        })
        .sum()
}

/// `β(B)` of a bounded box with every kinked neuron's fixed relaxation line instead of the
/// chosen slopes (the same layer bounds): what the slope search gained, for reports.
pub(crate) fn fixed_lines_bound(
    network: &Network,
    weights: &[f64],
    input_box: &InputBox,
    bounded: &BoxBound,
) -> f64 {
    let search = SlopeSearch {
        iterations: 0,
        enough: f64::INFINITY,
        warm_start: None,
    };
    let fixed = optimised_objective_bound(network, weights, &bounded.layers, input_box, search);
    finite_or_minus_infinity(
        fixed
            .lower
            .max(interval_term(network, weights, &bounded.layers)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use rand::SeedableRng;

    /// The bound holds at sampled points of random sub-boxes, and the candidate's value is
    /// attained there.
    #[test]
    fn the_box_bound_is_below_every_sampled_value() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(4);
        for seed in 0..8u64 {
            let act = if seed % 2 == 0 {
                Activation::Relu
            } else {
                Activation::ClippedRelu { cap: 0.7 }
            };
            let net = random_network_with(&[4, 12, 12, 2], seed, act);
            let weights = [1.0, -0.3];
            for size in [1.0, 0.3, 0.05] {
                let centre: Vec<f64> = (0..4)
                    .map(|_| rand::Rng::random_range(&mut rng, -0.9..0.9))
                    .collect();
                let b = InputBox::new(
                    centre.iter().map(|c| c - size / 2.0).collect(),
                    centre.iter().map(|c| c + size / 2.0).collect(),
                )
                .unwrap();
                let bound = bound_box(&net, &weights, &[], &b, None, f64::INFINITY);
                let value = |x: &[f64]| {
                    let y = net.forward(x);
                    weights[0] * y[0] + weights[1] * y[1]
                };
                for _ in 0..500 {
                    let x = b.sample(&mut rng);
                    assert!(bound.lower <= value(&x) + 1e-9, "seed {seed} size {size}");
                }
                let (x, v) = bound.candidate.as_ref().expect("a candidate");
                assert!(b.contains(x, 0.0));
                assert!((value(x) - v).abs() < 1e-12);
                assert!(bound.lower <= *v + 1e-9);
            }
        }
    }

    /// A box ruled out by a constraint holds no sampled point that satisfies it, and some
    /// boxes are ruled out; a candidate satisfies every constraint.
    #[test]
    fn a_box_ruled_out_by_a_constraint_holds_no_point_satisfying_it() {
        use crate::formulation::OutputConstraint;
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let mut ruled_out = 0;
        for seed in 0..6u64 {
            let net = random_network_with(&[3, 10, 10, 1], seed, Activation::Relu);
            let whole = net.input_box().unwrap().clone();
            let centre_value = net.forward(&whole.center())[0];
            let constraints = [OutputConstraint {
                weights: vec![1.0],
                lower: centre_value - 0.1,
                upper: centre_value + 0.1,
                origin: "band".into(),
            }];
            for _ in 0..20 {
                let c: Vec<f64> = (0..3)
                    .map(|_| rand::Rng::random_range(&mut rng, -0.8..0.8))
                    .collect();
                let b = InputBox::new(
                    c.iter().map(|v| v - 0.15).collect(),
                    c.iter().map(|v| v + 0.15).collect(),
                )
                .unwrap();
                let bound = bound_box(&net, &[1.0], &constraints, &b, None, f64::INFINITY);
                if let Some((x, _)) = &bound.candidate {
                    assert!(OutputConstraint::all_hold_exactly(
                        &constraints,
                        &net.forward(x)
                    ));
                }
                if bound.lower == f64::INFINITY {
                    ruled_out += 1;
                    assert!(bound.candidate.is_none());
                    for _ in 0..300 {
                        let y = net.forward(&b.sample(&mut rng));
                        assert!(
                            !constraints[0].holds(&y),
                            "seed {seed}: {y:?} in a ruled-out box"
                        );
                    }
                }
            }
        }
        assert!(ruled_out >= 10, "only {ruled_out} boxes ruled out");
    }

    /// Weights at the accepted limit (10¹²) through 27 layers: the products overflow. The
    /// bound is never above a sampled value and never NaN (which would sort the box last and
    /// drop it unproven).
    #[test]
    fn overflowing_products_give_no_false_bound() {
        use crate::network::Layer;
        use crate::network::limits::MAX_MAGNITUDE;
        use ndarray::array;
        let mut chain: Vec<Layer> = (0..27)
            .map(|_| Layer::new(array![[MAX_MAGNITUDE]], array![0.0], Activation::Relu))
            .collect();
        chain.push(Layer::new(array![[1.0]], array![0.0], Activation::Linear));
        let net = Network::new(chain, None).unwrap();
        let b = InputBox::new(vec![-1.0], vec![1.0]).unwrap();
        assert_eq!(net.forward(&[0.5])[0], f64::INFINITY);
        for weight in [1.0, -1.0] {
            let bound = bound_box(&net, &[weight], &[], &b, None, f64::INFINITY);
            assert!(!bound.lower.is_nan(), "weight {weight}");
            for k in 0..=20 {
                let x = -1.0 + 0.1 * k as f64;
                let value = weight * net.forward(&[x])[0];
                assert!(
                    bound.lower <= value,
                    "weight {weight}: {} > {value} at {x}",
                    bound.lower
                );
            }
        }
    }

    /// On a box small enough that every neuron is stable the network is affine there, and the
    /// bound is its exact minimum.
    #[test]
    fn the_bound_is_exact_when_every_neuron_is_stable() {
        let net = random_network_with(&[3, 10, 10, 1], 2, Activation::Relu);
        let x0 = [0.21, -0.33, 0.47];
        let b = InputBox::new(
            x0.iter().map(|v| v - 1e-7).collect(),
            x0.iter().map(|v| v + 1e-7).collect(),
        )
        .unwrap();
        let bound = bound_box(&net, &[1.0], &[], &b, None, f64::INFINITY);
        assert_eq!(bound.unstable, 0);
        let corners = (0..8).map(|k| net.forward(&b.corner(k))[0]);
        let min = corners.fold(f64::INFINITY, f64::min);
        assert!((bound.lower - min).abs() < 1e-9, "{} vs {min}", bound.lower);
    }
}
