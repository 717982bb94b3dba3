//! Function-preserving rescaling of a ReLU network.
//!
//! ReLU is positively homogeneous: `σ(s·a) = s·σ(a)` for `s > 0`. With a factor `sᵢᵏ > 0`
//! per hidden neuron and `Dᵏ = diag(sᵏ)` (inputs and outputs keep factor 1),
//!
//! `W̃ᵏ = Dᵏ Wᵏ (Dᵏ⁻¹)⁻¹`,  `b̃ᵏ = Dᵏ bᵏ`
//!
//! computes the same function while neuron `i`'s pre-activation, and so its bounds and its
//! big-M, are multiplied by `sᵢ`. A clipped ReLU `min(max(a, 0), c)` satisfies
//! `s·clip_c(a) = clip_{s·c}(s·a)`; since the cap is one number per layer, a clipped-ReLU
//! layer gets one factor for all its neurons (and its cap is scaled by it).
//!
//! Two choices of `s` are offered ([`ScalingMethod`]):
//! - **balanced** (the reconstruction of the study's convex problem): choose `tᵢ = log₂ sᵢ`
//!   to minimise the spread of `log₂|coefficient|` over the MILP — every nonzero weight
//!   (`log₂|Wᵢⱼ| + tᵢᵏ − tⱼᵏ⁻¹`), bias (`log₂|bᵢ| + tᵢ`) and nonzero bound `|L|`, `|U|`
//!   (`+ tᵢ`) — in least squares around a free common level `μ`:
//!   `min_{t, μ} Σₑ (gₑ + (At)ₑ − μ)²`. The normal equations are a sparse, Laplacian-like
//!   system solved by conjugate gradients. The optimal `t` is rounded to integers, so every
//!   factor is a power of two and rescaling introduces no rounding error at all.
//! - **unit**: `sᵢ = 1 / max(−Lᵢ, Uᵢ)`, so every big-M becomes 1 (per layer for clipped ReLU:
//!   the largest big-M of the layer becomes 1).

mod balanced;
mod coefficients;
mod range;

use crate::bounds::{LayerBounds, NetworkBounds, NeuronState, big_m, neuron_state};
use crate::formulation::{NetworkModel, Objective};
use crate::lp::Sense;
use crate::network::{Activation, InputBox, Layer, Network, NetworkError};
use serde::Serialize;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Why a rescaling could not be made.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScalingError {
    /// The rescaled network is invalid (a factor overflowed a weight).
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    /// The LP choosing the factors failed.
    #[error("choosing the scale factors failed: {0}")]
    Solver(String),
    /// A factor would push a coefficient beyond the magnitude limit: this rescaling does not
    /// suit this network and box (the network itself is fine).
    #[error(
        "this rescaling would make {what} of layer {layer} {value:e}, beyond {max:e} in \
         magnitude; choose another rescaling (or none)",
        max = crate::network::limits::MAX_MAGNITUDE
    )]
    FactorTooLarge {
        /// 1-based layer index.
        layer: usize,
        /// Which entry.
        what: String,
        /// The rescaled value.
        value: f64,
    },
}

pub use balanced::balanced_log2_factors;
pub use range::min_range_log2_factors;

/// How to choose the rescaling factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMethod {
    /// No rescaling.
    None,
    /// Least-squares balancing of `log₂|coefficient|`, power-of-two factors.
    Balanced,
    /// Minimal max/min ratio of the coefficient magnitudes (LP), power-of-two factors.
    Range,
    /// Every big-M set to 1.
    Unit,
}

impl ScalingMethod {
    /// Every method.
    pub const ALL: [ScalingMethod; 4] = [
        ScalingMethod::None,
        ScalingMethod::Balanced,
        ScalingMethod::Range,
        ScalingMethod::Unit,
    ];

    /// Short name for the command line and JSON.
    pub fn key(self) -> &'static str {
        match self {
            ScalingMethod::None => "none",
            ScalingMethod::Balanced => "balanced",
            ScalingMethod::Range => "range",
            ScalingMethod::Unit => "unit",
        }
    }

    /// The method with the short name `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    /// One sentence on what the rescaling does, for tooltips and help.
    pub fn description(self) -> &'static str {
        match self {
            ScalingMethod::None => "The network as trained.",
            ScalingMethod::Balanced => {
                "Rescales each hidden neuron by a power of two chosen to balance the magnitudes \
                 of all MILP coefficients (least squares on log₂|coefficient|); same function."
            }
            ScalingMethod::Range => {
                "Rescales each hidden neuron by a power of two chosen to minimise the ratio of the \
                 largest to the smallest MILP coefficient (an LP); same function."
            }
            ScalingMethod::Unit => {
                "Rescales each hidden neuron so that its big-M is 1; same function."
            }
        }
    }

    /// A human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            ScalingMethod::None => "no scaling",
            ScalingMethod::Balanced => "balanced (least-squares, powers of two)",
            ScalingMethod::Range => "min-range (LP, powers of two)",
            ScalingMethod::Unit => "unit big-M",
        }
    }
}

