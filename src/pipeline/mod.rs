//! From a file to an answer: load → bounds → (rescale) → solve, the way the CLI and the GUI
//! do it, so that a configuration means the same thing everywhere.
//!
//! [`load`] reads a network and its box; [`prepare_milp`] computes the bounds and applies the
//! rescaling ([`PreparedMilp::from_bounds`] reuses bounds already computed);
//! [`PreparedMilp::solve`] solves the big-M MILP on the prepared (possibly rescaled) network —
//! which computes the same function, so `x*` and the objective are those of the original —
//! and [`solve_by_regions`] is the exact alternative for low input dimension.

mod cancel_relay;
mod feasibility;
mod handover;
mod method_choice;
mod problem_analysis;
mod problem_solve;
mod race;
mod verify;

pub use method_choice::{
    AUTO_BRANCH_ALONE_MAX_INPUTS, AUTO_BRANCH_MAX_INPUTS, AUTO_BRANCH_MIN_HIDDEN_NEURONS,
    AUTO_RACE_MAX_HIDDEN_NEURONS, AUTO_RACE_MAX_INPUTS, AUTO_RACE_MIN_HIDDEN_LAYERS,
    AUTO_REGIONS_MAX_INPUTS, SolveMethod, auto_races, choose_method, likelier_race_winner,
};
pub use problem_analysis::{ProblemAnalysis, analyze_problem, problem_milp};
pub use problem_solve::{AlternativeOutcome, ProblemSolved, solve_problem, summarize_alternatives};
pub use verify::{
    COUNTEREXAMPLE_MARGIN, Counterexample, Verdict, Verification, check_counterexample, verify,
};

use crate::analysis::AnalysisReport;
use crate::bounds::{BoundMethod, BoundsError, NetworkBounds};
use crate::branching::{BranchOptions, solve_by_branching};
use crate::control::TaskControl;
use crate::error::Error;
use crate::formats::load_network;
use crate::formulation::NetworkModel;
use crate::formulation::OutputConstraint;
use crate::milp::{
    MilpError, NetworkSolveOptions, Objective, Sense, SolveControl, SolveReport,
    conditioning_warnings,
};
use crate::network::{InputBox, Network};
use crate::regions::{RegionOptions, RegionsError, solve_by_regions_with};
use crate::scaling::{ScaledProblem, ScalingError, ScalingMethod, apply_scaling};
use crate::tightening::{ObbtOptions, compute_bounds_constrained};
use race::race_branch_and_milp;
use std::path::Path;
use std::time::{Duration, Instant};
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
    /// With LP-OBBT bounds: when the MILP would still have at least this many binaries,
    /// tighten further by MILP-based OBBT (with `obbt`'s per-MILP limit). `None`: never.
    pub milp_obbt_from_binaries: Option<usize>,
}

/// [`MilpSetup::milp_obbt_from_binaries`] of `solve`'s default bounds. MILP-OBBT (0.05 s per
/// bound MILP) cost 0.2–4 s on the reference and sample networks; in all it paid from 74
/// binaries after LP-OBBT on (peaks_25x5, 107: 33 → 9.1 s; himmelblau_50x2, 93: over 200 s →
/// 22 s; peaks_50x2, 94: 3.8 → 3.7 s; the himmelblau and peaks 25×3 samples, 74: 27 → 13 s and
/// 4.4 → 3.1 s) and did not up to 68 (peaks_25x2, 44: 0.44 → 0.57 s; peaks_25x3, 65: 1.8 →
/// 2.3 s; himmelblau_25x3, 68: 2.5 → 3.2 s). The same size, measured on its own, is where
/// HiGHS stops trusting pseudo-costs early ([`crate::lp::highs::SMALL_MILP_BINARIES`]).
pub const MILP_OBBT_FROM_BINARIES: usize = 70;

/// The MILP-OBBT of `solve`'s default bounds runs only after an LP-OBBT that took at most this
/// many seconds: on a network where one LP pass takes longer (hundreds of neurons per layer)
/// the bound MILPs cost tens of seconds (a random 200-200-200 network: LP-OBBT 6.8 s, with
/// MILP-OBBT 27 s, no binary fewer).
pub const ESCALATION_MAX_LP_SECONDS: f64 = 1.0;

/// Longest the MILP-OBBT of `solve`'s default bounds runs, seconds (it took 1.7–5 s on the
/// reference and sample networks where it pays).
pub const ESCALATION_BUDGET: f64 = 10.0;

