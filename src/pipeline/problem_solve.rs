//! Solving a [`Problem`] — several networks, constraints, alternatives — by stacking each
//! alternative into one network with constraints on its outputs
//! ([`StackedProblem`]) and solving it the way [`solve`] solves one network.
//!
//! Alternatives run in parallel (rayon). A feasibility question (no objective) stops at the
//! first alternative that finds a point; an optimisation takes the best over all of them.

use super::cancel_relay::relaying_cancel;
use super::{MilpSetup, SolveMethod, solve};
use crate::error::Error;
use crate::milp::{NetworkSolveOptions, SolveControl, SolveReport, UNRELIABLE};
use crate::problem::stack::StackedProblem;
use crate::problem::{Problem, ProblemError};
use crate::regions::RegionOptions;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How one alternative ended.
#[derive(Debug, Clone, Serialize)]
pub struct AlternativeOutcome {
    /// Its index in [`Problem::disjuncts`] (`None`: the problem has no alternatives).
    pub alternative: Option<usize>,
    /// Where it came from (file and line), when known.
    pub origin: String,
    /// The solve's status; `infeasible` for a box that does not meet the problem's;
    /// `stopped` when another alternative answered first; `error` with the message.
    pub status: String,
    /// Why, for `error`, `other` and `numerically_unreliable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Its objective, when it found a point.
    pub objective: Option<f64>,
    /// The path that solved it.
    pub method: Option<&'static str>,
    /// Wall seconds.
    pub time_s: f64,
}

/// How many alternatives ended how, in order of first appearance, e.g.
/// `2 infeasible, 1 optimal`.
pub fn summarize_alternatives(alternatives: &[AlternativeOutcome]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for a in alternatives {
        match counts.iter_mut().find(|(s, _)| *s == a.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((&a.status, 1)),
        }
    }
    counts
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The answer to a problem.
#[derive(Debug, Clone)]
pub struct ProblemSolved {
    /// The combined result: `optimal` (the best over the alternatives, each proven), or
    /// `infeasible` (every alternative proven empty), else the first alternative's status
    /// that prevents either (`time_limit`, `cancelled`, …) with the best point found.
    /// `x`, `objective` and the forward check are those of the alternative that gave `x`.
    pub report: SolveReport,
    /// The alternative that gave `x`.
    pub alternative: Option<usize>,
    /// Each network's outputs at `x` (forward passes of the original networks).
    pub outputs: Option<Vec<Vec<f64>>>,
    /// Every alternative's outcome.
    pub alternatives: Vec<AlternativeOutcome>,
    /// The path and why, of the alternative that gave `x` (else of the first).
    pub method: Option<SolveMethod>,
    /// Why that path.
    pub reason: String,
}

/// Solves `problem` (see the module docs) with `method` for every alternative; the time limit
/// of `options.solver` bounds the whole call.
pub fn solve_problem(
    problem: &Problem,
    method: SolveMethod,
    setup: &MilpSetup,
    options: &NetworkSolveOptions,
    regions: &RegionOptions,
    control: &SolveControl,
) -> Result<ProblemSolved, Error> {
    problem.check()?;
    let started = Instant::now();
    let deadline = crate::control::deadline_after(started, options.solver.time_limit);
    let feasibility = problem.objective.is_none();
    // One flag stops every alternative: copied from the user's, or set by the first point of
    // a feasibility question.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = AtomicBool::new(false);
    let alternatives = problem.alternatives();
    let outcomes: Vec<(AlternativeOutcome, Option<super::Solved>)> =
        relaying_cancel(&control.cancel, &stop, || {
            alternatives
                .par_iter()
                .map(|&alt| {
                    let one_started = Instant::now();
                    let origin = alt
                        .and_then(|d| problem.disjuncts.get(d))
                        .map_or_else(String::new, |d| d.origin.clone());
                    let outcome = |status: &str, detail: Option<String>| AlternativeOutcome {
                        alternative: alt,
                        origin: origin.clone(),
                        status: status.to_string(),
                        detail,
                        objective: None,
                        method: None,
                        time_s: one_started.elapsed().as_secs_f64(),
                    };
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return (
                            outcome(
                                "time_limit",
                                Some(
                                    "the time limit passed before this alternative started".into(),
                                ),
                            ),
                            None,
                        );
                    }
                    if stop.load(Ordering::Relaxed) {
                        let status = if answered.load(Ordering::Relaxed) {
                            "stopped"
                        } else {
                            "cancelled"
                        };
                        return (outcome(status, None), None);
                    }
                    let stacked = match StackedProblem::of_checked(problem, alt) {
                        Ok(s) => s,
                        Err(ProblemError::EmptyAlternative(why)) => {
                            return (outcome("infeasible", Some(why)), None);
                        }
                        Err(e) => return (outcome("error", Some(e.to_string())), None),
                    };
                    let mut options = options.clone();
                    if let Some(d) = deadline {
                        let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
                        options.solver.time_limit = Some(left.max(1e-3));
                    }
                    let control = SolveControl {
                        cancel: Arc::clone(&stop),
                        ..SolveControl::default()
                    };
                    match solve(
                        &stacked.network,
                        &stacked.input_box,
                        &stacked.objective,
                        method,
                        setup,
                        &options,
                        regions,
                        &control,
                    ) {
                        Ok(solved) => {
                            let mut o =
                                outcome(&solved.report.status, solved.report.status_detail.clone());
                            if o.status == "cancelled" && answered.load(Ordering::Relaxed) {
                                o.status = "stopped".into();
                            }
                            o.objective = solved.report.objective;
                            o.method = Some(solved.method.key());
                            if feasibility && solved.report.status == "optimal" {
                                answered.store(true, Ordering::Relaxed);
                                stop.store(true, Ordering::Relaxed);
                            }
                            (o, Some(solved))
                        }
                        Err(e) => (outcome("error", Some(e.to_string())), None),
                    }
                })
                .collect()
        });
    combine(problem, outcomes, feasibility, started)
}

