//! The model of a network over a box: columns for inputs, hidden outputs and outputs, with
//! the bookkeeping to map points both ways. Each unstable unit is written by its
//! [`Encoding`]'s module ([`super::big_m`], [`super::triangle`]).

use super::{FormulationError, Objective, big_m, one_sided, partition, triangle};
use crate::bounds::{LayerBounds, NetworkBounds};
use crate::lp::{Col, LinearModel};
use crate::network::{Activation, InputBox, Layer, Network, NetworkError, limits};

/// An affine expression `Σ coef·column + constant` in the model's columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AffineExpr {
    /// `(column, coefficient)` pairs.
    pub terms: Vec<(Col, f64)>,
    /// The constant.
    pub constant: f64,
}

impl AffineExpr {
    pub(super) fn constant(value: f64) -> Self {
        Self {
            terms: Vec::new(),
            constant: value,
        }
    }

    pub(super) fn column(col: Col) -> Self {
        Self {
            terms: vec![(col, 1.0)],
            constant: 0.0,
        }
    }
}

/// How unstable neurons are encoded (see the [module table](super)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Big-M with binary `z`: the exact MILP ([`super::big_m`]).
    BigM,
    /// The triangle relaxation ([`super::triangle`]): the big-M LP relaxation projected onto
    /// `(x, h)`, without pre-activation columns — each row carries the expression `wᵀh + b`
    /// itself, so the only columns are `x` and the unstable `h`; the form
    /// [`crate::lp::DenseSimplex`] wants (its cost grows with the square of the columns).
    Triangle,
    /// The partition-based MILP ([`super::partition`]) with `parts` groups per neuron.
    Partition {
        /// Groups per neuron.
        parts: usize,
    },
}

/// How the exact MILP encodes unstable ReLUs (`--formulation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Formulation {
    /// Big-M ([`super::big_m`]): one binary, three rows per unstable neuron.
    #[default]
    BigM,
    /// Partition-based ([`super::partition`]) with `parts` groups of inputs per neuron.
    Partition {
        /// Groups per neuron (at least 1).
        parts: usize,
    },
}

impl Formulation {
    /// The name on the command line: `bigm` or `partition:N`.
    pub fn key(self) -> String {
        match self {
            Formulation::BigM => "bigm".into(),
            Formulation::Partition { parts } => format!("partition:{parts}"),
        }
    }

    /// Reads [`Formulation::key`]'s form; `partition` alone means two groups.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "bigm" => Ok(Formulation::BigM),
            None if text == "partition" => Ok(Formulation::Partition { parts: 2 }),
            Some(("partition", n)) => match n.parse::<usize>() {
                Ok(parts) if (1..=1024).contains(&parts) => Ok(Formulation::Partition { parts }),
                _ => Err(format!(
                    "partition:{n}: the number of groups must be a whole number from 1 to 1024"
                )),
            },
            _ => Err(format!(
                "unknown formulation '{text}' (known: bigm, partition:N)"
            )),
        }
    }

    fn encoding(self) -> Encoding {
        match self {
            Formulation::BigM => Encoding::BigM,
            Formulation::Partition { parts } => Encoding::Partition { parts },
        }
    }
}

/// What a column stands for, so that a forward pass of the network can fill it in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum ColumnRole {
    /// Network input `i`.
    Input(usize),
    /// `a − shift` of hidden neuron (layer, neuron), where it is known to be ≥ 0.
    Linear {
        layer: usize,
        neuron: usize,
        shift: f64,
    },
    /// `max(a − shift, 0)`.
    Relu {
        layer: usize,
        neuron: usize,
        shift: f64,
    },
    /// `1` if `a − shift > 0`, else `0`.
    Indicator {
        layer: usize,
        neuron: usize,
        shift: f64,
    },
    /// Network output `j`.
    Output(usize),
    /// The active part `vₙ = z·sₙ` of a partial sum of the partition encoding: entry `group`
    /// of `NetworkModel::active_parts`.
    ActivePart { group: usize },
}

