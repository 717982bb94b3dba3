//! Solving the MILP that embeds a network: build the big-M model from bounds, hand HiGHS a
//! starting incumbent found by sampling the box, solve, and check the optimum by a forward
//! pass of the network.
//!
//! [`solve_network`] is the one-call entry point. The types a caller needs with it are
//! re-exported here: the [`Objective`], and HiGHS's [`SolveOptions`], [`SolveControl`] and
//! [`SolveStatus`].

mod incumbent;
mod local_search;
mod root_cuts;

pub use crate::formulation::{Formulation, Objective};
pub use crate::lp::{
    LogObserver, Sense, SolveControl, SolveObserver, SolveOptions, SolveProgress, SolveStatus,
};
pub use incumbent::{SampledIncumbent, sampled_incumbent, sampled_incumbents_until};
pub use local_search::{WALK_BUDGET, WalkReport, region_walk};
pub use root_cuts::{Cuts, MAX_ROUNDS, RootCutReport, add_ideal_cuts};

use crate::bounds::NetworkBounds;
use crate::formulation::{FormulationError, NetworkModel};
use crate::lp::{LinearModel, LinearSolution, LpError, solve_linear_model};
use crate::network::{InputBox, Network, limits};
use serde::Serialize;
use std::time::Instant;
use thiserror::Error;

/// What can go wrong building or solving a network's MILP.
#[derive(Debug, Error)]
pub enum MilpError {
    /// The formulation could not be built (objective, bounds or box do not fit the network).
    #[error(transparent)]
    Formulation(#[from] FormulationError),
    /// HiGHS failed.
    #[error(transparent)]
    Lp(#[from] LpError),
}

/// Everything a user wants to know about one solve; field names are the stable JSON keys.
/// `Default` is an empty report (no point, no model) for solvers to fill in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SolveReport {
    /// `optimal`, `time_limit`, `cancelled`, `infeasible`, `unbounded` or `other`.
    pub status: String,
    /// HiGHS's status text for `other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    /// What was optimised, e.g. `minimise output 0`.
    pub objective_description: String,
    /// Objective of the best point found.
    pub objective: Option<f64>,
    /// Best proven bound on the objective.
    pub best_bound: Option<f64>,
    /// Relative gap `|objective − best_bound| / |objective|`.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// LP iterations inside the MILP solve.
    pub lp_iterations: u64,
    /// Solve time in seconds (HiGHS `run`).
    pub time_s: f64,
    /// Time to build the MILP and find the starting incumbent, in seconds.
    pub build_time_s: f64,
    /// The best input `x*`.
    pub x: Option<Vec<f64>>,
    /// `cᵀf(x*)` by a forward pass of the network.
    pub forward_value: Option<f64>,
    /// `|forward_value − objective|`: how faithfully the MILP models the network.
    pub forward_difference: Option<f64>,
    /// Objective of the sampled starting incumbent handed to HiGHS.
    pub start_objective: Option<f64>,
    /// Binary variables.
    pub binaries: usize,
    /// Unstable neurons written one-sided, without a binary (the objective and constraints
    /// only push them down; [`crate::formulation::one_sided`]): `binaries + one_sided` is the
    /// big-M count.
    pub one_sided: usize,
    /// Variables.
    pub variables: usize,
    /// Constraints.
    pub constraints: usize,
    /// Nonzeros of the constraint matrix.
    pub nonzeros: usize,
    /// The cuts added at the root before branch and bound, with the root bound before and
    /// after (none with `--cuts none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cuts: Option<RootCutReport>,
    /// The walk over linear regions that improved the sampled start (none when off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_search: Option<WalkReport>,
    /// Branching's bound on the whole box with fixed relaxation lines and with lines chosen
    /// for it (none for the other solvers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_box_bound: Option<RootBoxBound>,
    /// Incumbent and bound over time.
    #[serde(skip)]
    pub trace: Vec<SolveProgress>,
    /// The HiGHS log.
    #[serde(skip)]
    pub log: Vec<String>,
    /// Why the result deserves caution although it was computed (an ill-conditioned model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl SolveReport {
    /// The MILP's binaries for reports, with its one-sided ReLUs when there are any:
    /// `54 binaries (+14 one-sided ReLUs)`.
    pub fn binaries_summary(&self) -> String {
        if self.one_sided > 0 {
            format!(
                "{} binaries (+{} one-sided ReLUs)",
                self.binaries, self.one_sided
            )
        } else {
            format!("{} binaries", self.binaries)
        }
    }
}

/// Branching's bound `β` on the whole input box (in the objective's own sense: a lower bound
/// when minimising, an upper bound when maximising), with each kinked neuron's fixed
/// relaxation line and with the lines chosen for the box: what the chosen slopes gain before
/// any split (JSON key `root_box_bound`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RootBoxBound {
    /// `β` with the fixed lines.
    pub fixed_lines: f64,
    /// `β` with the chosen slopes (never weaker).
    pub chosen_slopes: f64,
}

