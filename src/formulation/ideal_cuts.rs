//! The ideal-formulation inequalities of Anderson et al. (2020) for the big-M encoding of a
//! ReLU, and their linear-time separation.
//!
//! For `h = max(a, 0)` with `a = Σᵢ wᵢxᵢ + b` and each input `xᵢ ∈ [Lᵢ, Uᵢ]`, write
//! `L̆ᵢ = Lᵢ, Ŭᵢ = Uᵢ` if `wᵢ ≥ 0` and `L̆ᵢ = Uᵢ, Ŭᵢ = Lᵢ` otherwise. For every subset `I` of the
//! inputs,
//!
//! `h ≤ Σ_{i∈I} wᵢ (xᵢ − L̆ᵢ (1 − z)) + (b + Σ_{i∉I} wᵢ Ŭᵢ) z`
//!
//! holds at every point of the MILP (`z = 0`: `h = 0 ≤ Σ_{i∈I} wᵢ(xᵢ − L̆ᵢ)`; `z = 1`:
//! `h = a ≤ Σ_{i∈I} wᵢxᵢ + b + Σ_{i∉I} wᵢŬᵢ`), whatever bounds the model was built with, as
//! long as the `[Lᵢ, Uᵢ]` are valid. Together with `h ≥ a`, `h ≥ 0` and `z ∈ [0, 1]` these
//! `2ⁿ` inequalities describe the convex hull of one neuron over its input box — the
//! strongest single-neuron relaxation; the big-M rows are the two cases `I = ∅` and
//! `I = all` (with interval bounds). Given a point `(x*, h*, z*)`, the most violated one takes
//! `i ∈ I` exactly when `wᵢ (x*ᵢ − L̆ᵢ (1 − z*)) < wᵢ Ŭᵢ z*`: one pass over the weights.
//!
//! The inputs `xᵢ` of a neuron are the previous layer's post-activations as the model writes
//! them (a column, a constant, or the difference of a clipped ReLU's two columns), so each cut
//! is a linear row of the model. Each ReLU of a clipped ReLU is cut on its own (its `b` is the
//! bias minus the shift).
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::interval_bounds;
//! use reluscope::formulation::{IdealCuts, NetworkModel, Objective};
//! use reluscope::lp::Sense;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // y = relu(x₀ + x₁ − 0.5) over [0, 1]²: a ∈ [−0.5, 1.5].
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0, 1.0]], array![-0.5], Activation::Relu),
//!         Layer::new(array![[1.0]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![0.0, 0.0], vec![1.0, 1.0])?;
//! let bounds = interval_bounds(&net, &input_box);
//! let milp = NetworkModel::build(&net, &input_box, &bounds, &Objective::output(Sense::Maximize, 0, 1)?)?;
//! let cuts = IdealCuts::new(&net, &input_box, &bounds, &milp);
//! // Columns x₀, x₁, h, z, y. At x = (1, 0), z = ½ the big-M rows allow h = 0.75,
//! // though relu(a) = 0.5 there and the convex hull allows no more.
//! let relaxed = [1.0, 0.0, 0.75, 0.5, 0.75];
//! let mut relaxation = milp.model.clone();
//! relaxation.integer.fill(false);
//! assert!(relaxation.max_violation(&relaxed) < 1e-12);
//! let found = cuts.separate(&relaxed, 1e-9);
//! // I = {1}: h ≤ x₁ + (−0.5 + 1)·z, i.e. 0.75 ≤ 0.25 fails by 0.5.
//! assert_eq!(found.len(), 1);
//! assert!((found[0].violation - 0.5).abs() < 1e-12);
//! // The cut removes the point from the relaxation, and holds at every point of the MILP.
//! relaxation.add_row("cut".into(), f64::NEG_INFINITY, found[0].upper, &found[0].terms);
//! assert!(relaxation.max_violation(&relaxed) > 0.49);
//! let mut with_cut = milp.model.clone();
//! with_cut.add_row("cut".into(), f64::NEG_INFINITY, found[0].upper, &found[0].terms);
//! for x in [[0.0, 0.0], [1.0, 0.0], [0.2, 0.9], [1.0, 1.0], [0.25, 0.25]] {
//!     assert!(with_cut.max_violation(&milp.complete_solution(&net, &x)) < 1e-12);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{AffineExpr, NetworkModel};
use crate::bounds::NetworkBounds;
use crate::lp::Col;
use crate::network::{InputBox, Network};
use std::collections::BTreeMap;