/// A network over a box as a linear model — the big-M MILP or its triangle relaxation — with
/// the bookkeeping to map points both ways.
#[derive(Debug, Clone)]
pub struct NetworkModel {
    /// The MILP itself.
    pub model: LinearModel,
    roles: Vec<ColumnRole>,
    input_cols: Vec<Col>,
    /// Post-activation of every neuron of the encoded hidden layers.
    post: Vec<Vec<AffineExpr>>,
    output_cols: Vec<Col>,
    /// Binary variables added per hidden layer.
    pub binaries_per_layer: Vec<usize>,
    /// Unstable neurons written one-sided, without a binary ([`super::one_sided`]).
    pub one_sided: usize,
    /// The ReLU units written with a binary, in the order they were added.
    unstable_units: Vec<UnstableUnit>,
    /// Per active-part column of the partition encoding: its binary and partial sum's terms.
    pub(super) active_parts: Vec<(Col, Vec<(Col, f64)>)>,
}

/// The columns of one ReLU written with a binary by the big-M encoding:
/// `h = max(a − shift, 0)` of hidden neuron `neuron` of layer `layer + 1`, with `z = [a > shift]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnstableUnit {
    /// 0-based hidden layer.
    pub layer: usize,
    /// 0-based neuron.
    pub neuron: usize,
    /// `0` for a ReLU and for the first ReLU of a clipped ReLU, the cap `c` for its second.
    pub shift: f64,
    /// The column `h`.
    pub h: Col,
    /// The binary column `z`.
    pub z: Col,
}

impl NetworkModel {
    /// The full MILP: inputs, every hidden layer, the outputs and `objective`.
    ///
    /// `bounds` must hold one [`LayerBounds`] per layer of `network` (output last).
    pub fn build(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        objective: &Objective,
    ) -> Result<Self, FormulationError> {
        Self::build_with(network, input_box, bounds, objective, Formulation::BigM)
    }

    /// [`NetworkModel::build`] with another [`Formulation`] of the unstable neurons.
    pub fn build_with(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        objective: &Objective,
        formulation: Formulation,
    ) -> Result<Self, FormulationError> {
        Self::build_full(network, input_box, bounds, objective, formulation, None)
    }

    /// [`NetworkModel::build_with`], but the neurons the objective only pushes down are
    /// written one-sided, without a binary ([`super::one_sided`]): the same optimum, and the
    /// same optimal inputs (or the same infeasibility under the objective's constraints),
    /// with fewer binaries.
    pub fn build_one_sided(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        objective: &Objective,
        formulation: Formulation,
    ) -> Result<Self, FormulationError> {
        // A mask of the wrong shape is all `false`; `build_full` then reports the mismatch.
        let mask = one_sided::one_sided_neurons(network, bounds, objective);
        Self::build_full(
            network,
            input_box,
            bounds,
            objective,
            formulation,
            Some(&mask),
        )
    }

    fn build_full(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        objective: &Objective,
        formulation: Formulation,
        one_sided: Option<&[Vec<bool>]>,
    ) -> Result<Self, FormulationError> {
        check_bounds_shape(network, &bounds.layers)?;
        objective.check_fits(network.output_dim())?;
        let mut m = Self::build_layers(
            network,
            input_box,
            bounds.hidden(),
            formulation.encoding(),
            one_sided,
        )?;
        let output = network.output_layer();
        let pre = m.next_preactivations(output);
        for (j, expr) in pre.iter().enumerate() {
            let y = m.add_col(
                format!("y_{j}"),
                f64::NEG_INFINITY,
                f64::INFINITY,
                false,
                ColumnRole::Output(j),
            );
            let mut terms = vec![(y, 1.0)];
            terms.extend(expr.terms.iter().map(|&(c, v)| (c, -v)));
            m.model
                .add_row(format!("out_{j}"), expr.constant, expr.constant, &terms);
            m.model.cost[y] = objective.weights[j];
            m.output_cols.push(y);
        }
        for (i, c) in objective.constraints.iter().enumerate() {
            // Normalised: HiGHS's absolute row tolerance then means the same for every row.
            let c = c.normalized();
            let terms: Vec<(Col, f64)> = m
                .output_cols
                .iter()
                .zip(&c.weights)
                .filter(|(_, w)| **w != 0.0)
                .map(|(&y, &w)| (y, w))
                .collect();
            m.model
                .add_row(format!("constraint_{i}"), c.lower, c.upper, &terms);
        }
        m.model.sense = Some(objective.sense);
        Ok(m)
    }

