//! From a file to an answer: load → bounds → (rescale) → solve, the way the CLI and the GUI
//! do it, so that a configuration means the same thing everywhere.
//!
//! [`load`] reads a network and its box; [`prepare_milp`] computes the bounds and applies the
//! rescaling ([`PreparedMilp::from_bounds`] reuses bounds already computed);
//! [`PreparedMilp::solve`] solves the big-M MILP on the prepared (possibly rescaled) network —
//! which computes the same function, so `x*` and the objective are those of the original —
//! and [`solve_by_regions`] is the exact alternative for low input dimension.

use crate::analysis::AnalysisReport;
use crate::bounds::{BoundMethod, BoundsError, NetworkBounds};
use crate::control::TaskControl;
use crate::error::Error;
use crate::formats::load_network;
use crate::formulation::NetworkModel;
use crate::milp::{
    MilpError, NetworkSolveOptions, Objective, Sense, SolveControl, SolveReport,
    conditioning_warnings,
};
use crate::network::{InputBox, Network};
use crate::regions::{RegionOptions, RegionsError, solve_by_regions_with};
use crate::scaling::{ScaledProblem, ScalingError, ScalingMethod, apply_scaling};
use crate::tightening::{ObbtOptions, compute_bounds_with};
use std::path::Path;
use thiserror::Error;

/// Reads the network at `path` and its box (`box_override` wins over the box in the file).
///
/// Errors name the file; a file without a box (ONNX stores none) needs an override.
pub fn load(
    path: impl AsRef<Path>,
    box_override: Option<InputBox>,
) -> Result<(Network, InputBox), Error> {
    let path = path.as_ref();
    let mut network = load_network(path)?;
    if let Some(b) = box_override {
        network.set_box(b)?;
    }
    let input_box = network.input_box().cloned().ok_or_else(|| {
        Error::Invalid(format!(
            "{}: the file stores no input box; give one",
            path.display()
        ))
    })?;
    Ok((network, input_box))
}

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

impl From<PrepareError> for Error {
    fn from(e: PrepareError) -> Self {
        match e {
            PrepareError::Bounds(e) => Error::Bounds(e),
            PrepareError::Scaling(e) => Error::Scaling(e),
        }
    }
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
    /// Rescales `original_bounds` (of `network` over `input_box`) with `scaling`: the second
    /// half of [`prepare_milp`], for bounds already computed.
    pub fn from_bounds(
        network: &Network,
        input_box: &InputBox,
        original_bounds: NetworkBounds,
        scaling: ScalingMethod,
    ) -> Result<Self, ScalingError> {
        let problem = apply_scaling(network, input_box, &original_bounds, scaling)?;
        Ok(Self {
            original_bounds,
            problem,
        })
    }

    /// The figures of the prepared MILP: the (rescaled) network's bounds and big-M, with the
    /// unscaled big-M and the coefficient ranges beside them when a rescaling was applied.
    /// `time_s` is the time of the bounds.
    pub fn report(&self, network: &Network, input_box: &InputBox) -> AnalysisReport {
        let mut report =
            AnalysisReport::with_scaling(network, input_box, &self.original_bounds, &self.problem);
        report.warnings = self.warnings(input_box);
        report
    }

    /// Why the MILP of the prepared problem deserves caution: bounds that stopped early (a
    /// time limit, LPs that failed), ill-conditioning
    /// ([`crate::milp::conditioning_warnings`]), or bounds too large to build it at all.
    pub fn warnings(&self, input_box: &InputBox) -> Vec<String> {
        let mut warnings: Vec<String> = self
            .original_bounds
            .stopped
            .iter()
            .map(|note| format!("bounds: {note}"))
            .collect();
        let network = &self.problem.network;
        let Ok(objective) = Objective::output(Sense::Minimize, 0, network.output_dim()) else {
            return warnings;
        };
        match NetworkModel::build(network, input_box, &self.problem.bounds, &objective) {
            Ok(model) => warnings.extend(conditioning_warnings(&model.model, &self.problem.bounds)),
            Err(e) => warnings.push(format!("this MILP cannot be built: {e}")),
        }
        warnings
    }

    /// Solves the big-M MILP of the prepared problem with default options (see
    /// [`PreparedMilp::solve_with`]).
    pub fn solve(
        &self,
        input_box: &InputBox,
        objective: &Objective,
    ) -> Result<SolveReport, MilpError> {
        self.solve_with(
            input_box,
            objective,
            &NetworkSolveOptions::default(),
            &SolveControl::default(),
        )
    }

    /// Solves the big-M MILP of the prepared (possibly rescaled) network. It computes the same
    /// function as the original, so `x*` and the objective are the original's; the forward
    /// check runs on the prepared network.
    pub fn solve_with(
        &self,
        input_box: &InputBox,
        objective: &Objective,
        options: &NetworkSolveOptions,
        control: &SolveControl,
    ) -> Result<SolveReport, MilpError> {
        crate::milp::solve_network(
            &self.problem.network,
            input_box,
            &self.problem.bounds,
            objective,
            options,
            control,
        )
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
    Ok(PreparedMilp::from_bounds(
        network,
        input_box,
        original_bounds,
        setup.scaling,
    )?)
}

/// The exact optimum as the best per-region optimum (no MILP; for a few inputs), within
/// `time_limit` seconds and `max_regions` regions (`None`: the defaults of
/// [`RegionOptions`]).
pub fn solve_by_regions(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    time_limit: Option<f64>,
    max_regions: Option<usize>,
    control: &TaskControl,
) -> Result<SolveReport, RegionsError> {
    let defaults = RegionOptions::default();
    let options = RegionOptions {
        time_limit,
        max_regions: max_regions.unwrap_or(defaults.max_regions),
        ..defaults
    };
    solve_by_regions_with(network, input_box, objective, &options, control)
}
