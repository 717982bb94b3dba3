//! What the bounds say about the MILP: neuron stability and per-layer statistics.

mod report;
mod stability;

pub use report::{AnalysisReport, LayerReport};
pub use stability::{LayerStats, NeuronState, big_m, binaries_needed, layer_stats, neuron_state};
