//! A problem as one network: its networks side by side, reading the same `x`, with the
//! inputs carried through to the outputs when constraints or the objective mention them.
//! Every solver and bound method then takes the problem as "one network over a box, with
//! constraints on its outputs" ([`Objective`] with [`OutputConstraint`]s).
//!
//! Stacked layer `t` holds, block by block, hidden layer `t` of every network that has one.
//! A network (or the inputs) with fewer layers carries its values `v ∈ [L, U]` through the remaining hidden layers as neurons that never switch:
//! `a = s·(v − L′)` with `L′ = L − m` (`[L, U]` by interval arithmetic, the loosest bounds,
//! so that the stack's own bounds keep them stable), so `a ≥ 0` — the identity for ReLU (`s = 1`), and for
//! a clipped ReLU with cap `c` with `s = c / (U′ − L′)`, `U′ = U + m`, so `a ≤ c` too — and
//! the last layer restores `v = a / s + L′`. The margin `m = 10⁻⁶(1 + |L| + |U|)` keeps these
//! neurons strictly stable, so they add no binary and no region. Networks whose hidden layers
//! at the same depth use different activations cannot be stacked.
//!
//! ```
//! use ndarray::array;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//! use reluscope::problem::{NamedNetwork, Problem, Variable, ConstraintSense, LinearConstraint};
//! use reluscope::problem::stack::StackedProblem;
//!
//! // f(x) = relu(x₀ − x₁), one hidden layer; g(x) = x₀ + x₁, none.
//! let f = Network::new(vec![
//!     Layer::new(array![[1.0, -1.0]], array![0.0], Activation::Relu),
//!     Layer::new(array![[1.0]], array![0.0], Activation::Linear),
//! ], None)?;
//! let g = Network::new(vec![Layer::new(array![[1.0, 1.0]], array![0.0], Activation::Linear)], None)?;
//! let problem = Problem {
//!     networks: vec![
//!         NamedNetwork { name: "f".into(), network: f },
//!         NamedNetwork { name: "g".into(), network: g },
//!     ],
//!     input_box: InputBox::new(vec![-1.0, -1.0], vec![1.0, 1.0])?,
//!     constraints: vec![LinearConstraint {
//!         terms: vec![(Variable::Output { network: 1, output: 0 }, 1.0), (Variable::Input(0), -1.0)],
//!         sense: ConstraintSense::Le,
//!         rhs: 0.5,
//!         origin: "constraint 1".into(),
//!     }],
//!     disjuncts: vec![],
//!     objective: None,
//! };
//! let stacked = StackedProblem::new(&problem, None)?;
//! // Outputs: f's, g's, then x₀ (mentioned by the constraint).
//! assert_eq!(stacked.network.output_dim(), 3);
//! let x = [0.3, -0.2];
//! let y = stacked.network.forward(&x);
//! assert!((y[0] - 0.5).abs() < 1e-12 && (y[1] - 0.1).abs() < 1e-12 && (y[2] - 0.3).abs() < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{ConstraintSense, Disjunct, LinearConstraint, Problem, ProblemError, Variable};
use crate::bounds::interval_bounds;
use crate::formulation::{Objective, OutputConstraint};
use crate::lp::Sense;
use crate::network::{Activation, InputBox, Layer, Network};
use ndarray::{Array1, Array2};
use std::ops::Range;

/// One alternative of a problem (its box and all its constraints) as one network with an
/// objective and constraints on that network's outputs.
#[derive(Debug, Clone)]
pub struct StackedProblem {
    /// The stacked network (the problem's only network, unchanged, when nothing needs
    /// stacking).
    pub network: Network,
    /// The problem's box, intersected with the alternative's.
    pub input_box: InputBox,
    /// The objective (zero for a feasibility question) and every constraint, over the
    /// stacked outputs.
    pub objective: Objective,
    /// The stacked outputs of each network.
    pub output_ranges: Vec<Range<usize>>,
    /// The stacked output carrying input `i`, for the inputs that constraints or the
    /// objective mention.
    pub input_outputs: Vec<Option<usize>>,
    /// For each network and each of its hidden layers, its neurons in that stacked layer.
    pub hidden_ranges: Vec<Vec<Range<usize>>>,
}

