//! Verification: is there an input in the box that satisfies a property's constraints (a
//! VNNLIB property states the unsafe set)? `sat` with a counterexample re-checked by forward
//! passes, `unsat` when every alternative is proven empty, `unknown` otherwise.

use super::problem_solve::{AlternativeOutcome, solve_problem};
use super::{MilpSetup, SolveMethod};
use crate::error::Error;
use crate::formulation::CONSTRAINT_TOLERANCE;
use crate::milp::{NetworkSolveOptions, SolveControl};
use crate::problem::{ConstraintSense, LinearConstraint, Problem};
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

/// A point satisfying the property, re-checked in f64: every inequality holds exactly at the
/// networks' forward passes, every equality within [`CONSTRAINT_TOLERANCE`] relative to its
/// magnitudes ([`crate::formulation::accepted_violation`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counterexample {
    /// The alternative it satisfies (`None`: the property has no alternatives).
    pub alternative: Option<usize>,
    /// The input.
    pub x: Vec<f64>,
    /// Each network's outputs at `x` by a forward pass.
    pub outputs: Vec<Vec<f64>>,
    /// The smallest slack of the inequalities of that alternative at `x` (≥ 0; `∞` without
    /// inequalities).
    pub min_slack: f64,
    /// The largest violation of an equality (0 without equalities).
    pub max_equality_violation: f64,
    /// The relative tolerance of equalities ([`CONSTRAINT_TOLERANCE`]).
    pub equality_tolerance: f64,
}

impl Verification {
    /// `sat`, `unsat`, `timeout` (unknown at the time limit) or `unknown`: the word VNN-COMP's
    /// result files use.
    pub fn result_word(&self) -> &'static str {
        match self.verdict {
            Verdict::Unknown if self.timed_out => "timeout",
            verdict => verdict.key(),
        }
    }
}

impl Counterexample {
    /// The check in words, e.g. `forward pass: every inequality holds (smallest slack 3.1e-2)`.
    pub fn describe_check(&self) -> String {
        let mut text = String::from("forward pass: ");
        if self.min_slack.is_finite() {
            text.push_str(&format!(
                "every inequality holds (smallest slack {:.2e})",
                self.min_slack
            ));
        } else {
            text.push_str("no inequality");
        }
        if self.max_equality_violation > 0.0 {
            text.push_str(&format!(
                "; equalities within {:.2e} (accepted: {:.0e} relative)",
                self.max_equality_violation, self.equality_tolerance
            ));
        }
        text
    }
}

