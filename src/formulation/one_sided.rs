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
//! Constraints on the outputs take part the same way: lowering every one-sided value must
//! keep each satisfied, so a constraint `wᵀy ≤ u` asks that the neuron raise `wᵀy` (or leave
//! it), `wᵀy ≥ l` that it lower it, and a two-sided one that the neuron not reach it at all
//! (`Σₒ wₒW_{oi} = 0`, as for a constraint on another network of a stacked problem). For a
//! feasibility question (`c = 0`), the constraints alone decide. A point of the smaller
//! model that satisfies the constraints then maps to the network's own point at the same
//! `x`, which satisfies them too: feasibility and the optimum are the network's.
//!
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

use super::Objective;
use super::network_model::{ColumnRole, NetworkModel, ReluUnit};
use crate::bounds::NetworkBounds;
use crate::lp::{Col, Sense};
use crate::network::{Activation, Network};

/// Per hidden layer, per neuron: whether the objective and the constraints only push the
/// neuron's output down (see the [module](self)). All `false` when the output layer is not
/// linear, or when `bounds` do not have the network's shape.
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
    // Output combinations a one-sided neuron may only raise: the objective (minimised) and
    // each one-sided constraint written as `dᵀy ≤ side`; and those it must not reach.
    let mut raise: Vec<Vec<f64>> = vec![objective.weights.iter().map(|c| sign * c).collect()];
    let mut untouched: Vec<&[f64]> = Vec::new();
    for c in &objective.constraints {
        if c.weights.len() != output.outputs() {
            return one_sided;
        }
        match (c.lower.is_finite(), c.upper.is_finite()) {
            (true, true) => untouched.push(&c.weights),
            (false, true) => raise.push(c.weights.clone()),
            (true, false) => raise.push(c.weights.iter().map(|w| -w).collect()),
            (false, false) => {}
        }
    }
    let last = hidden.len() - 1;
    for (i, flag) in one_sided[last].iter_mut().enumerate() {
        // `Σₒ dₒ W_{oi}`: how neuron `i` moves `dᵀy`.
        let effect = |d: &[f64]| -> f64 {
            d.iter()
                .zip(output.weights.column(i))
                .map(|(d, w)| d * w)
                .sum()
        };
        *flag = hidden[last].activation == Activation::Relu
            && raise.iter().all(|d| effect(d) >= 0.0)
            && untouched.iter().all(|d| effect(d) == 0.0);
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
                    Activation::Relu => u <= 0.0,
                    Activation::ClippedRelu { cap } => u <= 0.0 || l >= cap,
                    // Never a hidden layer (`Network::new` composes it away), never constant.
                    Activation::Linear => false,
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

/// Writes an unstable `unit` (`l < 0 < u`) by its epigraph: the column `h ∈ [0, u]` and the
/// row `h ≥ a − shift`; returns `h`. The one-sided encoding as it is, and the first half of
/// the [triangle](super::triangle).
pub(super) fn epigraph(m: &mut NetworkModel, unit: &ReluUnit) -> Col {
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
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::formulation::{Formulation, OutputConstraint};
    use crate::lp::{SolveControl, SolveOptions, SolveStatus, solve_linear_model};
    use crate::network::tests::random_network_with;

    /// The model's optimum and optimal input, or `None` when it is infeasible.
    fn optimum(model: &NetworkModel) -> Option<(f64, Vec<f64>)> {
        let options = SolveOptions {
            mip_rel_gap: 1e-9,
            ..SolveOptions::default()
        };
        let solution = solve_linear_model(&model.model, None, &options, &SolveControl::default())
            .expect("HiGHS solves");
        if solution.status == SolveStatus::Infeasible {
            return None;
        }
        assert_eq!(solution.status, SolveStatus::Optimal);
        let columns = solution.columns.expect("a point");
        Some((
            solution.objective.expect("a value"),
            model.input_values(&columns),
        ))
    }

    /// Solves `objective` with every binary and with one-sided neurons: the same answer
    /// (infeasible, or the same optimum attained by a forward pass at the one-sided optimum,
    /// which satisfies every constraint) and exactly the one-sided neurons' binaries fewer.
    /// Returns the one-sided neurons.
    fn agree(net: &Network, objective: &Objective, case: &str) -> usize {
        let input_box = net.input_box().expect("a box").clone();
        let bounds = interval_bounds(net, &input_box);
        let build = |one_sided: bool| {
            let build = if one_sided {
                NetworkModel::build_one_sided
            } else {
                NetworkModel::build_with
            };
            build(net, &input_box, &bounds, objective, Formulation::BigM).unwrap()
        };
        let (exact, fewer) = (build(false), build(true));
        let binaries = |m: &NetworkModel| m.model.size().binaries;
        assert_eq!(
            binaries(&fewer) + fewer.one_sided,
            binaries(&exact),
            "{case}"
        );
        match (optimum(&exact), optimum(&fewer)) {
            (None, None) => {}
            (Some((best, _)), Some((best_fewer, x))) => {
                let tolerance = 1e-6 * (1.0 + best.abs());
                assert!(
                    (best - best_fewer).abs() <= tolerance,
                    "{case}: {best} vs {best_fewer}"
                );
                let y = net.forward(&x);
                let value: f64 = objective.weights.iter().zip(&y).map(|(c, y)| c * y).sum();
                assert!(
                    (value - best).abs() <= tolerance,
                    "{case}: the forward pass at the optimum gives {value}, not {best}"
                );
                for c in &objective.constraints {
                    assert!(c.violation(&y) <= 1e-6, "{case}: {y:?} violates {c:?}");
                }
            }
            (a, b) => panic!("{case}: {a:?} with every binary, {b:?} one-sided"),
        }
        fewer.one_sided
    }

    /// On random networks (ReLU and clipped ReLU, one to four hidden layers, one or two
    /// outputs), minimised and maximised, free and under a cap, a floor or a band around the
    /// centre's value, and as feasibility questions below the minimum (infeasible) and above
    /// it: the MILP with one-sided neurons gives the exact MILP's answer — on enough
    /// one-sided neurons, also before the last layer, that the test means something.
    #[test]
    fn one_sided_neurons_keep_the_answer() {
        let (mut dropped, mut earlier, mut infeasible, mut cases) = (0, 0, 0, 0);
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
            let outputs = net.output_dim();
            let weights = if outputs == 2 {
                vec![1.0, -0.5]
            } else {
                vec![1.0]
            };
            let bounds = interval_bounds(&net, net.input_box().unwrap());
            // Constraints on the last output, around its value at the centre.
            let centre = net.forward(&net.input_box().unwrap().center())[outputs - 1];
            let mut on_last = vec![0.0; outputs];
            on_last[outputs - 1] = 1.0;
            let constraint = |lower: f64, upper: f64| OutputConstraint {
                weights: on_last.clone(),
                lower,
                upper,
                origin: "test".into(),
            };
            let sides = [
                (f64::NEG_INFINITY, centre),
                (centre, f64::INFINITY),
                (centre - 0.05, centre + 0.05),
            ];
            for sense in [Sense::Minimize, Sense::Maximize] {
                let free = Objective::combination(sense, weights.clone(), outputs).unwrap();
                let case = format!("seed {seed} {sense:?}");
                let n = agree(&net, &free, &case);
                if activation != Activation::Relu {
                    assert_eq!(n, 0, "{case}: clipped layers keep binaries");
                }
                dropped += n;
                let mask = one_sided_neurons(&net, &bounds, &free);
                earlier += mask[..mask.len() - 1]
                    .concat()
                    .iter()
                    .filter(|&&f| f)
                    .count();
                for (lower, upper) in sides {
                    let objective = free
                        .clone()
                        .subject_to(vec![constraint(lower, upper)])
                        .unwrap();
                    dropped += agree(&net, &objective, &format!("{case} [{lower}, {upper}]"));
                }
                cases += 1;
            }
            // Feasibility: `y ≤ t` below the minimum of the last output has no point.
            let minimise_last =
                Objective::combination(Sense::Minimize, on_last.clone(), outputs).unwrap();
            let input_box = net.input_box().unwrap().clone();
            let exact = NetworkModel::build(&net, &input_box, &bounds, &minimise_last).unwrap();
            let (least, _) = optimum(&exact).expect("a minimum");
            for (t, feasible) in [(least - 0.01, false), (least + 0.01, true)] {
                let question =
                    Objective::feasibility(vec![constraint(f64::NEG_INFINITY, t)], outputs)
                        .unwrap();
                let case = format!("seed {seed}: y ≤ {t}");
                dropped += agree(&net, &question, &case);
                let answer = optimum(
                    &NetworkModel::build_one_sided(
                        &net,
                        &input_box,
                        &bounds,
                        &question,
                        Formulation::BigM,
                    )
                    .unwrap(),
                );
                assert_eq!(answer.is_some(), feasible, "{case}");
                infeasible += usize::from(!feasible);
            }
        }
        assert_eq!((cases, infeasible), (48, 24));
        assert!(dropped >= 100, "only {dropped} binaries dropped");
        assert!(
            earlier >= 5,
            "only {earlier} one-sided neurons before the last layer"
        );
    }

    /// A cap `y ≤ u` pushes the same way as minimising `y`; a floor `y ≥ l` the other way; a
    /// band `l ≤ y ≤ u` (or the floor with the objective) leaves no neuron of a one-output
    /// network one-sided, unless it does not reach `y` at all.
    #[test]
    fn constraints_take_part_by_their_direction() {
        let net = random_network_with(&[2, 8, 8, 1], 3, Activation::Relu);
        let input_box = net.input_box().expect("a box").clone();
        let bounds = interval_bounds(&net, &input_box);
        let flagged = |objective: &Objective| one_sided_neurons(&net, &bounds, objective);
        let constraint = |lower: f64, upper: f64| OutputConstraint {
            weights: vec![1.0],
            lower,
            upper,
            origin: "test".into(),
        };
        let free = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let with = |c: OutputConstraint| free.clone().subject_to(vec![c]).unwrap();
        let feasibility = |c: OutputConstraint| Objective::feasibility(vec![c], 1).unwrap();
        let base = flagged(&free);
        assert!(base.concat().contains(&true));
        assert_eq!(flagged(&with(constraint(f64::NEG_INFINITY, 0.5))), base);
        assert_eq!(
            flagged(&feasibility(constraint(f64::NEG_INFINITY, 0.5))),
            base
        );
        let maximise = Objective::output(Sense::Maximize, 0, 1).unwrap();
        assert_eq!(
            flagged(&feasibility(constraint(0.5, f64::INFINITY))),
            flagged(&maximise)
        );
        // The objective and a floor pull apart, as does a band: only neurons that do not
        // reach y through the last layer (a zero weight) stay one-sided there.
        let zero_weight: Vec<bool> = net
            .output_layer()
            .weights
            .row(0)
            .iter()
            .map(|&w| w == 0.0)
            .collect();
        for objective in [
            with(constraint(0.5, f64::INFINITY)),
            with(constraint(0.0, 0.5)),
        ] {
            assert_eq!(flagged(&objective).last().unwrap(), &zero_weight);
        }
    }
}