/// A block of the stack: a network, or the inputs themselves (a "network" with no hidden
/// layer whose output is `x`).
struct Block<'a> {
    /// The block's layers (the inputs: one identity layer).
    layers: std::borrow::Cow<'a, [Layer]>,
    /// Bounds `[L, U]` of the block's outputs over the box, for carrying them.
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Block<'_> {
    /// Neurons the block occupies in stacked layer `t`: its own layer's while it has hidden
    /// layers left, then its outputs (carried, and in the last layer as they are).
    fn width(&self, t: usize) -> usize {
        if t + 1 < self.layers.len() {
            self.layers[t].outputs()
        } else {
            self.lower.len()
        }
    }
}

impl StackedProblem {
    /// Stacks the problem for the alternative `disjunct` (an index into
    /// [`Problem::disjuncts`]; `None`: the problem's own box and constraints only). Errors if
    /// the boxes do not meet ([`ProblemError::EmptyAlternative`]: the alternative holds no
    /// point), a term names a network or output that does not exist, or the networks'
    /// activations clash.
    pub fn new(problem: &Problem, disjunct: Option<usize>) -> Result<Self, ProblemError> {
        problem.check()?;
        Self::of_checked(problem, disjunct)
    }

    /// [`StackedProblem::new`] for a problem already [checked](Problem::check): solving every
    /// alternative of a problem checks it once, not once per alternative (each check reads
    /// every alternative's constraints).
    pub fn of_checked(problem: &Problem, disjunct: Option<usize>) -> Result<Self, ProblemError> {
        let chosen: Option<&Disjunct> = match disjunct {
            Some(d) => Some(problem.disjuncts.get(d).ok_or_else(|| {
                ProblemError::Invalid(format!(
                    "alternative {d} does not exist (the problem has {})",
                    problem.disjuncts.len()
                ))
            })?),
            None => None,
        };
        let input_box = match chosen.and_then(|d| d.input_box.as_ref()) {
            Some(b) => intersect_boxes(
                &problem.input_box,
                b,
                &chosen.map(|d| d.origin.clone()).unwrap_or_default(),
            )?,
            None => problem.input_box.clone(),
        };
        let constraints: Vec<&LinearConstraint> = problem
            .constraints
            .iter()
            .chain(chosen.into_iter().flat_map(|d| &d.constraints))
            .collect();
        let objective_terms: &[(Variable, f64)] =
            problem.objective.as_ref().map_or(&[], |o| &o.terms);
        let mentioned = |i: usize| {
            constraints
                .iter()
                .flat_map(|c| &c.terms)
                .chain(objective_terms)
                .any(|&(v, a)| v == Variable::Input(i) && a != 0.0)
        };
        let carried: Vec<usize> = (0..input_box.dim()).filter(|&i| mentioned(i)).collect();

        // The network, and where each network's hidden neurons and outputs landed in it.
        let (stacked, output_ranges, hidden_ranges) =
            if problem.networks.len() == 1 && carried.is_empty() {
                let net = &problem.networks[0].network;
                let hidden: Vec<Range<usize>> =
                    net.hidden_layers().iter().map(|l| 0..l.outputs()).collect();
                let outputs: Range<usize> = 0..net.output_dim();
                (net.clone(), vec![outputs], vec![hidden])
            } else {
                let mut blocks: Vec<Block> = Vec::new();
                for named in &problem.networks {
                    // Interval bounds, the loosest of all methods: carried neurons then stay
                    // stable under every method that bounds the stack.
                    let out = interval_bounds(&named.network, &input_box);
                    let out = out.output();
                    blocks.push(Block {
                        layers: std::borrow::Cow::Borrowed(named.network.layers()),
                        lower: out.lower.clone(),
                        upper: out.upper.clone(),
                    });
                }
                if !carried.is_empty() {
                    let d = input_box.dim();
                    let mut w = Array2::zeros((carried.len(), d));
                    for (r, &i) in carried.iter().enumerate() {
                        w[[r, i]] = 1.0;
                    }
                    blocks.push(Block {
                        layers: std::borrow::Cow::Owned(vec![Layer::new(
                            w,
                            Array1::zeros(carried.len()),
                            Activation::Linear,
                        )]),
                        lower: carried.iter().map(|&i| input_box.lower()[i]).collect(),
                        upper: carried.iter().map(|&i| input_box.upper()[i]).collect(),
                    });
                }
                let stacked = stack_blocks(problem, &blocks, input_box.dim())?;
                let depth = stacked.layers().len();
                let mut offsets = vec![0usize; depth];
                let (mut output_ranges, mut hidden_ranges) = (Vec::new(), Vec::new());
                for block in &blocks[..problem.networks.len()] {
                    let at = |t: usize| offsets[t]..offsets[t] + block.width(t);
                    hidden_ranges.push((0..block.layers.len() - 1).map(at).collect());
                    output_ranges.push(at(depth - 1));
                    for (t, offset) in offsets.iter_mut().enumerate() {
                        *offset += block.width(t);
                    }
                }
                (stacked, output_ranges, hidden_ranges)
            };
        let carried_start = output_ranges.last().map_or(0, |r| r.end);
        let mut input_outputs = vec![None; input_box.dim()];
        for (r, &i) in carried.iter().enumerate() {
            input_outputs[i] = Some(carried_start + r);
        }

        let outputs = stacked.output_dim();
        let index = |v: Variable| -> Result<usize, ProblemError> {
            match v {
                Variable::Input(i) => input_outputs
                    .get(i)
                    .copied()
                    .flatten()
                    .ok_or_else(|| ProblemError::Invalid(format!("input x{i} does not exist"))),
                Variable::Output { network, output } => output_ranges
                    .get(network)
                    .filter(|r| output < r.len())
                    .map(|r| r.start + output)
                    .ok_or_else(|| {
                        ProblemError::Invalid(format!(
                            "output {output} of network {network} does not exist"
                        ))
                    }),
            }
        };
        let weights_of = |terms: &[(Variable, f64)]| -> Result<Vec<f64>, ProblemError> {
            let mut w = vec![0.0; outputs];
            // A zero coefficient mentions nothing (its input is not carried).
            for &(v, a) in terms.iter().filter(|(_, a)| *a != 0.0) {
                w[index(v)?] += a;
            }
            Ok(w)
        };
        let mut output_constraints = Vec::with_capacity(constraints.len());
        for c in &constraints {
            let (lower, upper) = match c.sense {
                ConstraintSense::Le => (f64::NEG_INFINITY, c.rhs),
                ConstraintSense::Ge => (c.rhs, f64::INFINITY),
                ConstraintSense::Eq => (c.rhs, c.rhs),
            };
            output_constraints.push(OutputConstraint {
                weights: weights_of(&c.terms)?,
                lower,
                upper,
                origin: c.origin.clone(),
            });
        }
        let (sense, weights) = match &problem.objective {
            Some(o) => (o.sense, weights_of(&o.terms)?),
            None => (Sense::Minimize, vec![0.0; outputs]),
        };
        let objective = Objective::combination(sense, weights, outputs)
            .and_then(|o| o.subject_to(output_constraints))
            .map_err(|e| ProblemError::Invalid(e.to_string()))?;
        Ok(Self {
            network: stacked,
            input_box,
            objective,
            output_ranges,
            input_outputs,
            hidden_ranges,
        })
    }