impl RootBoxBound {
    /// One line for reports, e.g. `-3.684 with fixed lines, -2.101 with chosen slopes`.
    pub fn summary(&self) -> String {
        format!(
            "{} with fixed lines, {} with chosen slopes",
            crate::numbers::format_number(self.fixed_lines),
            crate::numbers::format_number(self.chosen_slopes)
        )
    }
}

/// Largest accepted `|f(x*) − objective| / (1 + |objective|)`: a result whose forward check
/// (or a sampled input) disagrees by more is `numerically_unreliable`, never `optimal`.
pub const FORWARD_TOLERANCE: f64 = 1e-6;

/// The status of a result whose own check failed.
pub const UNRELIABLE: &str = "numerically_unreliable";

impl SolveReport {
    /// Checks the result against the network itself and downgrades it to
    /// [`UNRELIABLE`] (with the reason in `status_detail`) when
    /// - `f(x*)` by a forward pass differs from the objective by more than
    ///   [`FORWARD_TOLERANCE`]` · (1 + |objective|)`: the point does not attain the value; or
    /// - an optimal result is beaten by the sampled start (a forward-evaluated input) by more
    ///   than that tolerance: the value is not the optimum.
    ///
    /// `minimise` tells which way "beaten" points.
    pub fn check_against_network(&mut self, minimise: bool) {
        if matches!(self.status.as_str(), "infeasible" | "unbounded") {
            self.status_detail = Some(format!(
                "HiGHS reports the MILP {}, but every input of the box gives a feasible point \
                 and the objective is bounded: numerical trouble; try --scale range, --bounds lp \
                 or a smaller box",
                self.status
            ));
            self.status = UNRELIABLE.to_string();
            return;
        }
        let Some(objective) = self.objective else {
            return;
        };
        let tolerance = FORWARD_TOLERANCE * (1.0 + objective.abs());
        let attained = |f: f64| (f - objective).abs() <= tolerance;
        let reason = match (self.forward_value, self.start_objective) {
            // A NaN difference is not attained either.
            (Some(f), _) if !attained(f) => Some(format!(
                "the forward pass gives f(x*) = {f:e} where the solver reports {objective:e} \
                 (difference {:.3e} > tolerance {tolerance:.1e}): the model's tolerances do \
                 not hold at this scale",
                (f - objective).abs()
            )),
            (_, Some(s)) if self.status == "optimal" => {
                let beaten = if minimise {
                    s < objective - tolerance
                } else {
                    s > objective + tolerance
                };
                beaten.then(|| {
                    format!(
                        "a sampled input attains {s:e}, better than the reported optimum \
                         {objective:e} (tolerance {tolerance:.1e}): the model's tolerances do \
                         not hold at this scale"
                    )
                })
            }
            _ => None,
        };
        if let Some(reason) = reason {
            self.status = UNRELIABLE.to_string();
            self.status_detail = Some(format!(
                "{reason}; try --scale range, --bounds lp or a smaller box"
            ));
        }
    }
}

impl SolveReport {
    /// [`SolveReport::check_against_network`], and with constraints on the outputs also: an
    /// `infeasible` answer is an answer (unless a sampled start was feasible), and `x*` must
    /// satisfy every constraint by a forward pass within
    /// [`crate::formulation::CONSTRAINT_TOLERANCE`]` · (1 + |side|)`, else the result is
    /// [`UNRELIABLE`].
    pub fn check_against(&mut self, network: &Network, objective: &Objective) {
        let minimise = objective.sense == Sense::Minimize;
        if objective.constraints.is_empty() {
            return self.check_against_network(minimise);
        }
        if self.status == "infeasible" && self.start_objective.is_none() {
            return;
        }
        if self.status == "infeasible" {
            self.status = UNRELIABLE.to_string();
            self.status_detail = Some(
                "the solver reports the problem infeasible, but a sampled input satisfies every \
                 constraint: numerical trouble; try --bounds lp or --scale range"
                    .into(),
            );
            return;
        }
        self.check_against_network(minimise);
        if self.status == UNRELIABLE {
            return;
        }
        let Some(x) = &self.x else { return };
        if let Err((violation, constraint)) = objective.check_constraints(&network.forward(x)) {
            self.status = UNRELIABLE.to_string();
            self.status_detail = Some(format!(
                "x* violates constraint {} ({}) by {violation:.3e} in a forward pass, more than \
                 the tolerance {:.0e}·(1 + |side|): the model's tolerances do not hold at this \
                 scale",
                constraint.origin,
                constraint.describe(),
                crate::formulation::CONSTRAINT_TOLERANCE
            ));
        }
    }
}