/// The per-MILP time limit of MILP-based OBBT in `solve`'s default bounds, seconds: a bound
/// MILP stopped by it keeps its valid dual bound. Measured against 0.2 and 1 s on
/// peaks_25x5: 9.6 s in all against 21 and 66 s, with bounds almost as tight.
pub const SOLVE_BOUND_MILP_LIMIT: f64 = 0.05;

impl MilpSetup {
    /// `solve`'s default for its MILP: LP-OBBT, then MILP-OBBT (0.05 s per bound MILP) when
    /// the MILP would have [`MILP_OBBT_FROM_BINARIES`] binaries or more.
    pub fn solve_default() -> Self {
        Self {
            bounds: BoundMethod::LpObbt,
            obbt: ObbtOptions {
                milp_time_limit: SOLVE_BOUND_MILP_LIMIT,
                ..ObbtOptions::default()
            },
            milp_obbt_from_binaries: Some(MILP_OBBT_FROM_BINARIES),
            ..Self::default()
        }
    }
}

impl Default for MilpSetup {
    fn default() -> Self {
        Self {
            bounds: BoundMethod::Interval,
            scaling: ScalingMethod::None,
            obbt: ObbtOptions::default(),
            milp_obbt_from_binaries: None,
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
    prepare_milp_constrained(network, input_box, setup, &[], control)
}

/// [`prepare_milp`] for the points whose outputs satisfy `constraints`: LP- and MILP-OBBT
/// put them in their LPs ([`compute_bounds_constrained`]), so the bounds are tighter and hold
/// on the feasible set only — use them with an [`Objective`] carrying the same constraints.
pub fn prepare_milp_constrained(
    network: &Network,
    input_box: &InputBox,
    setup: &MilpSetup,
    constraints: &[OutputConstraint],
    control: &TaskControl,
) -> Result<PreparedMilp, PrepareError> {
    let mut original_bounds = compute_bounds_constrained(
        network,
        input_box,
        setup.bounds,
        &setup.obbt,
        constraints,
        control,
    )?;
    if let Some(threshold) = setup.milp_obbt_from_binaries
        && original_bounds.method == BoundMethod::LpObbt
        && original_bounds.stopped.is_none()
        && original_bounds.time.as_secs_f64() <= ESCALATION_MAX_LP_SECONDS
        && !control.past_deadline()
    {
        let binaries: usize = crate::analysis::layer_stats(network, &original_bounds)
            .iter()
            .map(|s| s.binaries)
            .sum();
        if binaries >= threshold {
            let lp = original_bounds;
            // At most ESCALATION_BUDGET seconds; whatever it leaves looser (a layer it did not
            // reach keeps symbolic bounds) the LP-OBBT bounds, intersected below, make good.
            let budget = Instant::now() + Duration::from_secs_f64(ESCALATION_BUDGET);
            let limited = TaskControl {
                deadline: Some(control.deadline.map_or(budget, |d| d.min(budget))),
                ..control.clone()
            };
            original_bounds = compute_bounds_constrained(
                network,
                input_box,
                BoundMethod::MilpObbt,
                &setup.obbt,
                constraints,
                &limited,
            )?;
            for (tightened, by_lp) in original_bounds.layers.iter_mut().zip(&lp.layers) {
                tightened.intersect(by_lp);
            }
            // Complete: every layer has at least its LP-OBBT bounds.
            original_bounds.stopped = None;
            original_bounds.time += lp.time;
            original_bounds.lps_solved += lp.lps_solved;
            original_bounds.lp_iterations += lp.lp_iterations;
            original_bounds.lps_by_highs += lp.lps_by_highs;
        }
    }
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

/// A solve and the path that produced it.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The result.
    pub report: SolveReport,
    /// The path taken (never `Auto`).
    pub method: SolveMethod,
    /// Why that path (for `Auto`: the choice, and any fallback).
    pub reason: String,
    /// The bounds and (rescaled) problem of the MILP path.
    pub prepared: Option<PreparedMilp>,
}

/// Optimises `objective` over `input_box` by `method`, the way `reluscope solve` does.
///
/// The MILP path computes bounds with `setup` (the caller's choice; `Auto` callers usually
/// want LP-OBBT) and rescales, then solves; the region path enumerates with `regions` (its
/// cap, pruning; its time limit is replaced by what is left of
/// `options.solver.time_limit`, which bounds the whole call), and branching finishes its
/// small boxes by enumerations under the same region cap. With `Auto`, a region enumeration
/// or branching alone (3–4 inputs) stopped by a cap hands over to the MILP with the time left;
/// on small or deep 5-input networks and at 6–8 inputs branching races the MILP, one core each.
#[allow(clippy::too_many_arguments)]
pub fn solve(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    method: SolveMethod,
    setup: &MilpSetup,
    options: &NetworkSolveOptions,
    regions: &RegionOptions,
    control: &SolveControl,
) -> Result<Solved, Error> {
    let task = TaskControl {
        cancel: control.cancel.clone(),
        ..TaskControl::default()
    }
    .with_time_limit(options.solver.time_limit);
    let (path, mut reason) = match method {
        SolveMethod::Auto => choose_method(network, input_box, &objective.constraints),
        m => (m, format!("{} chosen", m.key())),
    };
    if path == SolveMethod::Regions {
        let options = RegionOptions {
            time_limit: task.remaining().map(|r| r.as_secs_f64()),
            ..regions.clone()
        };
        let report = solve_by_regions_with(network, input_box, objective, &options, &task)?;
        let capped = report.status == "other" && !task.past_deadline();
        if !(method == SolveMethod::Auto && capped) {
            return Ok(Solved {
                report,
                method: path,
                reason,
                prepared: None,
            });
        }
        reason = format!(
            "{reason}; the enumeration stopped ({}), so the MILP instead",
            report.status_detail.as_deref().unwrap_or("capped")
        );
    }
    let call = SolveCall {
        network,
        input_box,
        objective,
        setup,
        options,
        control,
        task: &task,
    };
    if method == SolveMethod::Auto && path == SolveMethod::Branch && auto_races(network) {
        let mut solved = race_branch_and_milp(&call)?;
        solved.reason = format!("{reason}; {}", solved.reason);
        return Ok(solved);
    }
    if path == SolveMethod::Branch {
        let branch = BranchOptions {
            gap: options.solver.mip_rel_gap,
            time_limit: task.remaining().map(|r| r.as_secs_f64()),
            leaf_max_regions: regions.max_regions,
            ..BranchOptions::default()
        };
        let result = solve_by_branching(network, input_box, objective, &branch, &task);
        if method != SolveMethod::Auto {
            return Ok(Solved {
                report: result?,
                method: path,
                reason,
                prepared: None,
            });
        }
        // A cap (open boxes, a leaf's regions) or an error stops branching without a proof:
        // auto hands over to the MILP with the time left, as for the region enumeration, and
        // keeps branching's point if the MILP ends unproven with a worse one.
        let why = match &result {
            Ok(report) if report.status == "other" && !task.past_deadline() => report
                .status_detail
                .clone()
                .unwrap_or_else(|| "capped".into()),
            Ok(report) => {
                return Ok(Solved {
                    report: report.clone(),
                    method: path,
                    reason,
                    prepared: None,
                });
            }
            Err(e) => e.to_string(),
        };
        reason = format!("{reason}; branching stopped ({why}), so the MILP instead");
        let mut solved = solve_milp_path(&call, reason)?;
        if let Ok(branched) = result {
            solved = handover::keep_the_better_unproven(solved, branched, objective.sense);
        }
        return Ok(solved);
    }
    solve_milp_path(&call, reason)
}

/// What every path of one [`solve`] call reads: the problem, the MILP's set-up and options,
/// the user's control and the call's clock (`task`, whose deadline bounds the whole call).
#[derive(Clone, Copy)]
pub(crate) struct SolveCall<'a> {
    pub network: &'a Network,
    pub input_box: &'a InputBox,
    pub objective: &'a Objective,
    pub setup: &'a MilpSetup,
    pub options: &'a NetworkSolveOptions,
    pub control: &'a SolveControl,
    pub task: &'a TaskControl,
}

/// The MILP path of [`solve`] (a single-sided feasibility question by optimising), within
/// the call's time.
fn solve_milp_path(call: &SolveCall, reason: String) -> Result<Solved, Error> {
    let SolveCall {
        network,
        input_box,
        objective,
        setup,
        options,
        control,
        task,
    } = *call;
    if feasibility::single_sided(objective).is_some() {
        let mut solved = feasibility::decide_by_optimising(call)?;
        solved.reason = format!("{reason}; {}", solved.reason);
        return Ok(solved);
    }
    let prepared =
        prepare_milp_constrained(network, input_box, setup, &objective.constraints, task)?;
    let mut options = options.clone();
    if let Some(left) = task.remaining() {
        options.solver.time_limit = Some(left.as_secs_f64().max(1e-3));
    }
    let report = prepared.solve_with(input_box, objective, &options, control)?;
    Ok(Solved {
        report,
        method: SolveMethod::Milp,
        reason,
        prepared: Some(prepared),
    })
}