    /// Each network's outputs within the stacked outputs `y`.
    pub fn split_outputs(&self, y: &[f64]) -> Vec<Vec<f64>> {
        self.output_ranges
            .iter()
            .map(|r| y[r.clone()].to_vec())
            .collect()
    }

    /// Bounds of network `k` alone, cut out of bounds of the stacked network (its hidden
    /// layers, then its outputs).
    pub fn network_bounds(
        &self,
        k: usize,
        stacked: &crate::bounds::NetworkBounds,
    ) -> crate::bounds::NetworkBounds {
        let cut = |b: &crate::bounds::LayerBounds, r: &Range<usize>| crate::bounds::LayerBounds {
            lower: b.lower[r.clone()].to_vec(),
            upper: b.upper[r.clone()].to_vec(),
        };
        let mut layers: Vec<_> = self.hidden_ranges[k]
            .iter()
            .enumerate()
            .map(|(t, r)| cut(&stacked.layers[t], r))
            .collect();
        layers.push(cut(stacked.output(), &self.output_ranges[k]));
        crate::bounds::NetworkBounds {
            layers,
            ..stacked.clone()
        }
    }
}

/// `a ∩ b`, or an error naming `origin` when they do not meet or differ in dimension.
fn intersect_boxes(a: &InputBox, b: &InputBox, origin: &str) -> Result<InputBox, ProblemError> {
    if a.dim() != b.dim() {
        return Err(ProblemError::Invalid(format!(
            "{origin}: a box of {} inputs where the problem has {}",
            b.dim(),
            a.dim()
        )));
    }
    let lower: Vec<f64> = a
        .lower()
        .iter()
        .zip(b.lower())
        .map(|(x, y)| x.max(*y))
        .collect();
    let upper: Vec<f64> = a
        .upper()
        .iter()
        .zip(b.upper())
        .map(|(x, y)| x.min(*y))
        .collect();
    if let Some(i) = (0..lower.len()).find(|&i| lower[i] > upper[i]) {
        return Err(ProblemError::EmptyAlternative(format!(
            "{origin}: its range of x{i} [{}, {}] does not meet the problem's box [{}, {}]",
            b.lower()[i],
            b.upper()[i],
            a.lower()[i],
            a.upper()[i]
        )));
    }
    InputBox::new(lower, upper).map_err(|e| ProblemError::Invalid(format!("{origin}: {e}")))
}

