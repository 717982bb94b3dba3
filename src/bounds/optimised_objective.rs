//! The objective's lower bound over a box with its relaxation lines chosen for that box and
//! objective (α-CROWN with the pre-activation bounds held fixed).
//!
//! [`objective_relaxation`](super::objective_relaxation) replaces each `σ(aʲᵢ)` by one fixed
//! line. Where `σ` has a kink inside `[Lʲᵢ, Uʲᵢ]`, every line of its [`LineFamily`] is as
//! valid, `σ(p) + sʲᵢ·(a − p)`, and the bound
//!
//! `β(s) = min_{x ∈ B} F(x; s)`,  `F(x; s) = vᵀ(relaxed network)(x)`,
//!
//! is a valid lower bound of `vᵀf(x)` over `B` for every slope vector `s`; its maximum over
//! `s` is the triangle-LP bound with the same pre-activation bounds. By Danskin's theorem
//! `∂β/∂sʲᵢ = cʲᵢ·(âʲᵢ − p)`, with `cʲᵢ` the backward coefficient on `σ(aʲᵢ)` and `âʲᵢ` the
//! relaxed network's pre-activation at the minimising corner `x̂` of `B`. So each step is one
//! backward pass (the bound, `x̂` and `c`) and one forward pass (`â`), then projected ascent
//! (Adam on `s`, each slope in its family's range). Every iterate is a valid bound: the best is
//! kept, and without a warm start the first is the fixed lines' own bound (the fixed lines of
//! an unstable neuron pass through its kink, so they are members of its family), so the result
//! is never weaker.
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::{SlopeSearch, optimised_objective_bound, symbolic_bounds};
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // y = relu(x) − relu(x)/2 over x ∈ [−1, 1] (its minimum is 0). The fixed lines of relu on
//! // [−1, 1] are 0 below and the chord (x + 1)/2 above: the bound is −1/2, at x = 1. With the
//! // lower line s·x the bound is min(s − 1/2, −s), best at s = 1/4: −1/4, the triangle LP's.
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0], [1.0]], array![0.0, 0.0], Activation::Relu),
//!         Layer::new(array![[1.0, -0.5]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![-1.0], vec![1.0])?;
//! let bounds = symbolic_bounds(&net, &input_box);
//! let search = |iterations| SlopeSearch { iterations, enough: f64::INFINITY, warm_start: None };
//! let fixed = optimised_objective_bound(&net, &[1.0], &bounds.layers, &input_box, search(0));
//! assert!((fixed.lower + 0.5).abs() < 1e-12);
//! let chosen = optimised_objective_bound(&net, &[1.0], &bounds.layers, &input_box, search(20));
//! assert!(chosen.lower <= -0.25 + 1e-12 && chosen.lower > -0.27, "{}", chosen.lower);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::LayerBounds;
use super::relaxation::{Line, LineFamily, line_families, relaxation};
use crate::network::{InputBox, Network, add_scaled_row, row_dot};

/// The bound and the linear function of the inputs that gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveBound {
    /// `β = min_{x ∈ B} gᵀx + h`.
    pub lower: f64,
    /// `g`: the coefficients on the inputs.
    pub input_coefficients: Vec<f64>,
    /// `h`.
    pub constant: f64,
    /// The slopes that gave `β` (a part of the box starts its search from them).
    pub slopes: Slopes,
}

/// The chosen slope of every neuron's lower and upper line family, all layers in order, flat
/// (a neuron without a family keeps its fixed line whatever its entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Slopes {
    /// `sʲᵢ` of the lower family.
    pub lower: Vec<f64>,
    /// `sʲᵢ` of the upper family.
    pub upper: Vec<f64>,
}

/// How [`optimised_objective_bound`] searches the slopes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeSearch<'a> {
    /// At most this many ascent steps; 0 evaluates the start only.
    pub iterations: usize,
    /// Stop once the bound reaches this (a branch and bound's cutoff; `f64::INFINITY`: never).
    pub enough: f64,
    /// Start from these slopes (clamped into each family's range on this box) instead of the
    /// fixed lines of [`relaxation`]: a part of a box starts from the box's best.
    pub warm_start: Option<&'a Slopes>,
}

/// One neuron's relaxation: its fixed lines and the families its slopes are chosen from.
#[derive(Debug, Clone, Copy)]
struct NeuronLines {
    fixed_lower: Line,
    fixed_upper: Line,
    lower: Option<LineFamily>,
    upper: Option<LineFamily>,
}