/// Settings of [`solve_network`] beyond the solver's own.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSolveOptions {
    /// HiGHS settings.
    pub solver: SolveOptions,
    /// Random inputs tried for the starting incumbent (plus the centre and, in low dimension,
    /// the corners); 0 disables the start.
    pub start_samples: usize,
    /// Seed of that sampling.
    pub seed: u64,
    /// How unstable neurons are encoded.
    pub formulation: Formulation,
    /// Cuts added at the root before branch and bound.
    pub cuts: Cuts,
    /// Walk over linear regions from the best sampled inputs before handing HiGHS its start
    /// ([`region_walk`]).
    pub local_search: bool,
    /// Write the neurons the objective and constraints only push down without a binary
    /// ([`crate::formulation::one_sided`]; `--all-binaries` turns it off).
    pub one_sided: bool,
}

/// The best sampled inputs a walk starts from.
pub const WALK_STARTS: usize = 4;

impl Default for NetworkSolveOptions {
    fn default() -> Self {
        Self {
            solver: SolveOptions::default(),
            start_samples: 512,
            seed: 0,
            formulation: Formulation::default(),
            cuts: Cuts::default(),
            local_search: true,
            one_sided: true,
        }
    }
}

/// Optimises `objective` of `network` over `input_box` with the big-M MILP built on `bounds`.
///
/// The solver's time limit bounds the whole call: the sampled start stops when it runs out,
/// and HiGHS gets what is left.
pub fn solve_network(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
    objective: &Objective,
    options: &NetworkSolveOptions,
    control: &SolveControl,
) -> Result<SolveReport, MilpError> {
    let build_start = Instant::now();
    let build = if options.one_sided {
        NetworkModel::build_one_sided
    } else {
        NetworkModel::build_with
    };
    let mut big_m = build(network, input_box, bounds, objective, options.formulation)?;
    let deadline = crate::control::deadline_after(build_start, options.solver.time_limit);
    let root_cuts = match options.cuts {
        Cuts::None => None,
        Cuts::Ideal => Some(add_ideal_cuts(
            network,
            input_box,
            bounds,
            &mut big_m,
            deadline,
            &control.cancel,
        )),
    };
    let samples = if options.start_samples > 0 {
        let keep = if options.local_search { WALK_STARTS } else { 1 };
        sampled_incumbents_until(
            network,
            input_box,
            objective,
            options.start_samples,
            options.seed,
            deadline,
            keep,
        )
    } else {
        Vec::new()
    };
    let mut local_search = None;
    let mut start = samples.first().cloned();
    if options.local_search && !samples.is_empty() {
        let points: Vec<Vec<f64>> = samples.into_iter().map(|s| s.x).collect();
        let (best, report) = region_walk(
            network,
            input_box,
            objective,
            Some(bounds),
            &points,
            deadline,
            &control.cancel,
        );
        if let Some((x, value)) = best
            && start
                .as_ref()
                .is_none_or(|s| objective.better_or_equal(value, s.objective))
        {
            start = Some(SampledIncumbent {
                x,
                objective: value,
            });
        }
        local_search = Some(report);
    }
    let start_columns = start
        .as_ref()
        .map(|s| big_m.complete_solution(network, &s.x));
    let build_time = build_start.elapsed();
    // HiGHS's settings follow the size the MILP had before its one-sided neurons lost their
    // binaries (see `SolveOptions::tuning_binaries`).
    let tuning_binaries =
        (big_m.one_sided > 0).then(|| big_m.model.size().binaries + big_m.one_sided);
    let limited = |mut solver: SolveOptions| {
        solver.tuning_binaries = solver.tuning_binaries.or(tuning_binaries);
        if let Some(deadline) = deadline {
            // HiGHS needs a positive limit; with none left it stops at once with the start.
            let left = deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            solver.time_limit = Some(left.max(1e-3));
        }
        solver
    };
    let solve = |solver: &SolveOptions| -> Result<SolveReport, MilpError> {
        let solution = solve_linear_model(&big_m.model, start_columns.as_deref(), solver, control)?;
        let mut report = report_of(network, input_box, objective, &big_m, solution);
        report.build_time_s = build_time.as_secs_f64();
        report.start_objective = start.as_ref().map(|s| s.objective);
        report.root_cuts = root_cuts.clone();
        report.local_search = local_search.clone();
        report.warnings = conditioning_warnings(&big_m.model, bounds);
        report.check_against(network, objective);
        Ok(report)
    };
    let minimise = objective.sense == Sense::Minimize;
    let gap = options.solver.mip_rel_gap;
    let first = solve(&limited(options.solver.clone())).map(|mut r| {
        // The sampled start is a true value of the network: no proven bound may beat it.
        if let Some(v) = r.start_objective {
            refute_bound_by(&mut r, v, None, minimise, gap, "a sampled input");
        }
        r
    });
    let out_of_time = deadline.is_some_and(|d| Instant::now() >= d);
    let retry = match &first {
        Ok(report) => report.status == UNRELIABLE,
        // HiGHS ends with `Error` when its optimum violates its own tolerances.
        Err(MilpError::Lp(LpError::Solver(_))) => true,
        Err(_) => false,
    };
    if !retry || options.solver.feasibility_tolerance.is_some() || out_of_time {
        return first;
    }
    // HiGHS's default tolerances let a large big-M model slack (a "binary" of 10⁻⁶ times M);
    // one more solve with tighter ones often gives the network's true optimum.
    let tight = SolveOptions {
        feasibility_tolerance: Some(RETRY_TOLERANCE),
        ..limited(options.solver.clone())
    };
    let second = solve(&tight);
    let usable =
        |r: &Result<SolveReport, MilpError>| r.as_ref().is_ok_and(|r| r.status != UNRELIABLE);
    let (mut second, first) = match (second, first) {
        (second, first) if usable(&second) => (second?, first),
        // The second solve did not help: keep the first answer (or error), else the second's.
        (second, first) => {
            return match (first, second) {
                (Ok(first), _) => Ok(first),
                (Err(_), Ok(second)) => Ok(second),
                (Err(MilpError::Lp(LpError::Solver(why))), Err(_)) => {
                    Err(MilpError::Lp(LpError::Solver(format!(
                        "{why} (also with tolerances of {RETRY_TOLERANCE:e}): the MILP is \
                         numerically ill-conditioned; try --scale range, --bounds lp, a \
                         smaller box, or --method regions for a few inputs"
                    ))))
                }
                (Err(first), Err(_)) => Err(first),
            };
        }
    };
    // The first solve's point, re-evaluated by a forward pass, is a true value too: a
    // tighter re-solve whose bound excludes it cut off part of the feasible set.
    if let Ok(first) = &first
        && let (Some(value), Some(x)) = (first.forward_value, first.x.clone())
        && objective.check_constraints(&network.forward(&x)).is_ok()
    {
        refute_bound_by(
            &mut second,
            value,
            Some(x),
            minimise,
            gap,
            "the first solve's point",
        );
    }
    if let Some(v) = second.start_objective {
        refute_bound_by(&mut second, v, None, minimise, gap, "a sampled input");
    }
    let why = match &first {
        Ok(first) => {
            second.time_s += first.time_s;
            second.nodes += first.nodes;
            second.lp_iterations += first.lp_iterations;
            first
                .status_detail
                .clone()
                .unwrap_or_else(|| "forward check".into())
        }
        Err(e) => e.to_string(),
    };
    second.warnings.push(format!(
        "the first solve failed its check ({why}); solved again with HiGHS's feasibility \
         tolerances at {RETRY_TOLERANCE:e}"
    ));
    Ok(second)
}

