//! Neuron stability and the per-layer figures of the big-M MILP.
//!
//! A ReLU neuron with pre-activation `a ∈ [L, U]` is *stably active* if `L ≥ 0` (then
//! `σ(a) = a`), *stably inactive* if `U ≤ 0` (then `σ(a) = 0`) and *unstable* otherwise; only
//! unstable neurons need a binary variable in the MILP, with big-M `M = max(−L, U)`.
//! A clipped ReLU `min(max(a, 0), c)` has two breakpoints: it is stable when `[L, U]` lies in
//! one of `(−∞, 0]`, `[0, c]`, `[c, ∞)`, and needs one binary per breakpoint inside `(L, U)`.

use crate::bounds::{LayerBounds, NetworkBounds};
use crate::network::{Activation, Network};
use serde::Serialize;

/// The phase a neuron is provably in over the whole box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeuronState {
    /// `U ≤ 0`: the output is constantly 0.
    StablyInactive,
    /// `L ≥ 0` (and `U ≤ c` for clipped ReLU): the neuron is linear, `σ(a) = a`.
    StablyActive,
    /// Clipped ReLU with `L ≥ c`: the output is constantly `c`.
    StablySaturated,
    /// A breakpoint lies strictly inside `(L, U)`.
    Unstable,
    /// The linear output layer: no breakpoint, nothing to classify.
    Linear,
}

impl NeuronState {
    /// Whether the neuron needs no binary variable.
    pub fn is_stable(self) -> bool {
        !matches!(self, NeuronState::Unstable)
    }
}

/// Classifies a neuron with activation `activation` and pre-activation bounds `[l, u]`.
pub fn neuron_state(activation: Activation, l: f64, u: f64) -> NeuronState {
    match activation {
        Activation::Linear => NeuronState::Linear,
        _ if u <= 0.0 => NeuronState::StablyInactive,
        Activation::Relu if l >= 0.0 => NeuronState::StablyActive,
        Activation::ClippedRelu { cap } if l >= cap => NeuronState::StablySaturated,
        Activation::ClippedRelu { cap } if l >= 0.0 && u <= cap => NeuronState::StablyActive,
        _ => NeuronState::Unstable,
    }
}

/// Binary variables the exact MILP encoding needs: one per breakpoint strictly inside `(l, u)`.
pub fn binaries_needed(activation: Activation, l: f64, u: f64) -> usize {
    match activation {
        Activation::Linear => 0,
        Activation::Relu => usize::from(l < 0.0 && u > 0.0),
        Activation::ClippedRelu { cap } => {
            usize::from(l < 0.0 && u > 0.0) + usize::from(l < cap && u > cap)
        }
    }
}

/// The big-M constant of a neuron, `M = max(−L, U)`.
pub fn big_m(l: f64, u: f64) -> f64 {
    (-l).max(u)
}

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

/// The median of sorted values (mean of the two middle ones for an even count).
pub(crate) fn median_of_sorted(values: &[f64]) -> Option<f64> {
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some(0.5 * (values[n / 2 - 1] + values[n / 2])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_relu_neurons() {
        let r = Activation::Relu;
        assert_eq!(neuron_state(r, -2.0, -0.5), NeuronState::StablyInactive);
        assert_eq!(neuron_state(r, -2.0, 0.0), NeuronState::StablyInactive);
        assert_eq!(neuron_state(r, 0.0, 3.0), NeuronState::StablyActive);
        assert_eq!(neuron_state(r, -1.0, 3.0), NeuronState::Unstable);
        assert_eq!(binaries_needed(r, -1.0, 3.0), 1);
        assert_eq!(big_m(-1.0, 3.0), 3.0);
        assert_eq!(big_m(-4.0, 3.0), 4.0);
    }

    #[test]
    fn classifies_clipped_relu_neurons_by_both_breakpoints() {
        let c = Activation::ClippedRelu { cap: 1.0 };
        assert_eq!(neuron_state(c, -2.0, 0.0), NeuronState::StablyInactive);
        assert_eq!(neuron_state(c, 0.2, 0.9), NeuronState::StablyActive);
        assert_eq!(neuron_state(c, 1.0, 5.0), NeuronState::StablySaturated);
        assert_eq!(neuron_state(c, -1.0, 0.5), NeuronState::Unstable);
        assert_eq!(neuron_state(c, 0.5, 1.5), NeuronState::Unstable);
        assert_eq!(binaries_needed(c, -1.0, 0.5), 1);
        assert_eq!(binaries_needed(c, 0.5, 1.5), 1);
        assert_eq!(binaries_needed(c, -1.0, 1.5), 2);
        assert_eq!(binaries_needed(c, 1.0, 1.5), 0);
    }

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
