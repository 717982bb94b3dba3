//! The MILP's coefficient magnitudes as functions of the log-factors `t = log₂ s`.
//!
//! Rescaling multiplies a weight `Wᵢⱼ` of layer `k` by `sᵢᵏ / sⱼᵏ⁻¹`, a bias or bound of neuron
//! `i` by `sᵢ`; so `log₂|coefficient|` becomes `g + tᵢᵏ − tⱼᵏ⁻¹` (or `g + tᵢ`) with
//! `g = log₂|value|`. Both factor choices ([`super::balanced`], [`super::range`]) work on this
//! list. Coefficients below [`NEGLIGIBLE`] are left out: HiGHS treats them as zero.

use crate::bounds::{NetworkBounds, NeuronState, neuron_state};
use crate::lp::NEGLIGIBLE;
use crate::network::{Activation, Network};

/// Marks an unused slot of [`LogCoefficient::vars`].
pub(super) const NONE: (usize, f64) = (usize::MAX, 0.0);

/// One coefficient: `log₂|value| = g + Σ coef·t[var]` after rescaling.
pub(super) struct LogCoefficient {
    /// `log₂|value|` before rescaling.
    pub g: f64,
    /// Up to two `(variable, ±1)` terms; unused slots are [`NONE`].
    pub vars: [(usize, f64); 2],
}

/// The coefficients and the variable of every hidden neuron.
pub(super) struct LogCoefficients {
    /// Every nonzero weight, bias and bound of the hidden neurons.
    pub terms: Vec<LogCoefficient>,
    /// Variable of each hidden neuron (clipped-ReLU layers share one), per layer.
    pub var_of: Vec<Vec<usize>>,
    /// Number of variables.
    pub n_vars: usize,
}

/// Lists the coefficients of the big-M MILP of `network` with `bounds` that rescaling moves.
pub(super) fn log_coefficients(network: &Network, bounds: &NetworkBounds) -> LogCoefficients {
    let hidden = network.hidden_layers();
    // Variable index of every hidden neuron (clipped layers share one variable).
    let mut var_of: Vec<Vec<usize>> = Vec::with_capacity(hidden.len());
    let mut n_vars = 0;
    for layer in hidden {
        match layer.activation {
            Activation::ClippedRelu { .. } => {
                var_of.push(vec![n_vars; layer.outputs()]);
                n_vars += 1;
            }
            _ => {
                var_of.push((n_vars..n_vars + layer.outputs()).collect());
                n_vars += layer.outputs();
            }
        }
    }
    let mut terms = Vec::new();
    // Entries HiGHS would drop as zero must not pull the fit (a 1e-30 weight is log₂ ≈ −100).
    let log = |v: f64| (v.abs() >= NEGLIGIBLE && v.is_finite()).then(|| v.abs().log2());
    for (k, layer) in network.layers().iter().enumerate() {
        let row_var = |i: usize| (k < hidden.len()).then(|| var_of[k][i]);
        let col_var = |j: usize| (k > 0).then(|| var_of[k - 1][j]);
        for ((i, j), &w) in layer.weights.indexed_iter() {
            if let Some(g) = log(w) {
                terms.push(LogCoefficient {
                    g,
                    vars: [
                        row_var(i).map_or(NONE, |v| (v, 1.0)),
                        col_var(j).map_or(NONE, |v| (v, -1.0)),
                    ],
                });
            }
        }
        for (i, &b) in layer.bias.iter().enumerate() {
            if let Some(g) = log(b) {
                terms.push(LogCoefficient {
                    g,
                    vars: [row_var(i).map_or(NONE, |v| (v, 1.0)), NONE],
                });
            }
        }
        if k < hidden.len() {
            let b = &bounds.layers[k];
            for ((&var, &l), &u) in var_of[k].iter().zip(&b.lower).zip(&b.upper) {
                // Only bounds that appear in the MILP count: none for inactive neurons.
                if neuron_state(layer.activation, l, u) == NeuronState::StablyInactive {
                    continue;
                }
                for v in [l, u] {
                    if let Some(g) = log(v) {
                        terms.push(LogCoefficient {
                            g,
                            vars: [(var, 1.0), NONE],
                        });
                    }
                }
            }
        }
    }
    LogCoefficients {
        terms,
        var_of,
        n_vars,
    }
}