/// Marks `report` [`UNRELIABLE`] when `value`, the network's true objective at a known
/// point (`x`, if given, becomes the reported point when it is better), beats the bound the
/// solver claims to have proven by more than its gap: the bound cut off feasible points, so
/// "optimal" would be a wrong answer.
fn refute_bound_by(
    report: &mut SolveReport,
    value: f64,
    x: Option<Vec<f64>>,
    minimise: bool,
    gap: f64,
    what: &str,
) {
    let Some(bound) = report
        .best_bound
        .or(report.objective.filter(|_| report.status == "optimal"))
    else {
        return;
    };
    let slack = 2.0 * gap.max(1e-6) * (1.0 + bound.abs());
    let beaten = if minimise {
        value < bound - slack
    } else {
        value > bound + slack
    };
    if !beaten || !value.is_finite() {
        return;
    }
    let better = report
        .objective
        .is_none_or(|o| if minimise { value < o } else { value > o });
    if better && let Some(x) = x {
        report.objective = Some(value);
        report.forward_value = Some(value);
        report.forward_difference = Some(0.0);
        report.x = Some(x);
    }
    report.status = UNRELIABLE.to_string();
    report.status_detail = Some(format!(
        "the solver claims a bound of {bound:.10e}, but {what} has the true value \
         {value:.10e}, beyond it: the MILP cut off feasible points (numerical trouble); the \
         best point known is reported; try --scale range or none, --bounds ia, or --method \
         regions for a few inputs"
    ));
}