    /// The inputs and the first `hidden_bounds.len()` hidden layers, no objective.
    pub fn build_prefix(
        network: &Network,
        input_box: &InputBox,
        hidden_bounds: &[LayerBounds],
        encoding: Encoding,
    ) -> Result<Self, FormulationError> {
        Self::build_layers(network, input_box, hidden_bounds, encoding, None)
    }

    /// [`NetworkModel::build_prefix`], with the unstable neurons flagged in `one_sided`
    /// written one-sided.
    fn build_layers(
        network: &Network,
        input_box: &InputBox,
        hidden_bounds: &[LayerBounds],
        encoding: Encoding,
        one_sided: Option<&[Vec<bool>]>,
    ) -> Result<Self, FormulationError> {
        if input_box.dim() != network.input_dim() {
            return Err(FormulationError::Network(NetworkError::BoxDimension {
                expected: network.input_dim(),
                found: input_box.dim(),
            }));
        }
        let mut m = Self {
            model: LinearModel::new(),
            roles: Vec::new(),
            input_cols: Vec::new(),
            post: Vec::new(),
            output_cols: Vec::new(),
            binaries_per_layer: Vec::new(),
            one_sided: 0,
            unstable_units: Vec::new(),
            active_parts: Vec::new(),
        };
        for i in 0..input_box.dim() {
            let col = m.add_col(
                format!("x_{i}"),
                input_box.lower()[i],
                input_box.upper()[i],
                false,
                ColumnRole::Input(i),
            );
            m.input_cols.push(col);
        }
        for (k, b) in hidden_bounds.iter().enumerate() {
            let layer = network
                .layers()
                .get(k)
                .filter(|_| k + 1 < network.layers().len());
            let Some(layer) = layer else {
                return Err(FormulationError::BoundsShape(format!(
                    "bounds for {} hidden layers but the network has {}",
                    hidden_bounds.len(),
                    network.hidden_layers().len()
                )));
            };
            // Only bounds that enter the model count: a stably inactive neuron (`U ≤ 0`) is the
            // constant 0, whatever its (possibly loose) lower bound.
            if let Some((neuron, value)) = b
                .lower
                .iter()
                .zip(&b.upper)
                .enumerate()
                .filter(|&(_, (_, &u))| u > 0.0)
                .flat_map(|(i, (&l, &u))| [(i, l), (i, u)])
                .find(|&(_, v)| !limits::admissible(v))
            {
                return Err(FormulationError::BoundTooLarge {
                    layer: k + 1,
                    neuron,
                    value,
                });
            }
            if b.len() != layer.outputs() {
                return Err(FormulationError::BoundsShape(format!(
                    "layer {}: {} bounds for {} neurons",
                    k + 1,
                    b.len(),
                    layer.outputs()
                )));
            }
            let mask = one_sided.and_then(|masks| masks.get(k)).map(Vec::as_slice);
            m.add_hidden_layer(k, layer, b, encoding, mask);
        }
        Ok(m)
    }

    pub(super) fn add_col(
        &mut self,
        name: String,
        lower: f64,
        upper: f64,
        integer: bool,
        role: ColumnRole,
    ) -> Col {
        self.roles.push(role);
        self.model.add_column(name, lower, upper, integer)
    }

    /// Pre-activations `Wh + b` of `layer` applied to the last encoded layer, as expressions.
    pub fn next_preactivations(&self, layer: &Layer) -> Vec<AffineExpr> {
        self.preactivations_at(self.post.len(), layer)
    }

