//! Neuron stability: which phase a neuron is provably in, given its bounds.
//!
//! A ReLU neuron with pre-activation `a ∈ [L, U]` is *stably active* if `L ≥ 0` (then
//! `σ(a) = a`), *stably inactive* if `U ≤ 0` (then `σ(a) = 0`) and *unstable* otherwise; only
//! unstable neurons need a binary variable in the MILP, with big-M `M = max(−L, U)`.
//! A clipped ReLU `min(max(a, 0), c)` has two breakpoints: it is stable when `[L, U]` lies in
//! one of `(−∞, 0]`, `[0, c]`, `[c, ∞)`, and needs one binary per breakpoint inside `(L, U)`.

use crate::network::Activation;
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
}