impl NeuronLines {
    /// The line of the side `below` (lower line) or above, at the given slopes.
    fn line(&self, below: bool, lower_slope: f64, upper_slope: f64) -> Line {
        match (below, self.lower, self.upper) {
            (true, Some(f), _) => f.line(lower_slope),
            (true, None, _) => self.fixed_lower,
            (false, _, Some(f)) => f.line(upper_slope),
            (false, _, None) => self.fixed_upper,
        }
    }
}

/// Every neuron's lower and upper line at the current slopes.
struct CurrentLines {
    lower: Vec<Line>,
    upper: Vec<Line>,
}

impl CurrentLines {
    /// Neuron `n`'s lower line (`below`) or upper line.
    #[inline]
    fn side(&self, n: usize, below: bool) -> Line {
        if below { self.lower[n] } else { self.upper[n] }
    }
}

/// Adam's step size on a slope, as a fraction of its family's range: a few steps cross it.
const STEP: f64 = 0.25;

/// Lower-bounds `weights · f(x)` over `input_box`, given every layer's pre-activation bounds
/// (`bounds[k]` for layer `k`, the output layer included): `β(s) = min_{x∈B} gᵀx + h` of the
/// backward relaxation with each kinked neuron's line `σ(p) + sʲᵢ(a − p)` taken from its
/// [`LineFamily`], the slopes raised by projected Adam steps along
/// `∂β/∂sʲᵢ = cʲᵢ·(âʲᵢ − p)` (backward coefficient times the relaxed network's pre-activation
/// at the minimising corner, minus the kink). The result is the best iterate, the start
/// included: without a warm start, never weaker than the fixed lines' bound of
/// [`objective_relaxation`](super::objective_relaxation). A non-finite iterate (overflow)
/// never replaces a finite one, and a non-finite start reads as `−∞`.
pub fn optimised_objective_bound(
    network: &Network,
    weights: &[f64],
    bounds: &[LayerBounds],
    input_box: &InputBox,
    search: SlopeSearch<'_>,
) -> ObjectiveBound {
    let layers = network.layers();
    let mut lines: Vec<NeuronLines> = Vec::with_capacity(bounds.iter().map(|b| b.len()).sum());
    for (layer, b) in layers.iter().zip(bounds) {
        for (&l, &u) in b.lower.iter().zip(&b.upper) {
            let fixed = relaxation(layer.activation, l, u);
            let (lower, upper) = line_families(layer.activation, l, u);
            lines.push(NeuronLines {
                fixed_lower: fixed.lower,
                fixed_upper: fixed.upper,
                lower,
                upper,
            });
        }
    }
    // The fixed line's slope, or the warm start's, clamped into the family's range.
    let start = |f: Option<LineFamily>, fixed: Line, warm: Option<f64>| {
        f.map_or(0.0, |f| f.line(warm.unwrap_or(fixed.slope)).slope)
    };
    // A non-finite warm slope (from overflowed bounds upstream) is not a start.
    let warm = |side: fn(&Slopes) -> &Vec<f64>, n: usize| {
        (search.warm_start)
            .and_then(|w| side(w).get(n).copied())
            .filter(|s| s.is_finite())
    };
    let mut slopes = Slopes {
        lower: (lines.iter().enumerate())
            .map(|(n, l)| start(l.lower, l.fixed_lower, warm(|s| &s.lower, n)))
            .collect(),
        upper: (lines.iter().enumerate())
            .map(|(n, l)| start(l.upper, l.fixed_upper, warm(|s| &s.upper, n)))
            .collect(),
    };
    let optimisable = lines.iter().any(|n| n.lower.is_some() || n.upper.is_some());
    // The lines at the current slopes, each side (updated with the slopes).
    let mut current = CurrentLines {
        lower: (lines.iter().enumerate())
            .map(|(n, l)| l.line(true, slopes.lower[n], slopes.upper[n]))
            .collect(),
        upper: (lines.iter().enumerate())
            .map(|(n, l)| l.line(false, slopes.lower[n], slopes.upper[n]))
            .collect(),
    };
    let mut pass = BackwardPass::new(network);
    pass.run(network, weights, input_box, &current);
    let mut best = ObjectiveBound {
        lower: finite_or_minus_infinity(pass.lower),
        input_coefficients: pass.input_coefficients.clone(),
        constant: pass.constant,
        slopes: slopes.clone(),
    };
    if !optimisable || search.iterations == 0 || best.lower >= search.enough {
        return best;
    }
    let count = lines.len();
    let (mut m_lo, mut v_lo) = (vec![0.0; count], vec![0.0; count]);
    let (mut m_up, mut v_up) = (vec![0.0; count], vec![0.0; count]);
    let (beta1, beta2) = (0.9_f64, 0.999_f64);
    for t in 1..=search.iterations {
        pass.forward_at_corner(network, &current);
        // Ascent on β: ∂β/∂s = c·(â − p) for the side each neuron used.
        let (bias1, bias2) = (1.0 - beta1.powi(t as i32), 1.0 - beta2.powi(t as i32));
        for (n, neuron) in lines.iter().enumerate() {
            let c = pass.coefficients[n];
            let (family, slope, line, m, v) = if c >= 0.0 {
                let (s, l) = (&mut slopes.lower[n], &mut current.lower[n]);
                (neuron.lower, s, l, &mut m_lo[n], &mut v_lo[n])
            } else {
                let (s, l) = (&mut slopes.upper[n], &mut current.upper[n]);
                (neuron.upper, s, l, &mut m_up[n], &mut v_up[n])
            };
            let Some(f) = family else { continue };
            let grad = c * (pass.pre_activations[n] - f.pivot);
            if !grad.is_finite() {
                // Overflowed coefficients: keep this slope (every slope is valid).
                continue;
            }
            *m = beta1 * *m + (1.0 - beta1) * grad;
            *v = beta2 * *v + (1.0 - beta2) * grad * grad;
            let change =
                STEP * (f.max_slope - f.min_slope) * (*m / bias1) / ((*v / bias2).sqrt() + 1e-12);
            if !change.is_finite() {
                continue;
            }
            *slope = (*slope + change).clamp(f.min_slope, f.max_slope);
            *line = f.line(*slope);
        }
        pass.run(network, weights, input_box, &current);
        if pass.lower.is_finite() && pass.lower > best.lower {
            best.lower = pass.lower;
            best.input_coefficients
                .copy_from_slice(&pass.input_coefficients);
            best.constant = pass.constant;
            best.slopes.lower.copy_from_slice(&slopes.lower);
            best.slopes.upper.copy_from_slice(&slopes.upper);
            if best.lower >= search.enough {
                break;
            }
        }
    }
    best
}

