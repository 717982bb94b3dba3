//! What the bounds say about the MILP: per-layer statistics and the analysis report.

mod layer_stats;
mod report;

pub use layer_stats::{LayerStats, layer_stats};
pub use report::{AnalysisReport, LayerReport};