/// How far the inequalities are moved inward ([`Problem::tightened`]) when the solver's point
/// misses one by a rounding error: the second search then finds a point strictly inside, if
/// there is one with this much room.
pub const COUNTEREXAMPLE_MARGIN: f64 = 1e-5;

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
/// counterexample only if it passes [`check_counterexample`] (forward passes of the networks,
/// inequalities exactly). A point that misses by a rounding error (a solver's tolerance, a
/// vertex on the boundary) sends the search once more with every inequality moved inward by
/// [`COUNTEREXAMPLE_MARGIN`]; if that finds no checked point either, the answer is `unknown`.
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
    let first_check = match (&solved.report.x, &solved.outputs) {
        (Some(x), Some(outputs)) if solved.report.status == "optimal" => Some(
            check_counterexample(problem, solved.alternative, x, outputs),
        ),
        _ => None,
    };
    let solved = match first_check {
        Some(Err(why)) => {
            // Once more, strictly inside, with what is left of the time.
            let mut options = options.clone();
            if let Some(limit) = options.solver.time_limit {
                let left = limit - started.elapsed().as_secs_f64();
                if left <= 0.0 {
                    return Ok(unknown(
                        format!("the solver's point fails its check ({why}) and no time is left"),
                        true,
                        solved.alternatives,
                    ));
                }
                options.solver.time_limit = Some(left);
            }
            let inside = question.tightened(COUNTEREXAMPLE_MARGIN);
            match solve_problem(&inside, method, setup, &options, regions, control) {
                Ok(again) if again.report.status == "infeasible" => {
                    return Ok(unknown(
                        format!(
                            "the solver's point fails its check ({why}), and with every \
                             inequality moved inward by {COUNTEREXAMPLE_MARGIN:e} (relative) no \
                             point is left: the property holds at most near its boundary"
                        ),
                        false,
                        solved.alternatives,
                    ));
                }
                Ok(again) => again,
                Err(e) => {
                    return Ok(unknown(
                        format!("the solver's point fails its check ({why}); again: {e}"),
                        false,
                        solved.alternatives,
                    ));
                }
            }
        }
        _ => solved,
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
/// `alternative` (and the problem's own) by fresh forward passes: inequalities exactly,
/// equalities within [`CONSTRAINT_TOLERANCE`] relative to their magnitudes; the
/// counterexample, or why it fails.
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
    let mut min_slack = f64::INFINITY;
    let mut max_equality_violation: f64 = 0.0;
    for c in constraints {
        if c.sense == ConstraintSense::Eq {
            let v = c.violation(x, &fresh);
            if !c.holds(x, &fresh) {
                return Err(format!("{} is violated by {v:.3e}", c.origin));
            }
            max_equality_violation = max_equality_violation.max(v);
            continue;
        }
        let slack = c.slack(x, &fresh);
        if slack.is_nan() || slack < 0.0 {
            return Err(format!("{} is violated by {:.3e}", c.origin, -slack));
        }
        min_slack = min_slack.min(slack);
    }
    Ok(Counterexample {
        alternative,
        x: x.to_vec(),
        outputs: fresh,
        min_slack,
        max_equality_violation,
        equality_tolerance: CONSTRAINT_TOLERANCE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::random_network;
    use crate::problem::{Disjunct, Variable};

    /// A counterexample must satisfy inequalities exactly, and the tightened problem (the
    /// second search) moves each inward by the margin relative to its scale.
    #[test]
    fn counterexamples_are_checked_exactly_and_the_retry_moves_inward() {
        let net = random_network(&[2, 4, 1], 1);
        let b = net.input_box().unwrap().clone();
        let x = b.center();
        let y = net.forward(&x)[0];
        let at_least = |rhs: f64| LinearConstraint {
            terms: vec![(
                Variable::Output {
                    network: 0,
                    output: 0,
                },
                1.0,
            )],
            sense: ConstraintSense::Ge,
            rhs,
            origin: "p.vnnlib:9".into(),
        };
        let mut problem = Problem::single(net.clone(), b.clone());
        problem.disjuncts.push(Disjunct {
            input_box: None,
            constraints: vec![at_least(y)],
            origin: "p.vnnlib:8".into(),
        });
        let outputs = vec![vec![y]];
        let c = check_counterexample(&problem, Some(0), &x, &outputs).unwrap();
        assert_eq!(c.min_slack, 0.0);
        // A rounding error above y is a miss, named by the constraint's origin.
        problem.disjuncts[0].constraints = vec![at_least(y + 1e-12 * (1.0 + y.abs()))];
        let err = check_counterexample(&problem, Some(0), &x, &outputs).unwrap_err();
        assert!(err.contains("p.vnnlib:9"), "{err}");
        // Outputs that are not the network's are refused, as is a point outside the box.
        assert!(check_counterexample(&problem, Some(0), &x, &[vec![y + 1.0]]).is_err());
        let outside = vec![b.upper()[0] + 1.0, x[1]];
        assert!(check_counterexample(&problem, Some(0), &outside, &outputs).is_err());
        // The second search's problem: ≥ moves up by margin · (max|a| + |rhs|).
        let moved = problem.tightened(COUNTEREXAMPLE_MARGIN).disjuncts[0].constraints[0].rhs;
        let rhs = problem.disjuncts[0].constraints[0].rhs;
        assert!((moved - rhs - COUNTEREXAMPLE_MARGIN * (1.0 + rhs.abs())).abs() < 1e-15);
    }
}
