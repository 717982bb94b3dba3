//! The figures of a problem's networks — bounds, stability, big-M per layer — with the
//! problem's constraints in OBBT's LPs, and the MILP of one of its alternatives.

use super::{MilpSetup, PreparedMilp, prepare_milp_constrained};
use crate::analysis::AnalysisReport;
use crate::bounds::NetworkBounds;
use crate::control::TaskControl;
use crate::error::Error;
use crate::formulation::NetworkModel;
use crate::problem::Problem;
use crate::problem::stack::StackedProblem;
use crate::scaling::ScalingMethod;

/// The bounds of a problem and each network's figures.
#[derive(Debug, Clone)]
pub struct ProblemAnalysis {
    /// The problem as one network (the alternative analysed).
    pub stacked: StackedProblem,
    /// Bounds of the stacked network, with the constraints in OBBT's LPs.
    pub bounds: NetworkBounds,
    /// Each network's figures, from its part of those bounds.
    pub reports: Vec<AnalysisReport>,
}

/// Bounds every network of `problem` by `setup.bounds` over its box, LP- and MILP-OBBT with the
/// constraints of `alternative` (and the problem's own; `None`: the problem's only, so the
/// bounds hold on every alternative) in their LPs, and reports each network. Rescaling
/// applies to one network's MILP, not to a problem's analysis: `setup.scaling` must be none.
pub fn analyze_problem(
    problem: &Problem,
    alternative: Option<usize>,
    setup: &MilpSetup,
    control: &TaskControl,
) -> Result<ProblemAnalysis, Error> {
    if setup.scaling != ScalingMethod::None {
        return Err(Error::Invalid(
            "a problem's analysis reports each network's own bounds: rescale one network file \
             instead"
                .into(),
        ));
    }
    let (stacked, prepared) = prepare_stacked(problem, alternative, setup, control)?;
    let bounds = prepared.original_bounds;
    let reports = problem
        .networks
        .iter()
        .enumerate()
        .map(|(k, named)| {
            let own = stacked.network_bounds(k, &bounds);
            let mut report = AnalysisReport::new(&named.network, &stacked.input_box, &own);
            report.network = named.name.clone();
            report.warnings = bounds
                .stopped
                .iter()
                .map(|s| format!("bounds: {s}"))
                .collect();
            report
        })
        .collect();
    Ok(ProblemAnalysis {
        stacked,
        bounds,
        reports,
    })
}

/// The big-M MILP of `alternative` (see [`StackedProblem::new`]) with bounds and rescaling by
/// `setup`, the constraints in OBBT's LPs and in the model, and the problem's objective (zero
/// for a feasibility question).
pub fn problem_milp(
    problem: &Problem,
    alternative: Option<usize>,
    setup: &MilpSetup,
    control: &TaskControl,
) -> Result<(NetworkModel, PreparedMilp, StackedProblem), Error> {
    let (stacked, prepared) = prepare_stacked(problem, alternative, setup, control)?;
    let model = NetworkModel::build(
        &prepared.problem.network,
        &stacked.input_box,
        &prepared.problem.bounds,
        &stacked.objective,
    )?;
    Ok((model, prepared, stacked))
}

/// `alternative` stacked into one network, and its MILP prepared by `setup` with the
/// constraints in OBBT's LPs.
fn prepare_stacked(
    problem: &Problem,
    alternative: Option<usize>,
    setup: &MilpSetup,
    control: &TaskControl,
) -> Result<(StackedProblem, PreparedMilp), Error> {
    let stacked = StackedProblem::new(problem, alternative)?;
    let prepared = prepare_milp_constrained(
        &stacked.network,
        &stacked.input_box,
        setup,
        &stacked.objective.constraints,
        control,
    )?;
    Ok((stacked, prepared))
}
