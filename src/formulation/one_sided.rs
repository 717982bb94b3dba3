//! One-sided ReLUs: neurons the objective only ever pushes down need no binary.
//!
//! When minimising `cᵀf(x)`, write `sᵢ` for the sign with which neuron `i`'s output `hᵢ`
//! reaches the objective. A ReLU neuron is **one-sided** when raising `hᵢ` above
//! `max(aᵢ, 0)` can never lower the objective:
//!
//! - in the last hidden layer, when `Σₒ cₒ W_{oi} ≥ 0` (its weight in the objective);
//! - in an earlier layer, when every neuron `j` of the next layer that it feeds
//!   (`W_{ji} ≠ 0`) is either constant on the box (stably inactive, or a saturated clipped
//!   ReLU) or itself one-sided with `W_{ji} > 0`.
//!
//! (Maximising is minimising `−cᵀf`.) Such a neuron, if unstable (`L < 0 < U`), is written
//! as its epigraph alone — `h ≥ a`, `0 ≤ h ≤ U`, no binary and no upper rows — instead of
//! big-M's `h ≤ a − L(1 − z)`, `h ≤ U z`, `z ∈ {0, 1}`.
//!
//! Why the optimum is the same: every point of the network, `(x, f(x))` with all its hidden
//! values, is feasible in the smaller model, so its optimum is at most the network's. And
//! from any feasible point of the smaller model, setting every hidden value to the network's
//! own at the same `x` (layer by layer: a one-sided neuron's inputs only fall, so `max(a, 0)`
//! only falls, and the neurons that are not one-sided see no one-sided input at all) lowers
//! no term of the objective: the network's point at that `x` is at least as good. So the
//! optimal `x` of the smaller model is optimal for the network, and the forward pass at it
//! (which every solve checks) gives the optimum.
//!
//! Only for an objective without constraints on the outputs: a constraint pulls both ways.
//! It is a dual reduction that Gurobi's presolve makes on its own (himmelblau_25x3: 68
//! binaries → 54) and HiGHS's does not.
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::interval_bounds;
//! use reluscope::formulation::{Formulation, NetworkModel, Objective, one_sided_neurons};
//! use reluscope::lp::Sense;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // y = relu(x) − relu(−x) = x on [−1, 1]: two unstable neurons, weights +1 and −1.
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0], [-1.0]], array![0.0, 0.0], Activation::Relu),
//!         Layer::new(array![[1.0, -1.0]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![-1.0], vec![1.0])?;
//! let bounds = interval_bounds(&net, &input_box);
//! let minimise = Objective::output(Sense::Minimize, 0, 1)?;
//! // Minimising y pushes the first neuron down (weight +1), not the second (−1).
//! assert_eq!(one_sided_neurons(&net, &bounds, &minimise), vec![vec![true, false]]);
//! let exact = NetworkModel::build(&net, &input_box, &bounds, &minimise)?;
//! let fewer =
//!     NetworkModel::build_one_sided(&net, &input_box, &bounds, &minimise, Formulation::BigM)?;
//! assert_eq!((exact.model.size().binaries, fewer.model.size().binaries), (2, 1));
//! // Every point of the network is still feasible…
//! for x in [-1.0, -0.3, 0.0, 0.6, 1.0] {
//!     let point = fewer.complete_solution(&net, &[x]);
//!     assert!(fewer.model.max_violation(&point) < 1e-12);
//! }
//! // …and the first neuron may now sit above relu(x), which only raises y.
//! // Columns: x, h₁ (one-sided), h₂ and z₂ (big-M), y.
//! let mut above = fewer.complete_solution(&net, &[-0.5]);
//! above[1] += 0.25; // h₁ = 0.25 > relu(−0.5)
//! above[4] += 0.25; // y = h₁ − h₂
//! assert!(fewer.model.max_violation(&above) < 1e-12);
//! assert!(fewer.model.objective_value(&above) > -0.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::AffineExpr;
use super::Objective;
use super::network_model::{ColumnRole, NetworkModel, ReluUnit};
use crate::bounds::NetworkBounds;
use crate::lp::Sense;
use crate::network::{Activation, Network};