/// A lower bound `value`, or `−∞` where it is NaN or `+∞`: an overflowed bound proves
/// nothing (a NaN would also sort last in a branch and bound's queue).
pub(crate) fn finite_or_minus_infinity(value: f64) -> f64 {
    if value.is_finite() || value == f64::NEG_INFINITY {
        value
    } else {
        f64::NEG_INFINITY
    }
}

/// The buffers of one backward and forward pass, kept across iterations; per-neuron entries
/// are flat, layer after layer.
struct BackwardPass {
    /// Where each layer's neurons start in the flat vectors.
    offsets: Vec<usize>,
    /// `cʲᵢ`: the coefficient on `σ(aʲᵢ)` in the last backward pass.
    coefficients: Vec<f64>,
    /// `âʲᵢ`: the relaxed network's pre-activations at the last minimising corner.
    pre_activations: Vec<f64>,
    /// Two work vectors as wide as the widest layer (the backward coefficients, the forward
    /// values).
    work: [Vec<f64>; 2],
    input_coefficients: Vec<f64>,
    constant: f64,
    corner: Vec<f64>,
    lower: f64,
}

impl BackwardPass {
    fn new(network: &Network) -> Self {
        let layers = network.layers();
        let mut offsets = Vec::with_capacity(layers.len() + 1);
        let mut total = 0;
        for layer in layers {
            offsets.push(total);
            total += layer.outputs();
        }
        offsets.push(total);
        let widest = layers
            .iter()
            .map(|l| l.outputs().max(l.inputs()))
            .max()
            .unwrap_or(0);
        Self {
            offsets,
            coefficients: vec![0.0; total],
            pre_activations: vec![0.0; total],
            work: [Vec::with_capacity(widest), Vec::with_capacity(widest)],
            input_coefficients: vec![0.0; network.input_dim()],
            constant: 0.0,
            corner: vec![0.0; network.input_dim()],
            lower: f64::NEG_INFINITY,
        }
    }

