//! From a network and a box to a MILP ready to solve: bounds, then an optional rescaling.
//!
//! The CLI and the GUI both go through [`prepare_milp`], so a configuration means the same
//! thing everywhere.

use crate::bounds::{BoundMethod, BoundsError, NetworkBounds, ObbtOptions, compute_bounds_with};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use crate::scaling::{ScaledProblem, ScalingError, ScalingMethod, apply_scaling};
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