/// Per hidden layer, per neuron: whether the objective only pushes the neuron's output down
/// (see the [module](self)). All `false` when `objective` has constraints, when the output
/// layer is not linear, or when `bounds` do not have the network's shape.
pub fn one_sided_neurons(
    network: &Network,
    bounds: &NetworkBounds,
    objective: &Objective,
) -> Vec<Vec<bool>> {
    let hidden = network.hidden_layers();
    let mut one_sided: Vec<Vec<bool>> = hidden.iter().map(|l| vec![false; l.outputs()]).collect();
    let output = network.output_layer();
    let shape_fits = bounds.layers.len() == network.layers().len()
        && bounds
            .layers
            .iter()
            .zip(network.layers())
            .all(|(b, l)| b.len() == l.outputs());
    if hidden.is_empty()
        || !objective.constraints.is_empty()
        || output.activation != Activation::Linear
        || objective.weights.len() != output.outputs()
        || !shape_fits
    {
        return one_sided;
    }
    let sign = match objective.sense {
        Sense::Minimize => 1.0,
        Sense::Maximize => -1.0,
    };
    let last = hidden.len() - 1;
    // The objective's weight on each neuron of the last hidden layer: `Σₒ cₒ W_{oi}`.
    for (i, flag) in one_sided[last].iter_mut().enumerate() {
        let weight: f64 = objective
            .weights
            .iter()
            .zip(output.weights.column(i))
            .map(|(c, w)| sign * c * w)
            .sum();
        *flag = hidden[last].activation == Activation::Relu && weight >= 0.0;
    }
    for k in (0..last).rev() {
        if hidden[k].activation != Activation::Relu {
            continue;
        }
        let next = &hidden[k + 1];
        let next_bounds = &bounds.layers[k + 1];
        let constant: Vec<bool> = (0..next.outputs())
            .map(|j| {
                let (l, u) = (next_bounds.lower[j], next_bounds.upper[j]);
                match next.activation {
                    Activation::ClippedRelu { cap } => u <= 0.0 || l >= cap,
                    _ => u <= 0.0,
                }
            })
            .collect();
        let (done, rest) = one_sided.split_at_mut(k + 1);
        let downstream = &rest[0];
        for (i, flag) in done[k].iter_mut().enumerate() {
            *flag = next
                .weights
                .column(i)
                .iter()
                .enumerate()
                .all(|(j, &w)| w == 0.0 || constant[j] || (downstream[j] && w > 0.0));
        }
    }
    one_sided
}

