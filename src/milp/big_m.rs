//! The big-M formulation of a ReLU network.
//!
//! Inputs `x ∈ [lo, hi]`. For a hidden neuron with pre-activation `a = wᵀh + b ∈ [L, U]`:
//!
//! | state | encoding |
//! |---|---|
//! | stably inactive, `U ≤ 0` | `h = 0` (no column) |
//! | stably active, `L ≥ 0` | `h = a`, `h ∈ [L, U]` |
//! | unstable ReLU | `h ≥ a`, `h ≤ a − L(1 − z)`, `h ≤ U z`, `h ≥ 0`, `z ∈ {0, 1}` |
//!
//! A clipped ReLU `min(max(a, 0), c)` is encoded exactly as the difference of two ReLUs,
//! `clip(a) = relu(a) − relu(a − c)`: `p` encodes `relu(a)` with bounds `[L, U]`, `q` encodes
//! `relu(a − c)` with bounds `[L − c, U − c]`, each by the table above (so each costs a
//! binary only when its own breakpoint is inside the bounds), and the neuron's output is
//! `p − q`. When both are unstable, `z_q ≤ z_p` (a ≥ c implies a ≥ 0) is added. A saturated
//! neuron (`L ≥ c`) is the constant `c`.
//!
//! The outputs are free columns `y = Wh + b`; the objective is `cᵀy`.
//!
//! [`Encoding::Triangle`] is the LP relaxation projected onto `(a, h)`: with `z` eliminated,
//! `h ≥ 0, h ≥ a, h ≤ U(a − L)/(U − L)` (the "triangle"), and each pre-activation is an
//! explicit column `a ∈ [L, U]` with one row `a = wᵀh + b`. It has the same optimum as the
//! big-M relaxation with `z ∈ [0, 1]` but fewer rows, columns and nonzeros, which makes the
//! many LPs of bound tightening faster.

use super::{Col, LinearModel, MilpError, Objective};
use crate::bounds::{LayerBounds, NetworkBounds};
use crate::network::{Activation, InputBox, Layer, Network};

/// An affine expression `Σ coef·column + constant` in the model's columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AffineExpr {
    /// `(column, coefficient)` pairs.
    pub terms: Vec<(Col, f64)>,
    /// The constant.
    pub constant: f64,
}

impl AffineExpr {
    fn constant(value: f64) -> Self {
        Self {
            terms: Vec::new(),
            constant: value,
        }
    }

    fn column(col: Col) -> Self {
        Self {
            terms: vec![(col, 1.0)],
            constant: 0.0,
        }
    }
}

/// How unstable neurons are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Big-M with binary `z`: the exact MILP.
    BigM,
    /// Big-M with `z ∈ [0, 1]`: its LP relaxation.
    BigMRelaxed,
    /// The triangle relaxation with explicit pre-activation columns (same LP optimum as
    /// `BigMRelaxed`, smaller model).
    Triangle,
    /// The triangle relaxation without pre-activation columns: each row carries the
    /// expression `wᵀh + b` itself, so the only columns are `x` and the unstable `h`. Fewer
    /// columns, more nonzeros; the form [`super::DenseSimplex`] wants (its cost grows with
    /// the square of the columns).
    TriangleCompact,
}

/// What a column stands for, so that a forward pass of the network can fill it in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnRole {
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
    /// The pre-activation `a` itself.
    Preactivation { layer: usize, neuron: usize },
    /// `1` if `a − shift > 0`, else `0`.
    Indicator {
        layer: usize,
        neuron: usize,
        shift: f64,
    },
    /// Network output `j`.
    Output(usize),
}

/// The big-M MILP of a network over a box, with the bookkeeping to map points both ways.
#[derive(Debug, Clone)]
pub struct BigMModel {
    /// The MILP itself.
    pub model: LinearModel,
    roles: Vec<ColumnRole>,
    input_cols: Vec<Col>,
    /// Post-activation of every neuron of the encoded hidden layers.
    post: Vec<Vec<AffineExpr>>,
    output_cols: Vec<Col>,
    /// Binary variables added per hidden layer.
    pub binaries_per_layer: Vec<usize>,
}