    /// Pre-activations `Wh + b` of `layer` applied to encoded hidden layer `k − 1` (to the
    /// inputs for `k = 0`), as expressions: the objectives of bound tightening over a model
    /// that encodes the layers after `k` too.
    pub fn preactivations_at(&self, k: usize, layer: &Layer) -> Vec<AffineExpr> {
        let inputs = self
            .layer_inputs(k)
            .or_else(|| self.layer_inputs(0))
            .unwrap_or_default();
        affine_map(layer, &inputs)
    }

    /// Adds `lower ≤ wᵀ(W h + b) ≤ upper` for each constraint, with `W h + b` the output
    /// layer applied to the last encoded hidden layer: the constraints as rows without
    /// output columns (the form the LP relaxation of bound tightening wants).
    pub fn add_output_constraints(
        &mut self,
        output_layer: &Layer,
        constraints: &[crate::formulation::OutputConstraint],
    ) {
        let outputs = self.next_preactivations(output_layer);
        for (i, c) in constraints.iter().enumerate() {
            let c = c.normalized();
            let mut terms = Vec::new();
            let mut constant = 0.0;
            for (expr, &w) in outputs.iter().zip(&c.weights) {
                if w == 0.0 {
                    continue;
                }
                constant += w * expr.constant;
                terms.extend(expr.terms.iter().map(|&(col, v)| (col, w * v)));
            }
            self.model.add_row(
                format!("constraint_{i}"),
                c.lower - constant,
                c.upper - constant,
                &terms,
            );
        }
    }

    fn add_hidden_layer(
        &mut self,
        k: usize,
        layer: &Layer,
        bounds: &LayerBounds,
        encoding: Encoding,
        one_sided: Option<&[bool]>,
    ) {
        let pre = self.next_preactivations(layer);
        let mut binaries = 0;
        let mut post = Vec::with_capacity(pre.len());
        for (i, a) in pre.iter().enumerate() {
            let (l, u) = (bounds.lower[i], bounds.upper[i]);
            let unit = |m: &mut Self, shift: f64, tag: &str| {
                m.add_relu_unit(k, i, a, shift, l - shift, u - shift, encoding, tag)
            };
            let expr = match layer.activation {
                Activation::ClippedRelu { cap } if l >= cap => AffineExpr::constant(cap),
                Activation::ClippedRelu { cap } => {
                    let (p, zp) = unit(self, 0.0, "");
                    let (q, zq) = unit(self, cap, "q");
                    if let (Some(zp), Some(zq)) = (zp, zq) {
                        self.model.add_row(
                            format!("zq_le_z_{}_{i}", k + 1),
                            f64::NEG_INFINITY,
                            0.0,
                            &[(zq, 1.0), (zp, -1.0)],
                        );
                    }
                    binaries += usize::from(zp.is_some()) + usize::from(zq.is_some());
                    let mut expr = p;
                    expr.constant -= q.constant;
                    expr.terms.extend(q.terms.iter().map(|&(c, v)| (c, -v)));
                    expr
                }
                _ if l < 0.0
                    && u > 0.0
                    && encoding != Encoding::Triangle
                    && one_sided.is_some_and(|mask| mask.get(i) == Some(&true)) =>
                {
                    self.one_sided += 1;
                    let relu = ReluUnit {
                        layer: k,
                        neuron: i,
                        a,
                        shift: 0.0,
                        l,
                        u,
                        tag: "",
                    };
                    AffineExpr::column(one_sided::epigraph(self, &relu))
                }
                _ => {
                    let (h, z) = unit(self, 0.0, "");
                    binaries += usize::from(z.is_some());
                    h
                }
            };
            post.push(expr);
        }
        self.post.push(post);
        self.binaries_per_layer.push(binaries);
    }

