//! Symbolic bounds by backward linear relaxation (CROWN / DeepPoly style).
//!
//! To bound `aᵏ = Wᵏhᵏ⁻¹ + bᵏ`, start from the coefficients `C = Wᵏ`, `d = bᵏ` and walk back
//! through the layers: each hidden output `hʲ = σ(aʲ)` is replaced by one of its relaxation
//! lines (the lower line where the coefficient is positive for a lower bound, the upper
//! line where it is negative, and conversely for an upper bound), and `aʲ = Wʲhʲ⁻¹ + bʲ` is
//! substituted, until `C` multiplies the input `x`. Then
//! `min_{x∈box} Cx + d = C⁺lo + C⁻hi + d`. Relaxations use the bounds of earlier layers,
//! computed the same way, so the cost is `O(Σₖ Σⱼ<ₖ nₖ nⱼ nⱼ₋₁)`.

use super::relaxation::{Relaxation, relaxation};
use super::{BoundMethod, LayerBounds, NetworkBounds, interval_layer};
use crate::network::{InputBox, Network, add_scaled_row};
use ndarray::{Array1, Array2};
use std::time::Instant;

/// Symbolic bounds of every layer of `network` over `input_box`.
pub fn symbolic_bounds(network: &Network, input_box: &InputBox) -> NetworkBounds {
    let start = Instant::now();
    let mut layers: Vec<LayerBounds> = Vec::with_capacity(network.layers().len());
    for k in 0..network.layers().len() {
        let bounds = symbolic_layer(network, input_box, &layers, k);
        layers.push(bounds);
    }
    NetworkBounds {
        method: BoundMethod::Symbolic,
        layers,
        time: start.elapsed(),
        lps_solved: 0,
        lp_iterations: 0,
        lps_by_highs: 0,
        stopped: None,
    }
}

/// Bounds of layer `k` (0-based) from the bounds `earlier` of layers `0..k`, intersected with
/// interval arithmetic on the last of them. Used on its own and as the start of LP-OBBT.
pub fn symbolic_layer(
    network: &Network,
    input_box: &InputBox,
    earlier: &[LayerBounds],
    k: usize,
) -> LayerBounds {
    let layers = network.layers();
    let target = &layers[k];
    if k == 0 {
        return interval_layer(target, input_box.lower(), input_box.upper());
    }
    let relaxations: Vec<Vec<Relaxation>> = (0..k)
        .map(|j| {
            let act = layers[j].activation;
            earlier[j]
                .lower
                .iter()
                .zip(&earlier[j].upper)
                .map(|(&l, &u)| relaxation(act, l, u))
                .collect()
        })
        .collect();
    let lower = backward(network, input_box, &relaxations, k, true);
    let upper = backward(network, input_box, &relaxations, k, false);
    // Interval arithmetic on the previous layer can be tighter for some neurons.
    let (lo, hi) = earlier[k - 1].activated(layers[k - 1].activation);
    let ia = interval_layer(target, &lo, &hi);
    let mut out = LayerBounds { lower, upper };
    out.intersect(&ia);
    out
}

/// Lower (`lower = true`) or upper bounds of `aᵏ` by backward substitution.
fn backward(
    network: &Network,
    input_box: &InputBox,
    relaxations: &[Vec<Relaxation>],
    k: usize,
    lower: bool,
) -> Vec<f64> {
    let layers = network.layers();
    let mut coef: Array2<f64> = layers[k].weights.clone();
    let mut constant: Array1<f64> = layers[k].bias.clone();
    for j in (0..k).rev() {
        // coef multiplies hʲ = σ(aʲ): replace each entry by the relaxation line that bounds
        // in the right direction, which leaves a coefficient on aʲ and a constant. In place,
        // row by row: ndarray's indexed `Zip` into a new matrix took a fifth of branching's
        // time.
        let rel = &relaxations[j];
        for (mut row, d) in coef.rows_mut().into_iter().zip(constant.iter_mut()) {
            for (c, r) in row.iter_mut().zip(rel) {
                let line = if (*c >= 0.0) == lower {
                    r.lower
                } else {
                    r.upper
                };
                *d += *c * line.intercept;
                *c *= line.slope;
            }
        }
        // aʲ = Wʲhʲ⁻¹ + bʲ.
        constant += &coef.dot(&layers[j].bias);
        coef = coef.dot(&layers[j].weights);
    }
    coef.outer_iter()
        .zip(&constant)
        .map(|(row, &d)| {
            row.iter()
                .zip(input_box.lower().iter().zip(input_box.upper()))
                .fold(d, |acc, (&c, (&lo, &hi))| {
                    let pick_lo = (c >= 0.0) == lower;
                    acc + c * if pick_lo { lo } else { hi }
                })
        })
        .collect()
}