/// The combined answer of the alternatives' outcomes (see [`ProblemSolved::report`]).
fn combine(
    problem: &Problem,
    outcomes: Vec<(AlternativeOutcome, Option<super::Solved>)>,
    feasibility: bool,
    started: Instant,
) -> Result<ProblemSolved, Error> {
    let sign = problem.objective.as_ref().map_or(1.0, |o| o.sense.sign());
    let mut best: Option<usize> = None;
    for (i, (o, solved)) in outcomes.iter().enumerate() {
        let Some(s) = solved else { continue };
        let usable =
            s.report.x.is_some() && s.report.objective.is_some() && s.report.status != UNRELIABLE;
        if !usable {
            continue;
        }
        let better = |j: usize| {
            let a = sign * s.report.objective.unwrap_or(f64::INFINITY);
            let b = sign * outcomes[j].0.objective.unwrap_or(f64::INFINITY);
            // Proven points first, then the better objective.
            (o.status == "optimal", -a) > (outcomes[j].0.status == "optimal", -b)
        };
        if best.is_none_or(better) {
            best = Some(i);
        }
    }
    let all_final = outcomes
        .iter()
        .all(|(o, _)| matches!(o.status.as_str(), "optimal" | "infeasible" | "stopped"));
    let any_optimal = outcomes.iter().any(|(o, _)| o.status == "optimal");
    let errors: Vec<String> = outcomes
        .iter()
        .filter(|(o, _)| o.status == "error")
        .map(|(o, _)| match &o.origin {
            origin if origin.is_empty() => o.detail.clone().unwrap_or_default(),
            origin => format!("{origin}: {}", o.detail.clone().unwrap_or_default()),
        })
        .collect();
    if !(errors.is_empty() || feasibility && any_optimal) {
        return Err(Error::Invalid(errors.join("; ")));
    }
    let (status, detail) = if any_optimal && (feasibility || all_final) {
        ("optimal".to_string(), None)
    } else if outcomes.iter().all(|(o, _)| o.status == "infeasible") {
        let why = outcomes
            .iter()
            .filter_map(|(o, _)| o.detail.clone())
            .collect::<Vec<_>>()
            .join("; ");
        ("infeasible".to_string(), (!why.is_empty()).then_some(why))
    } else {
        // The first alternative that is neither settled nor stopped says why; there is one
        // unless a Cancel raced an answer (then: stopped without an answer).
        match outcomes
            .iter()
            .find(|(o, _)| !matches!(o.status.as_str(), "optimal" | "infeasible" | "stopped"))
        {
            Some((o, _)) => {
                let which = match o.alternative {
                    Some(d) => format!("alternative {} ({}): ", d + 1, o.origin),
                    None => String::new(),
                };
                (
                    o.status.clone(),
                    Some(format!(
                        "{which}{}",
                        o.detail.clone().unwrap_or_else(|| o.status.clone())
                    )),
                )
            }
            None => (
                "cancelled".to_string(),
                Some("stopped before any alternative was settled".into()),
            ),
        }
    };
    let mut alternatives = Vec::with_capacity(outcomes.len());
    let mut chosen = None;
    let mut first_solved = None;
    for (i, (o, solved)) in outcomes.into_iter().enumerate() {
        if Some(i) == best {
            chosen = solved.map(|s| (o.alternative, s));
        } else if first_solved.is_none() {
            first_solved = solved;
        }
        alternatives.push(o);
    }
    let (alternative, report, method, reason, outputs) = match chosen {
        Some((alt, solved)) => {
            let outputs = solved.report.x.as_ref().map(|x| {
                problem
                    .networks
                    .iter()
                    .map(|n| n.network.forward(x))
                    .collect::<Vec<_>>()
            });
            (
                alt,
                solved.report,
                Some(solved.method),
                solved.reason,
                outputs,
            )
        }
        None => {
            let (report, method, reason) = match first_solved {
                Some(s) => (
                    SolveReport {
                        objective_description: s.report.objective_description.clone(),
                        ..SolveReport::default()
                    },
                    Some(s.method),
                    s.reason,
                ),
                None => (SolveReport::default(), None, String::new()),
            };
            (None, report, method, reason, None)
        }
    };
    let mut report = report;
    report.status = status;
    report.status_detail = detail;
    if report.status != "optimal" {
        report.best_bound = None;
        report.gap = None;
    }
    report.time_s = started.elapsed().as_secs_f64();
    Ok(ProblemSolved {
        report,
        alternative,
        outputs,
        alternatives,
        method,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_are_counted_by_status_in_order() {
        let outcome = |status: &str| AlternativeOutcome {
            alternative: None,
            origin: String::new(),
            status: status.into(),
            detail: None,
            objective: None,
            method: None,
            time_s: 0.0,
        };
        let alts = [
            outcome("infeasible"),
            outcome("optimal"),
            outcome("infeasible"),
        ];
        assert_eq!(summarize_alternatives(&alts), "2 infeasible, 1 optimal");
        assert_eq!(summarize_alternatives(&[]), "");
    }
}
