//! A lower bound of the objective over one box of inputs, and where to split the box.
//!
//! On the box `B = [l, u]`, symbolic bounds give every layer's pre-activation bounds; the
//! backward relaxation of the objective ([`objective_relaxation`]) down to the first layer,
//! `vᵀf(x) ≥ λᵀ(W¹x + b¹) + μ = gᵀx + h`, is minimised over the box at the corner
//! `x_j = l_j` if `g_j ≥ 0`, else `u_j`:
//!
//! `β(B) = max( Σⱼ min(g_j l_j, g_j u_j) + h,  Σᵢ vᵢ·[Lᴸᵢ, Uᴸᵢ] )`,
//!
//! the second term being the interval bound from the output layer's symbolic bounds. The
//! minimising corner and the centre are the box's incumbent candidates. As the box shrinks,
//! neurons become stable and the relaxation becomes exact on them.

use crate::bounds::{LayerBounds, NeuronState, neuron_state, objective_relaxation, symbolic_layer};
use crate::network::{InputBox, Network};

/// What bounding one box gives.
#[derive(Debug, Clone)]
pub(crate) struct BoxBound {
    /// `β(B)`: no input of the box has a smaller objective.
    pub lower: f64,
    /// Hidden neurons with a breakpoint strictly inside their bounds on the box.
    pub unstable: usize,
    /// The best of the box's candidates (centre, the bound's corner) and its value.
    pub candidate: (Vec<f64>, f64),
    /// Per input: `|g_j|·(u_j − l_j)`, how much of the bound's slack that side carries.
    pub split_scores: Vec<f64>,
    /// The pre-activation bounds of every layer on the box (a part of the box inherits them).
    pub layers: Vec<LayerBounds>,
}

/// Bounds `weights · f(x)` over `input_box`, a part of a box whose layer bounds were
/// `inherited` (they hold here too and are intersected with the box's own, layer by layer,
/// so that later layers are relaxed with the tighter of both).
pub(crate) fn bound_box(
    network: &Network,
    weights: &[f64],
    input_box: &InputBox,
    inherited: Option<&[LayerBounds]>,
) -> BoxBound {
    let (lo, hi) = (input_box.lower(), input_box.upper());
    let layers = network.layers();
    let mut bounds: Vec<LayerBounds> = Vec::with_capacity(layers.len());
    for k in 0..layers.len() {
        let mut own = symbolic_layer(network, input_box, &bounds, k);
        if let Some(parent) = inherited.map(|p| &p[k]) {
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
    let (lambda, mu) = objective_relaxation(network, weights, &bounds, 0);
    let first = &layers[0];
    let mut g = vec![0.0; network.input_dim()];
    for (row, &l) in first.weights.outer_iter().zip(&lambda) {
        if l != 0.0 {
            g.iter_mut().zip(row).for_each(|(gj, &w)| *gj += l * w);
        }
    }
    let h = mu
        + lambda
            .iter()
            .zip(&first.bias)
            .map(|(l, b)| l * b)
            .sum::<f64>();
    let corner: Vec<f64> = g
        .iter()
        .zip(lo.iter().zip(hi))
        .map(|(&gj, (&l, &u))| if gj >= 0.0 { l } else { u })
        .collect();
    let linear = h + g.iter().zip(&corner).map(|(a, b)| a * b).sum::<f64>();
    let output = &bounds[layers.len() - 1];
    let last = layers[layers.len() - 1].activation;
    let interval: f64 = weights
        .iter()
        .zip(output.lower.iter().zip(&output.upper))
        .map(|(&v, (&l, &u))| {
            let (sl, su) = last.apply_interval(l, u);
            if v >= 0.0 { v * sl } else { v * su }
        })
        .sum();
    let value = |x: &[f64]| -> f64 {
        let y = network.forward(x);
        weights.iter().zip(&y).map(|(v, y)| v * y).sum()
    };
    let centre = input_box.center();
    let (vc, vk) = (value(&centre), value(&corner));
    let candidate = if vk < vc || vc.is_nan() {
        (corner, vk)
    } else {
        (centre, vc)
    };
    let split_scores = g
        .iter()
        .zip(lo.iter().zip(hi))
        .map(|(gj, (l, u))| gj.abs() * (u - l))
        .collect();
    BoxBound {
        lower: linear.max(interval),
        unstable,
        candidate,
        split_scores,
        layers: bounds,
    }
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
                let bound = bound_box(&net, &weights, &b, None);
                let value = |x: &[f64]| {
                    let y = net.forward(x);
                    weights[0] * y[0] + weights[1] * y[1]
                };
                for _ in 0..500 {
                    let x = b.sample(&mut rng);
                    assert!(bound.lower <= value(&x) + 1e-9, "seed {seed} size {size}");
                }
                let (x, v) = &bound.candidate;
                assert!(b.contains(x, 0.0));
                assert!((value(x) - v).abs() < 1e-12);
                assert!(bound.lower <= *v + 1e-9);
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
        let bound = bound_box(&net, &[1.0], &b, None);
        assert_eq!(bound.unstable, 0);
        let corners = (0..8).map(|k| net.forward(&b.corner(k))[0]);
        let min = corners.fold(f64::INFINITY, f64::min);
        assert!((bound.lower - min).abs() < 1e-9, "{} vs {min}", bound.lower);
    }
}
