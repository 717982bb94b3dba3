//! Bound tightening by optimisation (OBBT): each bound is the optimum of an LP (or MILP)
//! over the formulation of the layers before it, and [`compute_bounds`], which runs any
//! [`BoundMethod`].

mod lp_workers;
mod neuron_queue;
mod obbt;

pub use obbt::{ObbtOptions, SAFETY_MARGIN, lp_obbt, lp_obbt_constrained, milp_obbt};

use crate::bounds::{BoundMethod, BoundsError, NetworkBounds, interval_bounds, symbolic_bounds};
use crate::control::TaskControl;
use crate::formulation::OutputConstraint;
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
    compute_bounds_constrained(network, input_box, method, options, &[], control)
}

/// Computes bounds with `method` over the points of the box whose outputs satisfy
/// `constraints`: LP- and MILP-OBBT put them in every LP (tighter bounds, valid on the
/// feasible set only); interval and symbolic bounds hold on the whole box and ignore them.
pub fn compute_bounds_constrained(
    network: &Network,
    input_box: &InputBox,
    method: BoundMethod,
    options: &ObbtOptions,
    constraints: &[OutputConstraint],
    control: &TaskControl,
) -> Result<NetworkBounds, BoundsError> {
    if control.is_cancelled() {
        return Err(BoundsError::Cancelled);
    }
    let obbt = |with_milp| {
        lp_obbt_constrained(network, input_box, options, constraints, control, with_milp)
    };
    let bounds = match method {
        BoundMethod::Interval => interval_bounds(network, input_box),
        BoundMethod::Symbolic => symbolic_bounds(network, input_box),
        BoundMethod::LpObbt => obbt(false)?,
        BoundMethod::MilpObbt => obbt(true)?,
    };
    control.report(1.0, "bounds done");
    Ok(bounds)
}
