//! The figures of one analysis (network × box × bounds), as shown by the CLI and the GUI.

use super::{LayerStats, layer_stats};
use crate::bounds::NetworkBounds;
use crate::network::{InputBox, Network};
use crate::scaling::ScaledProblem;
use serde::Serialize;

/// Per-layer statistics with the bounds themselves; field names are stable JSON keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerReport {
    /// Counts and big-M figures.
    #[serde(flatten)]
    pub stats: LayerStats,
    /// Pre-activation lower bounds `L`.
    pub lower: Vec<f64>,
    /// Pre-activation upper bounds `U`.
    pub upper: Vec<f64>,
    /// With rescaling: the largest big-M of the layer before it (the figures above are after).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unscaled_max_big_m: Option<f64>,
    /// With rescaling: the median big-M of the layer before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unscaled_median_big_m: Option<f64>,
}

/// One analysis: which network, which bounds, and the per-layer figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisReport {
    /// Network name.
    pub network: String,
    /// Widths such as `2-25-25-1`.
    pub architecture: String,
    /// The input box as `[lo, hi]` pairs.
    pub input_box: Vec<[f64; 2]>,
    /// `ia`, ….
    pub bounds_method: &'static str,
    /// Time spent computing the bounds, in seconds.
    pub time_s: f64,
    /// LPs solved to compute the bounds.
    pub lps_solved: usize,
    /// Hidden neurons in all layers.
    pub hidden_neurons: usize,
    /// Unstable hidden neurons in all layers.
    pub unstable: usize,
    /// `100 · stable / hidden neurons`.
    pub stable_percent: f64,
    /// Binary variables of the big-M MILP.
    pub binaries: usize,
    /// `none`, `balanced` or `unit`.
    pub scaling: &'static str,
    /// Time spent choosing the factors and rescaling, in seconds.
    pub scaling_time_s: f64,
    /// Smallest and largest |coefficient| of the MILP before rescaling (with rescaling only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coefficient_range_before: Option<(f64, f64)>,
    /// Smallest and largest |coefficient| of the MILP after rescaling (with rescaling only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coefficient_range_after: Option<(f64, f64)>,
    /// One entry per layer, hidden layers first and the output layer last.
    pub layers: Vec<LayerReport>,
    /// Why the MILP built from these bounds deserves caution (ill-conditioned, or bounds
    /// too large to build it); empty when there is nothing to say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl AnalysisReport {
    /// The hidden layers' entries (every layer but the output layer, which has no ReLU).
    pub fn hidden_layers(&self) -> &[LayerReport] {
        &self.layers[..self.layers.len().saturating_sub(1)]
    }

    /// Statistics of the hidden layers.
    pub fn hidden_stats(&self) -> Vec<LayerStats> {
        self.hidden_layers()
            .iter()
            .map(|l| l.stats.clone())
            .collect()
    }

    /// Largest big-M over every unstable hidden neuron, `max_k M_k` (of the rescaled network
    /// when the report is of one); `None` when every hidden neuron is stable.
    pub fn max_hidden_big_m(&self) -> Option<f64> {
        self.hidden_layers()
            .iter()
            .filter_map(|l| l.stats.max_big_m)
            .reduce(f64::max)
    }

    /// [`Self::max_hidden_big_m`] before the rescaling (`None` without one).
    pub fn max_hidden_big_m_unscaled(&self) -> Option<f64> {
        self.hidden_layers()
            .iter()
            .filter_map(|l| l.unscaled_max_big_m)
            .reduce(f64::max)
    }

    /// Collects the figures of `bounds` for `network` over `input_box`.
    pub fn new(network: &Network, input_box: &InputBox, bounds: &NetworkBounds) -> Self {
        let stats = layer_stats(network, bounds);
        let hidden = &stats[..stats.len() - 1];
        let hidden_neurons: usize = hidden.iter().map(|s| s.neurons).sum();
        let unstable: usize = hidden.iter().map(|s| s.unstable).sum();
        Self {
            network: network.name.clone(),
            architecture: network.architecture(),
            input_box: input_box.pairs(),
            bounds_method: bounds.method.key(),
            time_s: bounds.time.as_secs_f64(),
            lps_solved: bounds.lps_solved,
            hidden_neurons,
            unstable,
            stable_percent: if hidden_neurons == 0 {
                100.0
            } else {
                100.0 * (hidden_neurons - unstable) as f64 / hidden_neurons as f64
            },
            binaries: hidden.iter().map(|s| s.binaries).sum(),
            scaling: "none",
            scaling_time_s: 0.0,
            coefficient_range_before: None,
            coefficient_range_after: None,
            warnings: Vec::new(),
            layers: stats
                .into_iter()
                .zip(&bounds.layers)
                .map(|(stats, b)| LayerReport {
                    stats,
                    lower: b.lower.clone(),
                    upper: b.upper.clone(),
                    unscaled_max_big_m: None,
                    unscaled_median_big_m: None,
                })
                .collect(),
        }
    }

    /// The figures of a (possibly rescaled) problem: its network's bounds and big-M, with the
    /// unscaled big-M and the coefficient ranges beside them when a rescaling was applied.
    /// `original_bounds` are the bounds of `network` before rescaling; `time_s` is their time.
    pub fn with_scaling(
        network: &Network,
        input_box: &InputBox,
        original_bounds: &NetworkBounds,
        problem: &ScaledProblem,
    ) -> Self {
        let mut report = Self::new(&problem.network, input_box, &problem.bounds);
        report.network = network.name.clone();
        report.time_s = original_bounds.time.as_secs_f64();
        if let Some(scaling) = &problem.report {
            report.scaling = scaling.method.key();
            report.scaling_time_s = scaling.time.as_secs_f64();
            report.coefficient_range_before = scaling.coefficient_range_before;
            report.coefficient_range_after = scaling.coefficient_range_after;
            let unscaled = layer_stats(network, original_bounds);
            for (layer, before) in report.layers.iter_mut().zip(unscaled) {
                layer.unscaled_max_big_m = before.max_big_m;
                layer.unscaled_median_big_m = before.median_big_m;
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::network::{Activation, random_network};

    #[test]
    fn hidden_figures_leave_out_the_output_layer() {
        let net = random_network(&[3, 8, 8, 2], 4, Activation::Relu).unwrap();
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        let report = AnalysisReport::new(&net, &b, &bounds);
        assert_eq!(report.hidden_stats().len(), 2);
        // max(−L, U) over the unstable neurons of the hidden layers, from the bounds directly.
        let expected = bounds.layers[..2]
            .iter()
            .flat_map(|l| l.lower.iter().zip(&l.upper))
            .filter(|&(&lo, &hi)| lo < 0.0 && hi > 0.0)
            .map(|(&lo, &hi)| (-lo).max(hi))
            .reduce(f64::max);
        assert!(expected.is_some(), "interval bounds leave neurons unstable");
        assert_eq!(report.max_hidden_big_m(), expected);
        assert_eq!(report.max_hidden_big_m_unscaled(), None);
    }
}