/// The stacked network of `blocks` (see the module docs).
fn stack_blocks(problem: &Problem, blocks: &[Block], dim: usize) -> Result<Network, ProblemError> {
    let depth = blocks.iter().map(|b| b.layers.len()).max().unwrap_or(1);
    // The activation of each stacked hidden layer: that of every block with a hidden layer
    // there.
    let mut activations = Vec::with_capacity(depth.saturating_sub(1));
    for t in 0..depth - 1 {
        let mut chosen: Option<(Activation, usize)> = None;
        for (k, block) in blocks.iter().enumerate() {
            if t + 1 < block.layers.len() {
                let act = block.layers[t].activation;
                match chosen {
                    Some((a, first)) if a != act => {
                        let name = |k: usize| {
                            problem
                                .networks
                                .get(k)
                                .map_or("the inputs", |n| n.name.as_str())
                        };
                        return Err(ProblemError::Invalid(format!(
                            "networks {} and {} use different activations in hidden layer {} \
                             ({} and {}): they cannot share one model",
                            name(first),
                            name(k),
                            t + 1,
                            describe(a),
                            describe(act)
                        )));
                    }
                    Some(_) => {}
                    None => chosen = Some((act, k)),
                }
            }
        }
        activations.push(chosen.map_or(Activation::Relu, |(a, _)| a));
    }
    let margin = |l: f64, u: f64| 1e-6 * (1.0 + l.abs() + u.abs());
    // Per block: the scale and shift of its carried values, per output.
    let carry = |block: &Block, act: Activation| -> Vec<(f64, f64)> {
        block
            .lower
            .iter()
            .zip(&block.upper)
            .map(|(&l, &u)| {
                let m = margin(l, u);
                let (lo, hi) = (l - m, u + m);
                let s = match act {
                    Activation::ClippedRelu { cap } => cap / (hi - lo),
                    _ => 1.0,
                };
                (s, lo)
            })
            .collect()
    };
    let mut layers = Vec::with_capacity(depth);
    // Width each block had in the previous stacked layer, and its column offset there.
    let mut prev_widths: Vec<usize> = vec![dim; blocks.len()];
    let mut prev_offsets: Vec<usize> = vec![0; blocks.len()];
    let mut prev_carry: Vec<Option<Vec<(f64, f64)>>> = vec![None; blocks.len()];
    let mut prev_total = dim;
    for t in 0..depth {
        let last = t + 1 == depth;
        let act = activations.get(t).copied().unwrap_or(Activation::Linear);
        let widths: Vec<usize> = blocks.iter().map(|b| b.width(t)).collect();
        let total: usize = widths.iter().sum();
        let mut w = Array2::zeros((total, prev_total));
        let mut bias = Array1::zeros(total);
        let mut row = 0;
        let mut carries = Vec::with_capacity(blocks.len());
        for (k, block) in blocks.iter().enumerate() {
            // Column offset of the block's inputs (x for layer 0: shared).
            let col = if t == 0 { 0 } else { prev_offsets[k] };
            let own = t < block.layers.len();
            // The block's values entering this layer, as `v = a / s + shift` when carried.
            let (in_scale, in_shift): (Vec<f64>, Vec<f64>) = match &prev_carry[k] {
                Some(c) => c.iter().map(|&(s, l)| (1.0 / s, l)).unzip(),
                None => (vec![1.0; prev_widths[k]], vec![0.0; prev_widths[k]]),
            };
            // The affine map of this layer on the block's values: its own layer, or the
            // identity once its layers are used up.
            let (map_w, map_b): (Array2<f64>, Array1<f64>) = if own {
                (
                    block.layers[t].weights.clone(),
                    block.layers[t].bias.clone(),
                )
            } else {
                (Array2::eye(widths[k]), Array1::zeros(widths[k]))
            };
            // Compose with the decoding of carried inputs: W (D a + e) + b.
            let mut composed_w = map_w.clone();
            let mut composed_b = map_b.clone();
            for j in 0..map_w.ncols() {
                for i in 0..map_w.nrows() {
                    composed_w[[i, j]] = map_w[[i, j]] * in_scale[j];
                    composed_b[i] += map_w[[i, j]] * in_shift[j];
                }
            }
            let is_hidden_here = t + 1 < block.layers.len();
            let c = if last || is_hidden_here {
                None
            } else {
                Some(carry(block, act))
            };
            for i in 0..widths[k] {
                let (s, shift) = c.as_ref().map_or((1.0, 0.0), |c| c[i]);
                for j in 0..composed_w.ncols() {
                    w[[row + i, col + j]] = s * composed_w[[i, j]];
                }
                bias[row + i] = s * (composed_b[i] - shift);
            }
            carries.push(c);
            row += widths[k];
        }
        layers.push(Layer::new(w, bias, act));
        let mut offset = 0;
        for k in 0..blocks.len() {
            prev_offsets[k] = offset;
            offset += widths[k];
        }
        prev_widths = widths;
        prev_carry = carries;
        prev_total = total;
    }
    Network::new(layers, None)
        .map_err(|e| ProblemError::Invalid(format!("the stacked network is invalid: {e}")))
}