impl BigMModel {
    /// The full MILP: inputs, every hidden layer, the outputs and `objective`.
    ///
    /// `bounds` must hold one [`LayerBounds`] per layer of `network` (output last).
    pub fn build(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        objective: &Objective,
    ) -> Result<Self, MilpError> {
        check_bounds_shape(network, &bounds.layers)?;
        if objective.weights.len() != network.output_dim() {
            return Err(MilpError::Objective(format!(
                "the objective has {} weights but the network has {} outputs",
                objective.weights.len(),
                network.output_dim()
            )));
        }
        let mut m = Self::build_prefix(network, input_box, bounds.hidden(), Encoding::BigM)?;
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
        m.model.sense = Some(objective.sense);
        Ok(m)
    }

    /// The inputs and the first `hidden_bounds.len()` hidden layers, no objective.
    pub fn build_prefix(
        network: &Network,
        input_box: &InputBox,
        hidden_bounds: &[LayerBounds],
        encoding: Encoding,
    ) -> Result<Self, MilpError> {
        if input_box.dim() != network.input_dim() {
            return Err(MilpError::Network(
                crate::network::NetworkError::BoxDimension {
                    expected: network.input_dim(),
                    found: input_box.dim(),
                },
            ));
        }
        let mut m = Self {
            model: LinearModel::new(),
            roles: Vec::new(),
            input_cols: Vec::new(),
            post: Vec::new(),
            output_cols: Vec::new(),
            binaries_per_layer: Vec::new(),
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
                return Err(MilpError::BoundsShape(format!(
                    "bounds for {} hidden layers but the network has {}",
                    hidden_bounds.len(),
                    network.hidden_layers().len()
                )));
            };
            if b.len() != layer.outputs() {
                return Err(MilpError::BoundsShape(format!(
                    "layer {}: {} bounds for {} neurons",
                    k + 1,
                    b.len(),
                    layer.outputs()
                )));
            }
            m.add_hidden_layer(k, layer, b, encoding);
        }
        Ok(m)
    }

    fn add_col(
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
        let inputs: Vec<AffineExpr> = match self.post.last() {
            Some(post) => post.clone(),
            None => self
                .input_cols
                .iter()
                .map(|&c| AffineExpr::column(c))
                .collect(),
        };
        layer
            .weights
            .outer_iter()
            .zip(&layer.bias)
            .map(|(row, &b)| {
                let mut expr = AffineExpr::constant(b);
                for (&w, input) in row.iter().zip(&inputs) {
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

    fn add_hidden_layer(
        &mut self,
        k: usize,
        layer: &Layer,
        bounds: &LayerBounds,
        encoding: Encoding,
    ) {
        let mut pre = self.next_preactivations(layer);
        if encoding == Encoding::Triangle {
            for (i, a) in pre.iter_mut().enumerate() {
                let col = self.add_col(
                    format!("a_{}_{i}", k + 1),
                    bounds.lower[i],
                    bounds.upper[i],
                    false,
                    ColumnRole::Preactivation {
                        layer: k,
                        neuron: i,
                    },
                );
                let mut terms = vec![(col, 1.0)];
                terms.extend(a.terms.iter().map(|&(c, v)| (c, -v)));
                self.model
                    .add_row(format!("pre_{}_{i}", k + 1), a.constant, a.constant, &terms);
                *a = AffineExpr::column(col);
            }
        }
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
        let (layer, neuron) = (k + 1, i);
        if u <= 0.0 {
            return (AffineExpr::constant(0.0), None);
        }
        // Rows are written as `h − (a − const) ⋛ rhs`, i.e. `h − Σ terms ⋛ constant − shift`.
        let rhs = a.constant - shift;
        let minus_a = || a.terms.iter().map(|&(c, v)| (c, -v));
        if matches!(encoding, Encoding::Triangle | Encoding::TriangleCompact) {
            return (self.add_triangle_unit(k, i, a, shift, l, u, tag), None);
        }
        if l >= 0.0 {
            let h = self.add_col(
                format!("h{tag}_{layer}_{neuron}"),
                l,
                u,
                false,
                ColumnRole::Linear {
                    layer: k,
                    neuron,
                    shift,
                },
            );
            let terms: Vec<_> = std::iter::once((h, 1.0)).chain(minus_a()).collect();
            self.model
                .add_row(format!("act{tag}_{layer}_{neuron}"), rhs, rhs, &terms);
            return (AffineExpr::column(h), None);
        }
        let h = self.add_col(
            format!("h{tag}_{layer}_{neuron}"),
            0.0,
            u,
            false,
            ColumnRole::Relu {
                layer: k,
                neuron,
                shift,
            },
        );
        let z = self.add_col(
            format!("z{tag}_{layer}_{neuron}"),
            0.0,
            1.0,
            encoding == Encoding::BigM,
            ColumnRole::Indicator {
                layer: k,
                neuron,
                shift,
            },
        );
        // h ≥ a
        let ge: Vec<_> = std::iter::once((h, 1.0)).chain(minus_a()).collect();
        self.model
            .add_row(format!("ge{tag}_{layer}_{neuron}"), rhs, f64::INFINITY, &ge);
        // h ≤ a − L(1 − z)  ⇔  h − a − L z ≤ −L
        let mut le: Vec<_> = std::iter::once((h, 1.0)).chain(minus_a()).collect();
        le.push((z, -l));
        self.model.add_row(
            format!("le{tag}_{layer}_{neuron}"),
            f64::NEG_INFINITY,
            rhs - l,
            &le,
        );
        // h ≤ U z
        self.model.add_row(
            format!("on{tag}_{layer}_{neuron}"),
            f64::NEG_INFINITY,
            0.0,
            &[(h, 1.0), (z, -u)],
        );
        (AffineExpr::column(h), Some(z))
    }

    /// Triangle relaxation of `h = max(a − shift, 0)`, `a − shift ∈ [l, u]`, `u > 0`.
    #[allow(clippy::too_many_arguments)]
    fn add_triangle_unit(
        &mut self,
        k: usize,
        neuron: usize,
        a: &AffineExpr,
        shift: f64,
        l: f64,
        u: f64,
        tag: &str,
    ) -> AffineExpr {
        let layer = k + 1;
        if l >= 0.0 {
            // Linear on the whole interval: h is the expression itself, no column needed.
            return AffineExpr {
                terms: a.terms.clone(),
                constant: a.constant - shift,
            };
        }
        let h = self.add_col(
            format!("h{tag}_{layer}_{neuron}"),
            0.0,
            u,
            false,
            ColumnRole::Relu {
                layer: k,
                neuron,
                shift,
            },
        );
        let rhs = a.constant - shift;
        // h ≥ a − shift
        let ge: Vec<_> = std::iter::once((h, 1.0))
            .chain(a.terms.iter().map(|&(c, v)| (c, -v)))
            .collect();
        self.model
            .add_row(format!("ge{tag}_{layer}_{neuron}"), rhs, f64::INFINITY, &ge);
        // h ≤ λ(a − shift − l) with λ = u / (u − l)
        let lambda = u / (u - l);
        let le: Vec<_> = std::iter::once((h, 1.0))
            .chain(a.terms.iter().map(|&(c, v)| (c, -lambda * v)))
            .collect();
        self.model.add_row(
            format!("tri{tag}_{layer}_{neuron}"),
            f64::NEG_INFINITY,
            lambda * (rhs - l),
            &le,
        );
        AffineExpr::column(h)
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
        self.roles
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
                ColumnRole::Preactivation { layer, neuron } => pre[layer][neuron],
                ColumnRole::Output(j) => output[j],
            })
            .collect()
    }
}

fn check_bounds_shape(network: &Network, bounds: &[LayerBounds]) -> Result<(), MilpError> {
    if bounds.len() != network.layers().len() {
        return Err(MilpError::BoundsShape(format!(
            "bounds for {} layers but the network has {}",
            bounds.len(),
            network.layers().len()
        )));
    }
    for (k, (b, layer)) in bounds.iter().zip(network.layers()).enumerate() {
        if b.len() != layer.outputs() || b.upper.len() != b.lower.len() {
            return Err(MilpError::BoundsShape(format!(
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
    use crate::milp::Sense;
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
            let m = BigMModel::build(&net, &b, &bounds, &objective(&net)).unwrap();
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
        let m = BigMModel::build(&net, &b, &bounds, &objective(&net)).unwrap();
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
        let err = BigMModel::build(&net, &b, &bounds, &objective(&net)).unwrap_err();
        assert!(err.to_string().contains("layer 1"), "{err}");
    }
}