    /// `g`, `h`, `β` and the minimising corner for the `current` lines.
    fn run(
        &mut self,
        network: &Network,
        weights: &[f64],
        input_box: &InputBox,
        current: &CurrentLines,
    ) {
        let layers = network.layers();
        let [coefficient, previous] = &mut self.work;
        coefficient.clear();
        coefficient.extend_from_slice(weights);
        let mut constant = 0.0;
        for (j, layer) in layers.iter().enumerate().rev() {
            let offset = self.offsets[j];
            for (i, v) in coefficient.iter_mut().enumerate() {
                let n = offset + i;
                self.coefficients[n] = *v;
                let chosen = current.side(n, *v >= 0.0);
                constant += *v * (chosen.intercept + layer.bias[i] * chosen.slope);
                *v *= chosen.slope;
            }
            previous.clear();
            previous.resize(layer.inputs(), 0.0);
            for (row, &v) in layer.weights.outer_iter().zip(coefficient.iter()) {
                if v != 0.0 {
                    add_scaled_row(previous, v, row);
                }
            }
            std::mem::swap(coefficient, previous);
        }
        let (lo, hi) = (input_box.lower(), input_box.upper());
        self.lower = constant;
        for (k, &g) in coefficient.iter().enumerate() {
            self.corner[k] = if g >= 0.0 { lo[k] } else { hi[k] };
            self.lower += g * self.corner[k];
        }
        self.input_coefficients.copy_from_slice(coefficient);
        self.constant = constant;
    }

    /// The relaxed network's pre-activations at the last corner, each neuron through the line
    /// of the side it used in the last backward pass.
    fn forward_at_corner(&mut self, network: &Network, current: &CurrentLines) {
        let [h, next] = &mut self.work;
        h.clear();
        h.extend_from_slice(&self.corner);
        for (j, layer) in network.layers().iter().enumerate() {
            let offset = self.offsets[j];
            next.clear();
            for (i, (row, &b)) in layer.weights.outer_iter().zip(&layer.bias).enumerate() {
                let n = offset + i;
                let a = b + row_dot(row, h);
                self.pre_activations[n] = a;
                let below = self.coefficients[n] >= 0.0;
                next.push(current.side(n, below).at(a));
            }
            std::mem::swap(h, next);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{objective_relaxation, symbolic_bounds};
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use rand::SeedableRng;

    fn search(iterations: usize) -> SlopeSearch<'static> {
        SlopeSearch {
            iterations,
            enough: f64::INFINITY,
            warm_start: None,
        }
    }

    /// With no steps the bound is the fixed lines' bound; with steps it is never weaker, and
    /// it holds at sampled inputs (ReLU and clipped ReLU, both signs of the objective).
    #[test]
    fn optimised_bounds_are_sound_and_never_weaker() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(9);
        let mut improved = 0;
        for seed in 0..12u64 {
            let act = if seed % 3 == 2 {
                Activation::ClippedRelu { cap: 0.6 }
            } else {
                Activation::Relu
            };
            let net = random_network_with(&[3, 10, 8, 2], seed, act);
            let input_box = net.input_box().unwrap().clone();
            let bounds = symbolic_bounds(&net, &input_box);
            let weights = [1.0, if seed % 2 == 0 { -0.7 } else { 0.4 }];
            let fixed =
                optimised_objective_bound(&net, &weights, &bounds.layers, &input_box, search(0));
            let (lambda, mu) = objective_relaxation(&net, &weights, &bounds.layers, 0);
            // The same relaxation, stopped one layer lower (at a¹ rather than x).
            let first = &net.layers()[0];
            let g: Vec<f64> = (0..3)
                .map(|c| {
                    lambda
                        .iter()
                        .zip(first.weights.column(c))
                        .map(|(l, w)| l * w)
                        .sum()
                })
                .collect();
            let h = mu
                + lambda
                    .iter()
                    .zip(&first.bias)
                    .map(|(l, b)| l * b)
                    .sum::<f64>();
            for (a, b) in g.iter().zip(&fixed.input_coefficients) {
                assert!((a - b).abs() < 1e-9);
            }
            assert!((h - fixed.constant).abs() < 1e-9);
            let optimised =
                optimised_objective_bound(&net, &weights, &bounds.layers, &input_box, search(30));
            assert!(optimised.lower >= fixed.lower, "seed {seed}");
            if optimised.lower > fixed.lower + 1e-6 {
                improved += 1;
            }
            for _ in 0..2000 {
                let x = input_box.sample(&mut rng);
                let y = net.forward(&x);
                let value = weights[0] * y[0] + weights[1] * y[1];
                assert!(
                    optimised.lower <= value + 1e-9,
                    "seed {seed}: {} > {value}",
                    optimised.lower
                );
                let linear: f64 = optimised
                    .input_coefficients
                    .iter()
                    .zip(&x)
                    .map(|(g, x)| g * x)
                    .sum::<f64>()
                    + optimised.constant;
                assert!(linear <= value + 1e-9, "seed {seed}: the linear bound at x");
            }
        }
        assert!(
            improved >= 6,
            "chosen slopes tightened only {improved} of 12 bounds"
        );
    }
}