/// HiGHS's primal and integrality tolerances for the second solve of a result that failed its
/// check against the network.
pub const RETRY_TOLERANCE: f64 = 1e-9;

/// The report of one HiGHS solution: `x*` (clamped into the box), `f(x*)`, the model's size.
fn report_of(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    big_m: &NetworkModel,
    solution: LinearSolution,
) -> SolveReport {
    let x = solution.columns.as_ref().map(|cols| {
        // HiGHS may leave inputs outside the box by its feasibility tolerance; the forward
        // check evaluates the network at the nearest point of the box.
        input_box.clamp(&big_m.input_values(cols))
    });
    let forward_value = x.as_ref().map(|x| objective.value(&network.forward(x)));
    let size = big_m.model.size();
    SolveReport {
        status: solution.status.key().to_string(),
        status_detail: match &solution.status {
            SolveStatus::Other(s) => Some(s.clone()),
            _ => None,
        },
        objective_description: objective.describe(),
        objective: solution.objective,
        best_bound: solution.best_bound,
        gap: solution.gap,
        nodes: solution.nodes,
        lp_iterations: solution.lp_iterations,
        time_s: solution.time.as_secs_f64(),
        build_time_s: 0.0,
        forward_difference: forward_value
            .zip(solution.objective)
            .map(|(f, o)| (f - o).abs()),
        x,
        forward_value,
        start_objective: None,
        binaries: size.binaries,
        one_sided: big_m.one_sided,
        variables: size.variables,
        constraints: size.constraints,
        nonzeros: size.nonzeros,
        root_cuts: None,
        local_search: None,
        root_box_bound: None,
        trace: solution.trace,
        log: solution.log,
        warnings: Vec::new(),
    }
}

