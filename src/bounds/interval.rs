//! Interval arithmetic.
//!
//! With `W⁺ = max(W, 0)` and `W⁻ = min(W, 0)`, the pre-activation of a layer whose inputs lie
//! in `[l, u]` satisfies `W⁺l + W⁻u + b ≤ a ≤ W⁺u + W⁻l + b`; the next layer's inputs lie in
//! `[σ(L), σ(U)]` because `σ` is monotone. Exact for the first layer on a box, loose beyond:
//! the widths grow roughly by `‖|W|‖` per layer.

use super::{BoundMethod, LayerBounds, NetworkBounds};
use crate::network::{InputBox, Layer, Network};
use std::time::Instant;

/// Pre-activation bounds of `layer` for inputs in `[lower, upper]`.
pub fn interval_layer(layer: &Layer, lower: &[f64], upper: &[f64]) -> LayerBounds {
    let n = layer.outputs();
    let mut out = LayerBounds {
        lower: Vec::with_capacity(n),
        upper: Vec::with_capacity(n),
    };
    // With finite ends, `W⁺l + W⁻u` in four running sums without a branch per weight (the
    // weights' signs are random: a mispredicted branch per weight and a single running sum
    // took most of branching's interval time). An infinite end would give `0·∞` there.
    let finite = lower.iter().chain(upper).all(|v| v.is_finite());
    for (row, &b) in layer.weights.outer_iter().zip(&layer.bias) {
        let (lo, hi) = match row.as_slice() {
            Some(w) if finite => interval_row(w, lower, upper),
            _ => row
                .iter()
                .zip(lower)
                .zip(upper)
                .fold((0.0, 0.0), |(lo, hi), ((&w, &l), &u)| {
                    if w >= 0.0 {
                        (lo + w * l, hi + w * u)
                    } else {
                        (lo + w * u, hi + w * l)
                    }
                }),
        };
        out.lower.push(b + lo);
        out.upper.push(b + hi);
    }
    out
}

/// `(Σ w⁺l + w⁻u, Σ w⁺u + w⁻l)` over the common length, for finite `l`, `u`. `w⁻ = w − w⁺`
/// rather than `min(w, 0)`: a NaN weight then gives NaN ends, as the branching form does
/// (`max` drops a NaN).
#[inline]
fn interval_row(w: &[f64], l: &[f64], u: &[f64]) -> (f64, f64) {
    let len = w.len().min(l.len()).min(u.len());
    let (w, l, u) = (&w[..len], &l[..len], &u[..len]);
    let (mut lo, mut hi) = ([0.0_f64; 4], [0.0_f64; 4]);
    let (w4, l4, u4) = (w.chunks_exact(4), l.chunks_exact(4), u.chunks_exact(4));
    let (wr, lr, ur) = (w4.remainder(), l4.remainder(), u4.remainder());
    for ((w, l), u) in w4.zip(l4).zip(u4) {
        for k in 0..4 {
            let positive = w[k].max(0.0);
            let negative = w[k] - positive;
            lo[k] += positive * l[k] + negative * u[k];
            hi[k] += positive * u[k] + negative * l[k];
        }
    }
    let (mut lo_tail, mut hi_tail) = (0.0, 0.0);
    for ((&w, &l), &u) in wr.iter().zip(lr).zip(ur) {
        let positive = w.max(0.0);
        let negative = w - positive;
        lo_tail += positive * l + negative * u;
        hi_tail += positive * u + negative * l;
    }
    (
        (lo[0] + lo[1]) + (lo[2] + lo[3]) + lo_tail,
        (hi[0] + hi[1]) + (hi[2] + hi[3]) + hi_tail,
    )
}

/// Interval bounds of every layer of `network` over `input_box`.
///
/// The box must have the network's input dimension (checked by [`Network::set_box`]).
pub fn interval_bounds(network: &Network, input_box: &InputBox) -> NetworkBounds {
    let start = Instant::now();
    let mut lower = input_box.lower().to_vec();
    let mut upper = input_box.upper().to_vec();
    let mut layers = Vec::with_capacity(network.layers().len());
    for layer in network.layers() {
        let bounds = interval_layer(layer, &lower, &upper);
        (lower, upper) = bounds
            .lower
            .iter()
            .zip(&bounds.upper)
            .map(|(&l, &u)| layer.activation.apply_interval(l, u))
            .unzip();
        layers.push(bounds);
    }
    NetworkBounds {
        method: BoundMethod::Interval,
        layers,
        time: start.elapsed(),
        lps_solved: 0,
        lp_iterations: 0,
        lps_by_highs: 0,
        stopped: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Activation;
    use crate::network::tests::{random_network, random_network_with};

    /// The branch-free sums (finite ends, rows of 1–9 weights) agree with the per-weight
    /// branching form, and a NaN weight gives NaN ends in both forms.
    #[test]
    fn branch_free_sums_match_the_branching_form() {
        for inputs in 1..10 {
            let weights = ndarray::Array2::from_shape_fn((3, inputs), |(i, j)| {
                ((i * 7 + j * 3) % 5) as f64 - 2.2
            });
            let layer = Layer::new(
                weights.clone(),
                ndarray::array![0.5, -1.0, 0.0],
                Activation::Relu,
            );
            let lower: Vec<f64> = (0..inputs).map(|j| -1.0 - j as f64).collect();
            let upper: Vec<f64> = (0..inputs).map(|j| 0.5 * j as f64).collect();
            let fast = interval_layer(&layer, &lower, &upper);
            let mut infinite = upper.clone();
            infinite.push(f64::INFINITY); // an extra end, unused, sends it down the other path
            let slow = interval_layer(&layer, &lower, &infinite);
            for n in 0..3 {
                assert!((fast.lower[n] - slow.lower[n]).abs() < 1e-12, "{inputs}");
                assert!((fast.upper[n] - slow.upper[n]).abs() < 1e-12, "{inputs}");
                assert!(fast.lower[n] <= fast.upper[n]);
            }
            let mut nan = weights;
            nan[[1, inputs - 1]] = f64::NAN;
            let nan_layer = Layer::new(nan, ndarray::array![0.0, 0.0, 0.0], Activation::Relu);
            let b = interval_layer(&nan_layer, &lower, &upper);
            assert!(b.lower[1].is_nan() && b.upper[1].is_nan(), "{inputs}");
            assert!(b.lower[0].is_finite());
        }
    }
    use rand::SeedableRng;

    #[test]
    fn first_layer_bounds_are_exact_on_a_box() {
        let net = random_network(&[2, 4, 1], 5);
        let b = net.input_box().unwrap();
        let bounds = interval_bounds(&net, b);
        // The extremes of an affine function over a box are attained at corners.
        for i in 0..4 {
            let vals: Vec<f64> = (0..4)
                .map(|k| net.preactivations(&b.corner(k))[0][i])
                .collect();
            let min = vals.iter().cloned().fold(f64::INFINITY, f64::min);
            let max = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            assert!((bounds.layers[0].lower[i] - min).abs() < 1e-12);
            assert!((bounds.layers[0].upper[i] - max).abs() < 1e-12);
        }
    }

    #[test]
    fn bounds_contain_sampled_preactivations() {
        for (seed, hidden) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.5 }),
        ] {
            let net = random_network_with(&[3, 10, 10, 10, 2], seed, hidden);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            for _ in 0..2000 {
                let x = b.sample(&mut rng);
                for (a, lb) in net.preactivations(&x).iter().zip(&bounds.layers) {
                    assert!(lb.contains(a, 1e-12));
                }
            }
        }
    }
}