/// The separator of the ideal-formulation cuts of one [`NetworkModel`] (see the
/// [module docs](self)).
#[derive(Debug, Clone)]
pub struct IdealCuts {
    /// Per hidden layer, the inputs of its neurons as the model writes them, with bounds.
    layer_inputs: Vec<Vec<CutInput>>,
    units: Vec<CutUnit>,
}

#[derive(Debug, Clone)]
struct CutInput {
    expr: AffineExpr,
    lower: f64,
    upper: f64,
}

#[derive(Debug, Clone)]
struct CutUnit {
    layer: usize,
    neuron: usize,
    h: Col,
    z: Col,
    /// `(input, wᵢ)` for the nonzero weights.
    weights: Vec<(usize, f64)>,
    /// `b − shift`.
    bias: f64,
}

/// One violated inequality as a row `termsᵀ(columns) ≤ upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct IdealCut {
    /// `(column, coefficient)`, one entry per column.
    pub terms: Vec<(Col, f64)>,
    /// The right-hand side.
    pub upper: f64,
    /// How far the separated point violates it, `termsᵀp − upper > 0`.
    pub violation: f64,
    /// 0-based hidden layer of the neuron.
    pub layer: usize,
    /// 0-based neuron.
    pub neuron: usize,
}

impl IdealCuts {
    /// The separator for every unstable unit of `model`, which was built from `network`,
    /// `input_box` and `bounds`.
    pub fn new(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        model: &NetworkModel,
    ) -> Self {
        let encoded = model.post_activations().len();
        let layer_inputs: Vec<Vec<CutInput>> = (0..encoded)
            .map(|k| {
                let exprs = model.layer_inputs(k).unwrap_or_default();
                let (lower, upper): (Vec<f64>, Vec<f64>) = match k.checked_sub(1) {
                    None => (input_box.lower().to_vec(), input_box.upper().to_vec()),
                    Some(j) => {
                        let activation = network.layers()[j].activation;
                        let b = &bounds.layers[j];
                        b.lower
                            .iter()
                            .zip(&b.upper)
                            .map(|(&l, &u)| activation.apply_interval(l, u))
                            .unzip()
                    }
                };
                exprs
                    .into_iter()
                    .zip(lower.into_iter().zip(upper))
                    .map(|(expr, (lower, upper))| CutInput { expr, lower, upper })
                    .collect()
            })
            .collect();
        let units = model
            .unstable_units()
            .iter()
            .map(|unit| {
                let layer = &network.layers()[unit.layer];
                CutUnit {
                    layer: unit.layer,
                    neuron: unit.neuron,
                    h: unit.h,
                    z: unit.z,
                    weights: layer
                        .weights
                        .row(unit.neuron)
                        .iter()
                        .enumerate()
                        .filter(|(_, w)| **w != 0.0)
                        .map(|(i, &w)| (i, w))
                        .collect(),
                    bias: layer.bias[unit.neuron] - unit.shift,
                }
            })
            .collect();
        Self {
            layer_inputs,
            units,
        }
    }

    /// Number of neurons (ReLU units) the separator can cut.
    pub fn units(&self) -> usize {
        self.units.len()
    }

    /// For each unit, the most violated inequality at `point` (a value per model column) if
    /// it is violated by more than `min_violation`.
    pub fn separate(&self, point: &[f64], min_violation: f64) -> Vec<IdealCut> {
        self.units
            .iter()
            .filter_map(|unit| self.most_violated(unit, point, min_violation))
            .collect()
    }