/// One positive factor per hidden neuron, layer by layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleFactors {
    /// `sᵏᵢ` for every hidden layer `k`.
    pub layers: Vec<Vec<f64>>,
}

impl ScaleFactors {
    /// All factors 1.
    pub fn identity(network: &Network) -> Self {
        Self {
            layers: network
                .hidden_layers()
                .iter()
                .map(|l| vec![1.0; l.outputs()])
                .collect(),
        }
    }
}

/// Chooses factors for `network` over `input_box` given its (unscaled) bounds.
pub fn choose_factors(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
    method: ScalingMethod,
) -> Result<ScaleFactors, ScalingError> {
    let powers_of_two = |t: Vec<Vec<i32>>| ScaleFactors {
        layers: t
            .iter()
            .map(|layer| layer.iter().map(|&t| 2f64.powi(t)).collect())
            .collect(),
    };
    Ok(match method {
        ScalingMethod::None => ScaleFactors::identity(network),
        ScalingMethod::Balanced => powers_of_two(balanced_log2_factors(network, bounds)),
        ScalingMethod::Range => powers_of_two(
            min_range_log2_factors(network, input_box, bounds)
                .map_err(|e| ScalingError::Solver(e.to_string()))?,
        ),
        ScalingMethod::Unit => unit_factors(network, bounds),
    })
}

fn unit_factors(network: &Network, bounds: &NetworkBounds) -> ScaleFactors {
    let layers = network
        .hidden_layers()
        .iter()
        .zip(bounds.hidden())
        .map(|(layer, b)| {
            let per_neuron: Vec<f64> = b
                .lower
                .iter()
                .zip(&b.upper)
                .map(|(&l, &u)| match neuron_state(layer.activation, l, u) {
                    NeuronState::Unstable => 1.0 / big_m(l, u),
                    NeuronState::StablyActive if u > 0.0 => 1.0 / u,
                    _ => 1.0,
                })
                .collect();
            match layer.activation {
                Activation::ClippedRelu { .. } => {
                    // One factor per clipped layer: the largest big-M of the layer becomes 1.
                    let s = per_neuron.iter().copied().fold(f64::INFINITY, f64::min);
                    vec![if s.is_finite() { s } else { 1.0 }; per_neuron.len()]
                }
                _ => per_neuron,
            }
        })
        .collect();
    ScaleFactors { layers }
}

/// The rescaled network `W̃ᵏ = Dᵏ Wᵏ (Dᵏ⁻¹)⁻¹`, `b̃ᵏ = Dᵏ bᵏ` (clipped caps scaled too).
///
/// Every factor must be positive and finite, and a clipped-ReLU layer needs one common factor
/// (its cap is one number); otherwise the network is returned unchanged with an error.
pub fn rescale_network(
    network: &Network,
    factors: &ScaleFactors,
) -> Result<Network, crate::network::NetworkError> {
    let n = network.layers().len();
    for (k, (layer, s)) in network
        .hidden_layers()
        .iter()
        .zip(&factors.layers)
        .enumerate()
    {
        let bad = |message: String| crate::network::NetworkError::Activation {
            layer: k + 1,
            message,
        };
        if s.len() != layer.outputs() {
            return Err(bad(format!(
                "{} scale factors for {} neurons",
                s.len(),
                layer.outputs()
            )));
        }
        if let Some(v) = s.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(bad(format!("scale factor {v} is not positive and finite")));
        }
        if matches!(layer.activation, Activation::ClippedRelu { .. })
            && s.iter().any(|&v| v != s[0])
        {
            return Err(bad(
                "a clipped-ReLU layer needs one common scale factor".into()
            ));
        }
    }
    if factors.layers.len() != network.hidden_layers().len() {
        return Err(crate::network::NetworkError::Shape {
            layer: 0,
            message: format!(
                "scale factors for {} hidden layers, the network has {}",
                factors.layers.len(),
                network.hidden_layers().len()
            ),
        });
    }
    let ones_in = vec![1.0; network.input_dim()];
    let layers: Vec<Layer> = network
        .layers()
        .iter()
        .enumerate()
        .map(|(k, layer)| {
            let s_in: &[f64] = if k == 0 {
                &ones_in
            } else {
                &factors.layers[k - 1]
            };
            let s_out: Option<&[f64]> = (k + 1 < n).then(|| factors.layers[k].as_slice());
            let mut w = layer.weights.clone();
            let mut b = layer.bias.clone();
            for ((i, j), v) in w.indexed_iter_mut() {
                let out = s_out.map_or(1.0, |s| s[i]);
                *v = *v * out / s_in[j];
            }
            if let Some(s) = s_out {
                b.iter_mut().zip(s).for_each(|(v, s)| *v *= s);
            }
            let activation = match (layer.activation, s_out) {
                (Activation::ClippedRelu { cap }, Some(s)) => Activation::ClippedRelu {
                    cap: cap * s.first().copied().unwrap_or(1.0),
                },
                (a, _) => a,
            };
            Layer::new(w, b, activation)
        })
        .collect();
    let mut scaled = Network::new(layers, network.input_box().cloned())?;
    scaled.name = network.name.clone();
    scaled.metadata = network.metadata.clone();
    Ok(scaled)
}

