//! The per-layer figures of the big-M MILP: stable neurons, binaries and big-M.

use crate::bounds::{
    LayerBounds, NetworkBounds, NeuronState, big_m, binaries_needed, neuron_state,
};
use crate::network::{Activation, Network};
use crate::numbers::median_of_sorted;
use serde::Serialize;

/// Figures for one layer under one set of bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerStats {
    /// 1-based layer index; the output layer is last.
    pub index: usize,
    /// `relu`, `clipped_relu` or `linear`.
    pub activation: &'static str,
    /// Neurons in the layer.
    pub neurons: usize,
    /// Neurons with `L ≥ 0` (and `U ≤ c` for clipped ReLU).
    pub stably_active: usize,
    /// Neurons with `U ≤ 0`.
    pub stably_inactive: usize,
    /// Clipped-ReLU neurons with `L ≥ c`.
    pub stably_saturated: usize,
    /// Neurons with a breakpoint inside `(L, U)`.
    pub unstable: usize,
    /// `100 · stable / neurons` (null for the output layer).
    pub stable_percent: Option<f64>,
    /// Binary variables this layer adds to the MILP.
    pub binaries: usize,
    /// Largest `M = max(−L, U)` over unstable neurons (null if none is unstable).
    pub max_big_m: Option<f64>,
    /// Median of `M` over unstable neurons (null if none is unstable).
    pub median_big_m: Option<f64>,
    /// Largest `max(|L|, |U|)` over all neurons of the layer.
    pub max_abs_bound: f64,
}

/// Per-layer statistics, hidden layers first, the output layer last.
pub fn layer_stats(network: &Network, bounds: &NetworkBounds) -> Vec<LayerStats> {
    network
        .layers()
        .iter()
        .zip(&bounds.layers)
        .enumerate()
        .map(|(k, (layer, b))| one_layer_stats(k + 1, layer.activation, b))
        .collect()
}

fn one_layer_stats(index: usize, activation: Activation, b: &LayerBounds) -> LayerStats {
    let mut stats = LayerStats {
        index,
        activation: activation.name(),
        neurons: b.len(),
        stably_active: 0,
        stably_inactive: 0,
        stably_saturated: 0,
        unstable: 0,
        stable_percent: None,
        binaries: 0,
        max_big_m: None,
        median_big_m: None,
        max_abs_bound: 0.0,
    };
    let mut big_ms = Vec::new();
    for (&l, &u) in b.lower.iter().zip(&b.upper) {
        stats.max_abs_bound = stats.max_abs_bound.max(l.abs()).max(u.abs());
        stats.binaries += binaries_needed(activation, l, u);
        match neuron_state(activation, l, u) {
            NeuronState::StablyActive => stats.stably_active += 1,
            NeuronState::StablyInactive => stats.stably_inactive += 1,
            NeuronState::StablySaturated => stats.stably_saturated += 1,
            NeuronState::Unstable => {
                stats.unstable += 1;
                big_ms.push(big_m(l, u));
            }
            NeuronState::Linear => {}
        }
    }
    if activation.is_piecewise() && stats.neurons > 0 {
        let stable = stats.neurons - stats.unstable;
        stats.stable_percent = Some(100.0 * stable as f64 / stats.neurons as f64);
    }
    big_ms.sort_by(f64::total_cmp);
    stats.max_big_m = big_ms.last().copied();
    stats.median_big_m = median_of_sorted(&big_ms);
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_statistics_count_and_summarise() {
        let b = LayerBounds {
            lower: vec![-1.0, 0.5, -3.0, -2.0, -1.0],
            upper: vec![2.0, 1.0, -1.0, 1.0, 4.0],
        };
        let s = one_layer_stats(1, Activation::Relu, &b);
        assert_eq!(
            (s.stably_active, s.stably_inactive, s.unstable, s.binaries),
            (1, 1, 3, 3)
        );
        // M over unstable neurons: 2, 2, 4 → max 4, median 2.
        assert_eq!(s.max_big_m, Some(4.0));
        assert_eq!(s.median_big_m, Some(2.0));
        assert_eq!(s.max_abs_bound, 4.0);
        assert_eq!(s.stable_percent, Some(40.0));
        assert_eq!(median_of_sorted(&[1.0, 2.0, 3.0, 10.0]), Some(2.5));
        let out = one_layer_stats(2, Activation::Linear, &b);
        assert_eq!(
            (out.unstable, out.binaries, out.stable_percent),
            (0, 0, None)
        );
    }
}