    fn most_violated(&self, unit: &CutUnit, point: &[f64], min_violation: f64) -> Option<IdealCut> {
        let inputs = &self.layer_inputs[unit.layer];
        let z = point[unit.z];
        let h = point[unit.h];
        // rhs = Σ_{I} wᵢ xᵢ − Σ_{I} wᵢ L̆ᵢ + z · coef_z
        let mut in_set = Vec::new();
        let mut coef_z = unit.bias;
        let mut constant = 0.0;
        let mut value = 0.0;
        for &(i, w) in &unit.weights {
            let input = &inputs[i];
            let (low, high) = if w >= 0.0 {
                (input.lower, input.upper)
            } else {
                (input.upper, input.lower)
            };
            let x = evaluate(&input.expr, point);
            if w * (x - low * (1.0 - z)) < w * high * z {
                in_set.push((i, w));
                coef_z += w * low;
                constant -= w * low;
                value += w * x;
            } else {
                coef_z += w * high;
            }
        }
        let violation = h - (value + constant + coef_z * z);
        if violation.is_nan() || violation <= min_violation {
            return None;
        }
        // Row: h − Σ_{I} wᵢ xᵢ − coef_z · z ≤ constant, with xᵢ's constants moved right.
        let mut terms: BTreeMap<Col, f64> = BTreeMap::new();
        *terms.entry(unit.h).or_default() += 1.0;
        *terms.entry(unit.z).or_default() -= coef_z;
        let mut upper = constant;
        for &(i, w) in &in_set {
            let expr = &inputs[i].expr;
            upper += w * expr.constant;
            for &(c, v) in &expr.terms {
                *terms.entry(c).or_default() -= w * v;
            }
        }
        Some(IdealCut {
            terms: terms.into_iter().filter(|&(_, v)| v != 0.0).collect(),
            upper,
            violation,
            layer: unit.layer,
            neuron: unit.neuron,
        })
    }
}

fn evaluate(expr: &AffineExpr, point: &[f64]) -> f64 {
    expr.constant + expr.terms.iter().map(|&(c, v)| v * point[c]).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::formulation::Objective;
    use crate::lp::Sense;
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use rand::{Rng, SeedableRng};

    /// Every cut found at any point — feasible or not — holds at every point of the MILP
    /// (the complete solution of a sampled input), for both activations.
    #[test]
    fn cuts_separated_anywhere_hold_at_every_network_point() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.5 }),
            (3, Activation::Relu),
        ] {
            let net = random_network_with(&[3, 10, 10, 1], seed, act);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
            let m = NetworkModel::build(&net, &b, &bounds, &objective).unwrap();
            let cuts = IdealCuts::new(&net, &b, &bounds, &m);
            assert_eq!(cuts.units(), m.model.size().binaries);
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            let points: Vec<Vec<f64>> = (0..200)
                .map(|_| m.complete_solution(&net, &b.sample(&mut rng)))
                .collect();
            let mut found = 0;
            for _ in 0..200 {
                // A random point of the columns' box: violated cuts galore.
                let p: Vec<f64> = (0..m.model.num_cols())
                    .map(|j| {
                        let (lo, hi) = (m.model.col_lower[j], m.model.col_upper[j]);
                        let (lo, hi) = (lo.max(-10.0), hi.min(10.0));
                        lo + rng.random::<f64>() * (hi - lo)
                    })
                    .collect();
                for cut in cuts.separate(&p, 1e-9) {
                    found += 1;
                    let at = |q: &[f64]| cut.terms.iter().map(|&(c, v)| v * q[c]).sum::<f64>();
                    assert!((at(&p) - cut.upper - cut.violation).abs() < 1e-9);
                    for q in &points {
                        assert!(
                            at(q) <= cut.upper + 1e-9 * (1.0 + cut.upper.abs()),
                            "{act:?}: a cut of layer {} neuron {} cuts off a network point",
                            cut.layer + 1,
                            cut.neuron
                        );
                    }
                }
            }
            assert!(found > 100, "{act:?}: only {found} cuts");
        }
    }
}