/// The bounds of the rescaled network: hidden bounds times `s`, output bounds unchanged.
pub fn rescale_bounds(bounds: &NetworkBounds, factors: &ScaleFactors) -> NetworkBounds {
    let mut out = bounds.clone();
    for (layer, s) in out.layers.iter_mut().zip(&factors.layers) {
        for ((l, u), s) in layer.lower.iter_mut().zip(&mut layer.upper).zip(s) {
            *l *= s;
            *u *= s;
        }
    }
    out
}

/// What a rescaling did, layer by layer and to the whole MILP.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScalingReport {
    /// The method.
    pub method: ScalingMethod,
    /// Time spent choosing the factors and rescaling.
    #[serde(serialize_with = "serialize_seconds")]
    pub time: Duration,
    /// The factors.
    pub factors: ScaleFactors,
    /// Per hidden layer: big-M of every neuron before (`M = max(−L, U)`, 0 if stable).
    pub big_m_before: Vec<Vec<f64>>,
    /// Per hidden layer: big-M of every neuron after.
    pub big_m_after: Vec<Vec<f64>>,
    /// Smallest and largest |coefficient| of the whole MILP before rescaling.
    pub coefficient_range_before: Option<(f64, f64)>,
    /// Smallest and largest |coefficient| of the whole MILP after rescaling.
    pub coefficient_range_after: Option<(f64, f64)>,
}

fn serialize_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// A network and bounds ready for the MILP, after an optional rescaling.
#[derive(Debug, Clone)]
pub struct ScaledProblem {
    /// The (rescaled) network.
    pub network: Network,
    /// Its bounds.
    pub bounds: NetworkBounds,
    /// The rescaling report, if a rescaling was applied.
    pub report: Option<ScalingReport>,
}

/// Rescales `network` and its `bounds` with `method`, reporting what changed.
///
/// Fails if a factor overflows a weight (e.g. `unit` on a neuron whose big-M is denormal;
/// the error names the layer) or if the LP of `range` fails.
pub fn apply_scaling(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
    method: ScalingMethod,
) -> Result<ScaledProblem, ScalingError> {
    if method == ScalingMethod::None {
        return Ok(ScaledProblem {
            network: network.clone(),
            bounds: bounds.clone(),
            report: None,
        });
    }
    let start = Instant::now();
    let factors = choose_factors(network, input_box, bounds, method)?;
    let scaled_network = rescale_network(network, &factors).map_err(|e| match e {
        NetworkError::TooLarge { layer, what, value } => {
            ScalingError::FactorTooLarge { layer, what, value }
        }
        e => ScalingError::Network(e),
    })?;
    let scaled_bounds = rescale_bounds(bounds, &factors);
    let time = start.elapsed();
    let range = |net: &Network, b: &NetworkBounds| {
        Objective::output(Sense::Minimize, 0, net.output_dim())
            .ok()
            .and_then(|o| NetworkModel::build(net, input_box, b, &o).ok())
            .and_then(|m| m.model.coefficient_range())
    };
    let report = ScalingReport {
        method,
        time,
        big_m_before: big_ms(network, bounds.hidden()),
        big_m_after: big_ms(&scaled_network, scaled_bounds.hidden()),
        coefficient_range_before: range(network, bounds),
        coefficient_range_after: range(&scaled_network, &scaled_bounds),
        factors,
    };
    Ok(ScaledProblem {
        network: scaled_network,
        bounds: scaled_bounds,
        report: Some(report),
    })
}

fn big_ms(network: &Network, hidden: &[LayerBounds]) -> Vec<Vec<f64>> {
    network
        .hidden_layers()
        .iter()
        .zip(hidden)
        .map(|(layer, b)| {
            b.lower
                .iter()
                .zip(&b.upper)
                .map(|(&l, &u)| match neuron_state(layer.activation, l, u) {
                    NeuronState::Unstable => big_m(l, u),
                    _ => 0.0,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