fn describe(a: Activation) -> String {
    match a {
        Activation::ClippedRelu { cap } => format!("clipped ReLU with cap {cap}"),
        a => a.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::neuron_state;
    use crate::network::tests::random_network_with;
    use crate::problem::NamedNetwork;
    use rand::SeedableRng;

    fn problem_of(nets: Vec<Network>, with_input: bool) -> Problem {
        let b = nets[0].input_box().unwrap().clone();
        let networks: Vec<NamedNetwork> = nets
            .into_iter()
            .enumerate()
            .map(|(k, network)| NamedNetwork {
                name: format!("n{k}"),
                network,
            })
            .collect();
        let mut terms = vec![(
            Variable::Output {
                network: networks.len() - 1,
                output: 0,
            },
            1.0,
        )];
        if with_input {
            terms.push((Variable::Input(1), 2.0));
        }
        Problem {
            networks,
            input_box: b,
            constraints: vec![LinearConstraint {
                terms,
                sense: ConstraintSense::Le,
                rhs: 1.0,
                origin: "test".into(),
            }],
            disjuncts: Vec::new(),
            objective: None,
        }
    }

    /// The stacked network computes every network's outputs (and the carried inputs) at
    /// sampled points, and its carrying neurons are stable under interval bounds.
    #[test]
    fn the_stack_computes_every_network_and_carries_without_binaries() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.7 }),
        ] {
            let deep = random_network_with(&[3, 6, 5, 4, 2], seed, act);
            let shallow = random_network_with(&[3, 7, 1], seed + 10, act);
            let linear = Network::new(
                vec![Layer::new(
                    ndarray::array![[1.0, -2.0, 0.5]],
                    ndarray::array![0.25],
                    Activation::Linear,
                )],
                deep.input_box().cloned(),
            )
            .unwrap();
            let nets = vec![deep.clone(), shallow.clone(), linear.clone()];
            let problem = problem_of(nets.clone(), true);
            let s = StackedProblem::new(&problem, None).unwrap();
            assert_eq!(s.network.layers().len(), 4);
            assert_eq!(s.input_outputs, vec![None, Some(4), None]);
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            for _ in 0..200 {
                let x = s.input_box.sample(&mut rng);
                let y = s.network.forward(&x);
                let parts = s.split_outputs(&y);
                for (k, net) in nets.iter().enumerate() {
                    for (a, b) in parts[k].iter().zip(net.forward(&x)) {
                        assert!(
                            (a - b).abs() <= 1e-9 * (1.0 + b.abs()),
                            "{act:?} net {k}: {a} vs {b}"
                        );
                    }
                }
                assert!((y[4] - x[1]).abs() < 1e-9);
            }
            // Only the networks' own neurons can be unstable.
            let bounds = interval_bounds(&s.network, &s.input_box);
            let unstable = |act: Activation, b: &crate::bounds::LayerBounds| {
                (0..b.len())
                    .filter(|&i| !neuron_state(act, b.lower[i], b.upper[i]).is_stable())
                    .count()
            };
            let deep_alone = interval_bounds(&deep, &s.input_box);
            let shallow_alone = interval_bounds(&shallow, &s.input_box);
            for (t, layer) in s.network.hidden_layers().iter().enumerate() {
                let expected = unstable(act, &deep_alone.layers[t])
                    + if t == 0 {
                        unstable(act, &shallow_alone.layers[0])
                    } else {
                        0
                    };
                assert_eq!(
                    unstable(layer.activation, &bounds.layers[t]),
                    expected,
                    "layer {t}"
                );
            }
            // The cut-out bounds of a network contain its activations.
            let cut = s.network_bounds(0, &bounds);
            assert_eq!(cut.layers.len(), deep.layers().len());
            for _ in 0..50 {
                let x = s.input_box.sample(&mut rng);
                for (t, pre) in deep.preactivations(&x).iter().enumerate() {
                    for (i, &a) in pre.iter().enumerate() {
                        assert!(
                            cut.layers[t].lower[i] - 1e-9 <= a
                                && a <= cut.layers[t].upper[i] + 1e-9
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn one_network_without_input_terms_is_left_alone_and_clashes_are_named() {
        let net = random_network_with(&[2, 5, 1], 3, Activation::Relu);
        let problem = problem_of(vec![net.clone()], false);
        let s = StackedProblem::new(&problem, None).unwrap();
        assert_eq!(s.network, net);
        assert_eq!(s.objective.constraints.len(), 1);
        assert_eq!(s.objective.constraints[0].weights, vec![1.0]);
        assert!(s.objective.is_feasibility());
        let clipped = random_network_with(&[2, 5, 1], 4, Activation::ClippedRelu { cap: 1.0 });
        let err = StackedProblem::new(&problem_of(vec![net, clipped], false), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("n0 and n1") && err.contains("hidden layer 1"),
            "{err}"
        );
    }
}
