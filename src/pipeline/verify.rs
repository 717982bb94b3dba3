//! Verification: is there an input in the box that satisfies a property's constraints (a
//! VNNLIB property states the unsafe set)? `sat` with a counterexample re-checked by forward
//! passes, `unsat` when every alternative is proven empty, `unknown` otherwise.

use super::problem_solve::{AlternativeOutcome, solve_problem};
use super::{MilpSetup, SolveMethod};
use crate::error::Error;
use crate::formulation::CONSTRAINT_TOLERANCE;
use crate::milp::{NetworkSolveOptions, SolveControl};
use crate::problem::{LinearConstraint, Problem};
use crate::regions::RegionOptions;
use serde::Serialize;
use std::time::Instant;

/// The answer of [`verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A counterexample exists (and was checked).
    Sat,
    /// Proven: no input satisfies the property.
    Unsat,
    /// Neither could be established (time limit, numerical trouble, an error).
    Unknown,
}

impl Verdict {
    /// `sat`, `unsat` or `unknown`.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Sat => "sat",
            Verdict::Unsat => "unsat",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A point satisfying the property, re-checked in f64.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterexample {
    /// The alternative it satisfies (`None`: the property has no alternatives).
    pub alternative: Option<usize>,
    /// The input.
    pub x: Vec<f64>,
    /// Each network's outputs at `x` by a forward pass.
    pub outputs: Vec<Vec<f64>>,
    /// The largest violation of a constraint of that alternative at `x` (0 when every one
    /// holds exactly).
    pub max_violation: f64,
    /// The accepted violation of each constraint, `tolerance · (1 + |rhs|)`.
    pub tolerance: f64,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// `sat`, `unsat` or `unknown`.
    pub verdict: Verdict,
    /// Why `unknown`; how `unsat` was proven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `sat`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
    /// Whether the time limit ended the search (`unknown` only).
    pub timed_out: bool,
    /// Every alternative's outcome.
    pub alternatives: Vec<AlternativeOutcome>,
    /// Wall seconds.
    pub time_s: f64,
}

/// Decides `problem` as a feasibility question (its objective, if any, is ignored): its
/// alternatives in parallel, stopping at the first point found, which becomes a
/// counterexample only if forward passes of the networks satisfy every constraint of its
/// alternative within [`CONSTRAINT_TOLERANCE`]` · (1 + |rhs|)` and it lies in the
/// alternative's box; otherwise the answer is `unknown`.
pub fn verify(
    problem: &Problem,
    method: SolveMethod,
    setup: &MilpSetup,
    options: &NetworkSolveOptions,
    regions: &RegionOptions,
    control: &SolveControl,
) -> Result<Verification, Error> {
    let started = Instant::now();
    problem.check()?;
    let question = Problem {
        objective: None,
        ..problem.clone()
    };
    let unknown = |reason: String, timed_out: bool, alternatives| Verification {
        verdict: Verdict::Unknown,
        reason: Some(reason),
        counterexample: None,
        timed_out,
        alternatives,
        time_s: started.elapsed().as_secs_f64(),
    };
    let solved = match solve_problem(&question, method, setup, options, regions, control) {
        Ok(s) => s,
        Err(Error::Invalid(why)) => return Ok(unknown(why, false, Vec::new())),
        Err(e) => return Err(e),
    };
    let report = &solved.report;
    match report.status.as_str() {
        "infeasible" => Ok(Verification {
            verdict: Verdict::Unsat,
            reason: Some(format!(
                "every alternative ({}) was proven to hold no point",
                solved.alternatives.len()
            )),
            counterexample: None,
            timed_out: false,
            alternatives: solved.alternatives,
            time_s: started.elapsed().as_secs_f64(),
        }),
        "optimal" => {
            let (Some(x), Some(outputs)) = (&report.x, &solved.outputs) else {
                return Ok(unknown(
                    "the solver reports a point but gave none".into(),
                    false,
                    solved.alternatives,
                ));
            };
            match check_counterexample(problem, solved.alternative, x, outputs) {
                Ok(counterexample) => Ok(Verification {
                    verdict: Verdict::Sat,
                    reason: None,
                    counterexample: Some(counterexample),
                    timed_out: false,
                    alternatives: solved.alternatives,
                    time_s: started.elapsed().as_secs_f64(),
                }),
                Err(why) => Ok(unknown(
                    format!("the solver's point fails its check, so it is not reported: {why}"),
                    false,
                    solved.alternatives,
                )),
            }
        }
        status => Ok(unknown(
            report
                .status_detail
                .clone()
                .unwrap_or_else(|| status.to_string()),
            status == "time_limit",
            solved.alternatives,
        )),
    }
}

/// Checks `x` with the networks' `outputs` against the box and every constraint of
/// `alternative` (and the problem's own); the counterexample, or why it fails.
pub fn check_counterexample(
    problem: &Problem,
    alternative: Option<usize>,
    x: &[f64],
    outputs: &[Vec<f64>],
) -> Result<Counterexample, String> {
    let alt = alternative.and_then(|d| problem.disjuncts.get(d));
    let boxes = std::iter::once(&problem.input_box).chain(alt.and_then(|d| d.input_box.as_ref()));
    for b in boxes {
        if !b.contains(x, 0.0) {
            return Err(format!(
                "x = {x:?} lies outside the box {}",
                b.to_cli_string()
            ));
        }
    }
    // Fresh forward passes: the outputs are checked, not trusted.
    let fresh: Vec<Vec<f64>> = problem
        .networks
        .iter()
        .map(|n| n.network.forward(x))
        .collect();
    if fresh != outputs {
        return Err("the outputs given are not the networks' outputs at x".into());
    }
    let constraints: Vec<&LinearConstraint> = problem
        .constraints
        .iter()
        .chain(alt.into_iter().flat_map(|d| &d.constraints))
        .collect();
    let mut max_violation: f64 = 0.0;
    for c in constraints {
        let v = c.violation(x, &fresh);
        let allowed = CONSTRAINT_TOLERANCE * (1.0 + c.rhs.abs());
        if v.is_nan() || v > allowed {
            return Err(format!(
                "{} is violated by {v:.3e} (> {allowed:.1e})",
                c.origin
            ));
        }
        max_violation = max_violation.max(v);
    }
    Ok(Counterexample {
        alternative,
        x: x.to_vec(),
        outputs: fresh,
        max_violation,
        tolerance: CONSTRAINT_TOLERANCE,
    })
}