    /// Encodes `h = max(a − shift, 0)` where `a − shift ∈ [l, u]`; returns `h` and its binary.
    #[allow(clippy::too_many_arguments)]
    fn add_relu_unit(
        &mut self,
        k: usize,
        i: usize,
        a: &AffineExpr,
        shift: f64,
        l: f64,
        u: f64,
        encoding: Encoding,
        tag: &str,
    ) -> (AffineExpr, Option<Col>) {
        if u <= 0.0 {
            return (AffineExpr::constant(0.0), None);
        }
        let unit = ReluUnit {
            layer: k,
            neuron: i,
            a,
            shift,
            l,
            u,
            tag,
        };
        match encoding {
            Encoding::BigM | Encoding::Partition { .. } => {
                let (h, z) = match encoding {
                    Encoding::Partition { parts } => partition::encode_relu(self, &unit, parts),
                    _ => big_m::encode_relu(self, &unit),
                };
                if let (Some(z), [(h, _)]) = (z, h.terms.as_slice()) {
                    self.unstable_units.push(UnstableUnit {
                        layer: k,
                        neuron: i,
                        shift,
                        h: *h,
                        z,
                    });
                }
                (h, z)
            }
            Encoding::Triangle => (triangle::encode_relu(self, &unit), None),
        }
    }

    /// The ReLUs written with a binary (unstable neurons; two per clipped ReLU that can
    /// reach both breakpoints), in the order they were added.
    pub fn unstable_units(&self) -> &[UnstableUnit] {
        &self.unstable_units
    }

    /// The expressions the inputs of hidden layer `k` (0-based) are in the model: the input
    /// columns for `k = 0`, the post-activations of layer `k − 1` after it. `None` if layer
    /// `k − 1` is not encoded.
    pub fn layer_inputs(&self, k: usize) -> Option<Vec<AffineExpr>> {
        match k.checked_sub(1) {
            None => Some(
                self.input_cols
                    .iter()
                    .map(|&c| AffineExpr::column(c))
                    .collect(),
            ),
            Some(j) => self.post.get(j).cloned(),
        }
    }

    /// The input columns `x`.
    pub fn input_columns(&self) -> &[Col] {
        &self.input_cols
    }

    /// The output columns `y` (empty for a prefix model).
    pub fn output_columns(&self) -> &[Col] {
        &self.output_cols
    }

    /// Post-activation expressions of the encoded hidden layers.
    pub fn post_activations(&self) -> &[Vec<AffineExpr>] {
        &self.post
    }

    /// The input part `x` of a solution vector.
    pub fn input_values(&self, solution: &[f64]) -> Vec<f64> {
        self.input_cols.iter().map(|&c| solution[c]).collect()
    }

    /// The complete MILP solution that corresponds to input `x`: every column from a
    /// forward pass. Used as a MIP start, and to check the formulation.
    pub fn complete_solution(&self, network: &Network, x: &[f64]) -> Vec<f64> {
        let pre = network.preactivations(x);
        let output = network.forward(x);
        let mut values: Vec<f64> = self
            .roles
            .iter()
            .map(|role| match *role {
                ColumnRole::Input(i) => x[i],
                ColumnRole::Linear {
                    layer,
                    neuron,
                    shift,
                } => pre[layer][neuron] - shift,
                ColumnRole::Relu {
                    layer,
                    neuron,
                    shift,
                } => (pre[layer][neuron] - shift).max(0.0),
                ColumnRole::Indicator {
                    layer,
                    neuron,
                    shift,
                } => {
                    if pre[layer][neuron] - shift > 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                }
                ColumnRole::Output(j) => output[j],
                // Filled in below, from the columns it sums.
                ColumnRole::ActivePart { .. } => 0.0,
            })
            .collect();
        for (col, role) in self.roles.iter().enumerate() {
            if let ColumnRole::ActivePart { group } = *role {
                let (z, terms) = &self.active_parts[group];
                let sum: f64 = terms.iter().map(|&(c, w)| w * values[c]).sum();
                values[col] = values[*z] * sum;
            }
        }
        values
    }
}

/// One ReLU to encode: `h = max(a − shift, 0)` of hidden neuron `neuron` of layer
/// `layer + 1`, where `a − shift ∈ [l, u]` and `u > 0`; `tag` tells the two ReLUs of a
/// clipped ReLU apart in names.
pub(super) struct ReluUnit<'a> {
    pub layer: usize,
    pub neuron: usize,
    pub a: &'a AffineExpr,
    pub shift: f64,
    pub l: f64,
    pub u: f64,
    pub tag: &'a str,
}

