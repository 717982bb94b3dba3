//! Bound tightening by optimisation (OBBT): each bound is the optimum of an LP (or MILP)
//! over the formulation of the layers before it, and [`compute_bounds`], which runs any
//! [`BoundMethod`].

mod lp_workers;
mod neuron_queue;
mod obbt;

pub use obbt::{ObbtOptions, SAFETY_MARGIN, lp_obbt, milp_obbt};

use crate::bounds::{BoundMethod, BoundsError, NetworkBounds, interval_bounds, symbolic_bounds};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};

/// Computes bounds with `method` and default options, polling `control` for cancellation
/// and reporting progress.
pub fn compute_bounds(
    network: &Network,
    input_box: &InputBox,
    method: BoundMethod,
    control: &TaskControl,
) -> Result<NetworkBounds, BoundsError> {
    compute_bounds_with(network, input_box, method, &ObbtOptions::default(), control)
}

/// Computes bounds with `method` and OBBT `options`.
pub fn compute_bounds_with(
    network: &Network,
    input_box: &InputBox,
    method: BoundMethod,
    options: &ObbtOptions,
    control: &TaskControl,
) -> Result<NetworkBounds, BoundsError> {
    if control.is_cancelled() {
        return Err(BoundsError::Cancelled);
    }
    let bounds = match method {
        BoundMethod::Interval => interval_bounds(network, input_box),
        BoundMethod::Symbolic => symbolic_bounds(network, input_box),
        BoundMethod::LpObbt => lp_obbt(network, input_box, options, control)?,
        BoundMethod::MilpObbt => milp_obbt(network, input_box, options, control)?,
    };
    control.report(1.0, "bounds done");
    Ok(bounds)
}