/// Why the MILP is ill-conditioned, if it is: a matrix range above
/// [`limits::ILL_CONDITIONED_RANGE`] or a big-M above [`limits::LARGE_BIG_M`].
pub fn conditioning_warnings(model: &LinearModel, bounds: &NetworkBounds) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some((lo, hi)) = model.matrix_range()
        && hi / lo > limits::ILL_CONDITIONED_RANGE
    {
        warnings.push(format!(
            "ill-conditioned MILP: its matrix entries span {lo:.1e} to {hi:.1e} (ratio {:.1e} > \
             {:.0e}); HiGHS's tolerances may not hold — try --scale range",
            hi / lo,
            limits::ILL_CONDITIONED_RANGE
        ));
    }
    let big_m = bounds
        .hidden()
        .iter()
        .flat_map(|b| b.lower.iter().zip(&b.upper))
        .filter(|&(&l, &u)| l < 0.0 && u > 0.0)
        .map(|(&l, &u)| crate::bounds::big_m(l, u))
        .fold(0.0, f64::max);
    if big_m > limits::LARGE_BIG_M {
        warnings.push(format!(
            "ill-conditioned MILP: a big-M of {big_m:.1e} (> {:.0e}) lets a binary within the \
             integrality tolerance move its neuron by up to {:.1e} — try --bounds lp, --scale \
             range or a smaller box",
            limits::LARGE_BIG_M,
            big_m * 1e-6
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{LayerBounds, interval_bounds};
    use ndarray::array;

    #[test]
    fn a_known_better_point_refutes_a_claimed_optimum() {
        // Minimise: the solver claims 0.5723 is optimal, a known point has 0.5608.
        let mut r = report(0.5723, 0.5723, None);
        refute_bound_by(&mut r, 0.5608, Some(vec![0.1]), true, 1e-6, "a point");
        assert_eq!(r.status, UNRELIABLE);
        assert_eq!((r.objective, r.x.clone()), (Some(0.5608), Some(vec![0.1])));
        assert!(r.status_detail.unwrap().contains("cut off feasible points"));
        // Within the gap, or on the right side of the bound: nothing to refute.
        for (value, minimise) in [(0.5723 - 1e-7, true), (0.6, true), (0.5, false)] {
            let mut r = report(0.5723, 0.5723, None);
            refute_bound_by(&mut r, value, None, minimise, 1e-6, "a point");
            assert_eq!(r.status, "optimal", "{value} {minimise}");
        }
        // Maximise: a point above the claimed upper bound refutes it, keeping the solver's x
        // when the point is not given.
        let mut r = report(2.0, 2.0, None);
        refute_bound_by(&mut r, 2.5, None, false, 1e-6, "a sample");
        assert_eq!((r.status.as_str(), r.objective), (UNRELIABLE, Some(2.0)));
    }

    fn report(objective: f64, forward: f64, start: Option<f64>) -> SolveReport {
        SolveReport {
            status: "optimal".into(),
            status_detail: None,
            objective_description: "minimise output 0".into(),
            objective: Some(objective),
            best_bound: Some(objective),
            gap: Some(0.0),
            nodes: 1,
            lp_iterations: 1,
            time_s: 0.0,
            build_time_s: 0.0,
            x: Some(vec![0.0]),
            forward_value: Some(forward),
            forward_difference: Some((forward - objective).abs()),
            start_objective: start,
            binaries: 0,
            variables: 1,
            constraints: 0,
            nonzeros: 0,
            ..SolveReport::default()
        }
    }

    #[test]
    fn an_optimum_its_own_forward_pass_or_a_sample_contradicts_is_unreliable() {
        let checked = |mut r: SolveReport, minimise: bool| {
            r.check_against_network(minimise);
            r
        };
        // Within the tolerance: kept.
        let ok = checked(report(-1e6, -1e6 + 0.5, Some(-1e6 + 3.0)), true);
        assert_eq!(ok.status, "optimal");
        // f(x*) disagrees: not attained.
        let off = checked(report(-2.0, -1.9, None), true);
        assert_eq!(off.status, UNRELIABLE);
        assert!(off.status_detail.unwrap().contains("forward pass"));
        let nan = checked(report(-2.0, f64::NAN, None), true);
        assert_eq!(nan.status, UNRELIABLE);
        // A sampled input beats the "optimum": not the optimum (either sense).
        let beaten = checked(report(-2.0, -2.0, Some(-2.5)), true);
        assert_eq!(beaten.status, UNRELIABLE);
        assert!(beaten.status_detail.unwrap().contains("sampled input"));
        assert_eq!(
            checked(report(2.0, 2.0, Some(2.5)), false).status,
            UNRELIABLE
        );
        assert_eq!(checked(report(2.0, 2.0, Some(2.5)), true).status, "optimal");
    }

    #[test]
    fn bounds_beyond_the_limit_are_refused_naming_the_neuron() {
        let net = Network::new(
            vec![
                crate::network::Layer::new(
                    array![[1.0], [1e11]],
                    array![0.0, 0.0],
                    crate::network::Activation::Relu,
                ),
                crate::network::Layer::new(
                    array![[1.0, 1.0]],
                    array![0.0],
                    crate::network::Activation::Linear,
                ),
            ],
            None,
        )
        .unwrap();
        let input_box = InputBox::new(vec![-100.0], vec![100.0]).unwrap();
        let bounds = interval_bounds(&net, &input_box);
        assert_eq!(bounds.layers[0].upper[1], 1e13);
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let err = solve_network(
            &net,
            &input_box,
            &bounds,
            &objective,
            &NetworkSolveOptions::default(),
            &SolveControl::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("layer 1, neuron 1") && err.contains("1e13"),
            "{err}"
        );
        // Within the limit, the same network solves, flagged as ill-conditioned.
        let small = InputBox::new(vec![-1e-4], vec![1e-4]).unwrap();
        let mut b = interval_bounds(&net, &small);
        b.layers[0] = LayerBounds {
            lower: vec![-1e-4, -1e7],
            upper: vec![1e-4, 1e7],
        };
        let r = solve_network(
            &net,
            &small,
            &b,
            &objective,
            &NetworkSolveOptions::default(),
            &SolveControl::default(),
        )
        .unwrap();
        assert!(
            r.warnings.iter().any(|w| w.contains("big-M")),
            "{:?}",
            r.warnings
        );
    }
}