impl ReluUnit<'_> {
    /// `−a`'s terms, for rows written as `h − (a − const) ⋛ rhs`.
    pub(super) fn minus_a(&self) -> impl Iterator<Item = (Col, f64)> + '_ {
        self.a.terms.iter().map(|&(c, v)| (c, -v))
    }

    /// The right-hand side `const(a) − shift` of such rows.
    pub(super) fn rhs(&self) -> f64 {
        self.a.constant - self.shift
    }

    /// Names as `{prefix}{tag}_{layer}_{neuron}`, 1-based layer.
    pub(super) fn name(&self, prefix: &str) -> String {
        format!("{prefix}{}_{}_{}", self.tag, self.layer + 1, self.neuron)
    }
}

/// `W e + b` for expressions `e` of the layer's inputs.
fn affine_map(layer: &Layer, inputs: &[AffineExpr]) -> Vec<AffineExpr> {
    layer
        .weights
        .outer_iter()
        .zip(&layer.bias)
        .map(|(row, &b)| {
            let mut expr = AffineExpr::constant(b);
            for (&w, input) in row.iter().zip(inputs) {
                if w == 0.0 {
                    continue;
                }
                expr.constant += w * input.constant;
                expr.terms
                    .extend(input.terms.iter().map(|&(c, v)| (c, w * v)));
            }
            expr
        })
        .collect()
}

fn check_bounds_shape(network: &Network, bounds: &[LayerBounds]) -> Result<(), FormulationError> {
    if bounds.len() != network.layers().len() {
        return Err(FormulationError::BoundsShape(format!(
            "bounds for {} layers but the network has {}",
            bounds.len(),
            network.layers().len()
        )));
    }
    for (k, (b, layer)) in bounds.iter().zip(network.layers()).enumerate() {
        if b.len() != layer.outputs() || b.upper.len() != b.lower.len() {
            return Err(FormulationError::BoundsShape(format!(
                "layer {}: {} bounds for {} neurons",
                k + 1,
                b.len(),
                layer.outputs()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::lp::Sense;
    use crate::network::tests::{random_network, random_network_with};
    use rand::SeedableRng;

    fn objective(net: &Network) -> Objective {
        Objective::output(Sense::Minimize, 0, net.output_dim()).unwrap()
    }

    #[test]
    fn forward_points_are_feasible_and_match_the_objective() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.6 }),
            (3, Activation::ClippedRelu { cap: 0.05 }),
        ] {
            let net = random_network_with(&[2, 8, 8, 1], seed, act);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            let m = NetworkModel::build(&net, &b, &bounds, &objective(&net)).unwrap();
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            for _ in 0..300 {
                let x = b.sample(&mut rng);
                let sol = m.complete_solution(&net, &x);
                assert!(m.model.max_violation(&sol) < 1e-9, "{act:?}");
                let y = net.forward(&x)[0];
                assert!((m.model.objective_value(&sol) - y).abs() < 1e-12);
                assert_eq!(m.input_values(&sol), x);
            }
        }
    }

    #[test]
    fn binaries_match_the_stability_analysis() {
        let net = random_network_with(&[3, 12, 12, 2], 4, Activation::ClippedRelu { cap: 0.4 });
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        let stats = crate::analysis::layer_stats(&net, &bounds);
        let m = NetworkModel::build(&net, &b, &bounds, &objective(&net)).unwrap();
        for (k, &n) in m.binaries_per_layer.iter().enumerate() {
            assert_eq!(n, stats[k].binaries, "layer {}", k + 1);
        }
        assert_eq!(
            m.model.size().binaries,
            stats.iter().map(|s| s.binaries).sum::<usize>()
        );
    }

    #[test]
    fn rejects_mismatched_bounds() {
        let net = random_network(&[2, 4, 1], 1);
        let b = net.input_box().unwrap().clone();
        let mut bounds = interval_bounds(&net, &b);
        bounds.layers[0].lower.pop();
        bounds.layers[0].upper.pop();
        let err = NetworkModel::build(&net, &b, &bounds, &objective(&net)).unwrap_err();
        assert!(err.to_string().contains("layer 1"), "{err}");
    }
}
