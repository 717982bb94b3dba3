//! From a network and a box to a MILP ready to solve: bounds, then an optional rescaling.
//!
//! The CLI and the GUI both go through [`prepare_milp`], so a configuration means the same
//! thing everywhere.

use crate::analysis::AnalysisReport;
use crate::bounds::{BoundMethod, BoundsError, NetworkBounds};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use crate::scaling::{ScaledProblem, ScalingError, ScalingMethod, apply_scaling};
use crate::tightening::{ObbtOptions, compute_bounds_with};
use thiserror::Error;

/// Why a MILP could not be prepared.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PrepareError {
    /// Computing the bounds failed or was cancelled.
    #[error(transparent)]
    Bounds(#[from] BoundsError),
    /// The rescaling failed.
    #[error("rescaling failed: {0}")]
    Scaling(#[from] ScalingError),
}

/// The user's choices before solving.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpSetup {
    /// How the bounds are computed.
    pub bounds: BoundMethod,
    /// How the network is rescaled afterwards.
    pub scaling: ScalingMethod,
    /// Options of OBBT.
    pub obbt: ObbtOptions,
}

impl Default for MilpSetup {
    fn default() -> Self {
        Self {
            bounds: BoundMethod::Interval,
            scaling: ScalingMethod::None,
            obbt: ObbtOptions::default(),
        }
    }
}

/// The bounds in the network's own coordinates and the (possibly rescaled) problem.
#[derive(Debug, Clone)]
pub struct PreparedMilp {
    /// Bounds of the original network.
    pub original_bounds: NetworkBounds,
    /// The network and bounds the MILP is built from.
    pub problem: ScaledProblem,
}

impl PreparedMilp {
    /// The figures of the prepared MILP: the (rescaled) network's bounds and big-M, with the
    /// unscaled big-M and the coefficient ranges beside them when a rescaling was applied.
    /// `time_s` is the time of the bounds.
    pub fn report(&self, network: &Network, input_box: &InputBox) -> AnalysisReport {
        AnalysisReport::with_scaling(network, input_box, &self.original_bounds, &self.problem)
    }
}

/// Computes bounds with `setup.bounds`, then rescales with `setup.scaling`.
pub fn prepare_milp(
    network: &Network,
    input_box: &InputBox,
    setup: &MilpSetup,
    control: &TaskControl,
) -> Result<PreparedMilp, PrepareError> {
    let original_bounds =
        compute_bounds_with(network, input_box, setup.bounds, &setup.obbt, control)?;
    let problem = apply_scaling(network, input_box, &original_bounds, setup.scaling)?;
    Ok(PreparedMilp {
        original_bounds,
        problem,
    })
}