/// A linear lower bound of the objective `vᵀσ(aᴸ)` (`σ` the output layer's activation) in
/// terms of the pre-activations of layer `k`: `(λ, μ)` with `vᵀσ(aᴸ) ≥ λᵀaᵏ + μ` wherever
/// the pre-activations of layers `k..=L` lie in `bounds` (`bounds[0]` for layer `k`).
///
/// Backward substitution as in [`symbolic_bounds`], for one row: each `σ(aʲᵢ)` is replaced by
/// its lower relaxation line where its coefficient is positive and its upper line where it is
/// negative, and `aʲ = Wʲσ(aʲ⁻¹) + bʲ` is substituted, down to `aᵏ`.
pub fn objective_relaxation(
    network: &Network,
    weights: &[f64],
    bounds: &[LayerBounds],
    k: usize,
) -> (Vec<f64>, f64) {
    let layers = network.layers();
    let mut coefficient = weights.to_vec();
    let mut constant = 0.0;
    for j in (k..layers.len()).rev() {
        let b = &bounds[j - k];
        let act = layers[j].activation;
        // Coefficients on σ(aʲ) become coefficients on aʲ.
        for (i, v) in coefficient.iter_mut().enumerate() {
            let rel = relaxation(act, b.lower[i], b.upper[i]);
            let line = if *v >= 0.0 { rel.lower } else { rel.upper };
            constant += *v * line.intercept;
            *v *= line.slope;
        }
        if j == k {
            break;
        }
        let layer = &layers[j];
        constant += coefficient
            .iter()
            .zip(&layer.bias)
            .map(|(v, b)| v * b)
            .sum::<f64>();
        let mut previous = vec![0.0; layer.inputs()];
        for (row, &v) in layer.weights.outer_iter().zip(&coefficient) {
            if v != 0.0 {
                add_scaled_row(&mut previous, v, row);
            }
        }
        coefficient = previous;
    }
    (coefficient, constant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use rand::SeedableRng;

    #[test]
    fn symbolic_bounds_are_sound_and_inside_interval_bounds() {
        for depth in 1..=5 {
            for (seed, act) in [
                (depth as u64, Activation::Relu),
                (100 + depth as u64, Activation::ClippedRelu { cap: 0.8 }),
            ] {
                let mut widths = vec![3];
                widths.extend(std::iter::repeat_n(12, depth));
                widths.push(2);
                let net = random_network_with(&widths, seed, act);
                let b = net.input_box().unwrap().clone();
                let sym = symbolic_bounds(&net, &b);
                let ia = interval_bounds(&net, &b);
                for (s, i) in sym.layers.iter().zip(&ia.layers) {
                    for n in 0..s.len() {
                        assert!(s.lower[n] >= i.lower[n] - 1e-9 && s.upper[n] <= i.upper[n] + 1e-9);
                        assert!(s.lower[n] <= s.upper[n]);
                    }
                }
                let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
                for _ in 0..3000 {
                    let x = b.sample(&mut rng);
                    for (a, lb) in net.preactivations(&x).iter().zip(&sym.layers) {
                        assert!(lb.contains(a, 1e-9), "depth {depth} {act:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn symbolic_is_strictly_tighter_on_deep_networks() {
        let net = random_network_with(&[2, 20, 20, 20, 1], 3, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let width = |nb: &NetworkBounds| -> f64 { nb.output().upper[0] - nb.output().lower[0] };
        assert!(width(&symbolic_bounds(&net, &b)) < width(&interval_bounds(&net, &b)));
    }
}