/// Encodes an unstable `unit` (`l < 0 < u`) by its epigraph `h ≥ a − shift`, `0 ≤ h ≤ u`;
/// returns `h`.
pub(super) fn encode_relu(m: &mut NetworkModel, unit: &ReluUnit) -> AffineExpr {
    let h = m.add_col(
        unit.name("h"),
        0.0,
        unit.u,
        false,
        ColumnRole::Relu {
            layer: unit.layer,
            neuron: unit.neuron,
            shift: unit.shift,
        },
    );
    let ge: Vec<_> = std::iter::once((h, 1.0)).chain(unit.minus_a()).collect();
    m.model
        .add_row(unit.name("ge"), unit.rhs(), f64::INFINITY, &ge);
    AffineExpr::column(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::formulation::{Formulation, OutputConstraint};
    use crate::lp::{SolveControl, SolveOptions, SolveStatus, solve_linear_model};
    use crate::network::tests::random_network_with;

    fn optimum(model: &NetworkModel) -> (f64, Vec<f64>) {
        let options = SolveOptions {
            mip_rel_gap: 1e-9,
            ..SolveOptions::default()
        };
        let solution = solve_linear_model(&model.model, None, &options, &SolveControl::default())
            .expect("HiGHS solves");
        assert_eq!(solution.status, SolveStatus::Optimal);
        let columns = solution.columns.expect("a point");
        (
            solution.objective.expect("a value"),
            model.input_values(&columns),
        )
    }

    /// On random networks (ReLU and clipped ReLU, two to four hidden layers, one or two
    /// outputs, minimised and maximised), the MILP with one-sided neurons has the exact MILP's
    /// optimum, its optimal input attains that optimum in a forward pass, and it drops exactly
    /// the one-sided unstable neurons' binaries — on enough neurons that the test means
    /// something.
    #[test]
    fn one_sided_neurons_keep_the_optimum() {
        let mut dropped = 0;
        let mut earlier = 0;
        let mut cases = 0;
        for seed in 0..24u64 {
            // Narrow later layers make one-sided neurons before the last hidden layer likely.
            let widths: &[usize] = match seed % 6 {
                0 => &[2, 8, 8, 1],
                1 => &[3, 6, 6, 6, 2],
                2 => &[2, 5, 5, 5, 5, 1],
                3 => &[2, 8, 2, 1],
                4 => &[2, 6, 3, 2, 1],
                _ => &[2, 10, 1],
            };
            let activation = if seed % 5 == 4 {
                Activation::ClippedRelu { cap: 0.8 }
            } else {
                Activation::Relu
            };
            let net = random_network_with(widths, seed, activation);
            let input_box = net.input_box().expect("a box").clone();
            let bounds = interval_bounds(&net, &input_box);
            let outputs = net.output_dim();
            let weights = if outputs == 2 {
                vec![1.0, -0.5]
            } else {
                vec![1.0]
            };
            for sense in [Sense::Minimize, Sense::Maximize] {
                let objective = Objective::combination(sense, weights.clone(), outputs).unwrap();
                let exact = NetworkModel::build_with(
                    &net,
                    &input_box,
                    &bounds,
                    &objective,
                    Formulation::BigM,
                )
                .unwrap();
                let fewer = NetworkModel::build_one_sided(
                    &net,
                    &input_box,
                    &bounds,
                    &objective,
                    Formulation::BigM,
                )
                .unwrap();
                let (b_exact, b_fewer) = (exact.model.size().binaries, fewer.model.size().binaries);
                assert_eq!(b_fewer + fewer.one_sided, b_exact, "seed {seed} {sense:?}");
                if activation != Activation::Relu {
                    assert_eq!(
                        fewer.one_sided, 0,
                        "seed {seed}: clipped layers keep binaries"
                    );
                }
                dropped += fewer.one_sided;
                let mask = one_sided_neurons(&net, &bounds, &objective);
                earlier += mask[..mask.len() - 1]
                    .concat()
                    .iter()
                    .filter(|&&f| f)
                    .count();
                let (best, _) = optimum(&exact);
                let (best_fewer, x) = optimum(&fewer);
                let tolerance = 1e-6 * (1.0 + best.abs());
                assert!(
                    (best - best_fewer).abs() <= tolerance,
                    "seed {seed} {sense:?}: {best} vs {best_fewer}"
                );
                let y = net.forward(&x);
                let value: f64 = weights.iter().zip(&y).map(|(c, y)| c * y).sum();
                assert!(
                    (value - best).abs() <= tolerance,
                    "seed {seed} {sense:?}: the forward pass at the optimum gives {value}, not {best}"
                );
                cases += 1;
            }
        }
        assert_eq!(cases, 48);
        assert!(dropped >= 40, "only {dropped} binaries dropped");
        assert!(
            earlier >= 5,
            "only {earlier} one-sided neurons before the last layer"
        );
    }

    /// Constraints on the outputs pull both ways: no neuron is one-sided.
    #[test]
    fn constraints_keep_every_binary() {
        let net = random_network_with(&[2, 8, 8, 1], 3, Activation::Relu);
        let input_box = net.input_box().expect("a box").clone();
        let bounds = interval_bounds(&net, &input_box);
        let free = Objective::output(Sense::Minimize, 0, 1).unwrap();
        assert!(
            one_sided_neurons(&net, &bounds, &free)
                .concat()
                .contains(&true)
        );
        let constrained = free
            .subject_to(vec![OutputConstraint {
                weights: vec![1.0],
                lower: f64::NEG_INFINITY,
                upper: 0.5,
                origin: "cap".into(),
            }])
            .unwrap();
        let mask = one_sided_neurons(&net, &bounds, &constrained);
        assert!(!mask.concat().contains(&true));
    }
}
