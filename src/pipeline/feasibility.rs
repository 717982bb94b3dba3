//! A feasibility question with one constraint `wᵀf(x) ≤ u` (or `≥ l`), decided by optimising
//! `wᵀf(x)` instead: the MILP's bounds then guide branch and bound, and the solve stops as
//! soon as either side is settled — an incumbent at or below `u` (a candidate point, checked
//! by a forward pass) or a proven bound above `u` (no point). A feasibility MILP has no
//! objective to bound, so HiGHS must branch blind to prove that no point exists; measured on
//! the sample instance set (`bench verify`), optimising decides the threshold properties near
//! a network's optimum that the feasibility MILP leaves at its time limit.

use super::cancel_relay::relaying_cancel;
use super::{PreparedMilp, SolveCall, SolveMethod, Solved, prepare_milp_constrained};
use crate::error::Error;
use crate::formulation::OutputConstraint;
use crate::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveProgress};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The one constraint of `objective` when it is a feasibility question with exactly one
/// constraint with one finite side: the case [`decide_by_optimising`] takes.
pub(super) fn single_sided(objective: &Objective) -> Option<&OutputConstraint> {
    match objective.constraints.as_slice() {
        [c] if objective.is_feasibility() && (c.lower.is_finite() != c.upper.is_finite()) => {
            Some(c)
        }
        _ => None,
    }
}

/// Decides the feasibility question `objective` (see [`single_sided`]) by optimising the
/// constraint's function over the MILP prepared with `setup` (its bounds with the constraint
/// in OBBT's LPs). The report is that of the feasibility question: `optimal` with the point
/// found, `infeasible` when the proven bound passes the side, else the solver's status.
pub(super) fn decide_by_optimising(call: &SolveCall) -> Result<Solved, Error> {
    let SolveCall {
        network,
        input_box,
        objective,
        setup,
        options,
        control,
        task,
    } = *call;
    let constraint = single_sided(objective)
        .ok_or_else(|| Error::Invalid("not a one-constraint feasibility question".into()))?
        .normalized();
    // Minimise wᵀy against an upper side, maximise it against a lower one; `side` is then
    // the value the optimum must reach for a point to exist.
    let (sense, side) = if constraint.upper.is_finite() {
        (Sense::Minimize, constraint.upper)
    } else {
        (Sense::Maximize, constraint.lower)
    };
    let sign = sense.sign();
    let optimised =
        Objective::combination(sense, constraint.weights.clone(), network.output_dim())?;
    let prepared: PreparedMilp = prepare_milp_constrained(
        network,
        input_box,
        setup,
        std::slice::from_ref(&constraint),
        task,
    )?;
    let mut options = options.clone();
    let attempt = |stop_on_incumbent: bool, options: &NetworkSolveOptions| {
        let (solved, settled, passed) = watched(sign, side, stop_on_incumbent, control, |watch| {
            prepared.solve_with(input_box, &optimised, options, watch)
        });
        solved.map(|mut report| {
            if let Some(bound) = passed
                && report.best_bound.is_none_or(|b| sign * b < sign * bound)
            {
                report.best_bound = Some(bound);
            }
            (report, settled)
        })
    };
    let reached =
        |r: &crate::milp::SolveReport| r.forward_value.is_some_and(|v| sign * v <= sign * side);
    let beyond = |r: &crate::milp::SolveReport| {
        r.best_bound.is_some_and(|v| sign * v > sign * side) || r.status == "infeasible"
    };
    if let Some(left) = task.remaining() {
        options.solver.time_limit = Some(left.as_secs_f64().max(1e-3));
    }
    let (mut report, mut settled) = attempt(true, &options)?;
    if settled && !reached(&report) && !beyond(&report) && !control.cancel.load(Ordering::Relaxed) {
        // The incumbent reached the side in the MILP but not in a forward pass (the model's
        // tolerances): go on, stopping only on the bound, so that the optimum decides.
        if let Some(left) = task.remaining() {
            options.solver.time_limit = Some(left.as_secs_f64().max(1e-3));
        }
        let (again, again_settled) = attempt(false, &options)?;
        let time = report.time_s;
        report = again;
        report.time_s += time;
        settled = again_settled;
    }
    let (reached, beyond) = (reached(&report), beyond(&report));
    let user_stopped = control.cancel.load(Ordering::Relaxed) && !settled;
    let (status, detail) = if reached {
        ("optimal".to_string(), None)
    } else if beyond && report.status != crate::milp::UNRELIABLE {
        (
            "infeasible".to_string(),
            Some(format!(
                "optimising the constraint's function proves it cannot reach {side:e} (bound {})",
                report
                    .best_bound
                    .map_or("none".to_string(), |b| format!("{b:e}"))
            )),
        )
    } else if user_stopped {
        ("cancelled".to_string(), None)
    } else if report.status == "cancelled" {
        // Settled by the watcher, yet neither side holds by the report: say so.
        (
            "other".to_string(),
            Some("the optimisation stopped without settling the constraint".into()),
        )
    } else {
        (report.status.clone(), report.status_detail.clone())
    };
    report.status = status;
    report.status_detail = detail;
    report.objective_description = objective.describe();
    if report.status == "optimal" {
        report.objective = Some(0.0);
        report.best_bound = Some(0.0);
        report.gap = Some(0.0);
        report.forward_value = Some(0.0);
        report.forward_difference = Some(0.0);
    } else {
        report.x = None;
        report.objective = None;
        report.best_bound = None;
        report.gap = None;
        report.forward_value = None;
        report.forward_difference = None;
    }
    Ok(Solved {
        report,
        method: SolveMethod::Milp,
        reason: "one constraint, so its function is optimised until a point reaches the side \
                 or the bound passes it"
            .into(),
        prepared: Some(prepared),
    })
}

/// Runs `solve` with a control that stops it as soon as the question `sign · value ≤ sign ·
/// side` is settled: an incumbent that reaches the side (when `stop_on_incumbent`) or a
/// bound that passes it. The user's Cancel (`control.cancel`) is relayed. Returns the result,
/// whether the watcher stopped it, and the bound that passed the side (a stopped HiGHS
/// reports none of its own).
fn watched<T>(
    sign: f64,
    side: f64,
    stop_on_incumbent: bool,
    control: &SolveControl,
    solve: impl FnOnce(&SolveControl) -> T,
) -> (T, bool, Option<f64>) {
    let settled = Arc::new(AtomicBool::new(false));
    let passed = Arc::new(AtomicU64::new(f64::NAN.to_bits()));
    let cancel = Arc::new(AtomicBool::new(false));
    let (flag, stop, seen) = (
        Arc::clone(&settled),
        Arc::clone(&cancel),
        Arc::clone(&passed),
    );
    let progress = control.on_progress.clone();
    let watch = SolveControl {
        cancel,
        on_progress: Some(Arc::new(move |p: &SolveProgress| {
            let reached =
                stop_on_incumbent && p.primal_bound.is_some_and(|v| sign * v <= sign * side);
            let beyond = p.dual_bound.filter(|v| sign * v > sign * side);
            if let Some(bound) = beyond {
                seen.store(bound.to_bits(), Ordering::Relaxed);
            }
            if reached || beyond.is_some() {
                flag.store(true, Ordering::Relaxed);
                stop.store(true, Ordering::Relaxed);
            }
            if let Some(observer) = &progress {
                observer(p);
            }
        })),
        on_log: control.on_log.clone(),
    };
    // The user's Cancel reaches HiGHS through `watch.cancel`, copied while it runs.
    let result = relaying_cancel(&control.cancel, &watch.cancel, || solve(&watch));
    let bound = f64::from_bits(passed.load(Ordering::Relaxed));
    (
        result,
        settled.load(Ordering::Relaxed),
        (!bound.is_nan()).then_some(bound),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::BoundMethod;
    use crate::control::TaskControl;
    use crate::network::tests::random_network;
    use crate::pipeline::MilpSetup;
    use crate::regions::solve_by_regions;

    /// `f ≤ min + ε` has a point and `f ≤ min − ε` none (likewise `f ≥ max ± ε`), with the
    /// exact optimum from the region solver; every point found satisfies the constraint by a
    /// forward pass.
    #[test]
    fn optimising_the_constraint_decides_it_like_the_exact_optimum() {
        for seed in 0..6u64 {
            let net = random_network(&[2, 10, 8, 1], seed);
            let b = net.input_box().unwrap().clone();
            let exact = |sense| {
                let o = Objective::output(sense, 0, 1).unwrap();
                solve_by_regions(&net, &b, &o, &TaskControl::default())
                    .unwrap()
                    .objective
                    .unwrap()
            };
            let (lo, hi) = (exact(Sense::Minimize), exact(Sense::Maximize));
            let eps = 0.05 * (hi - lo);
            let setup = MilpSetup {
                bounds: BoundMethod::LpObbt,
                ..MilpSetup::default()
            };
            let cases = [
                (f64::NEG_INFINITY, lo + eps, "optimal"),
                (f64::NEG_INFINITY, lo - eps, "infeasible"),
                (hi - eps, f64::INFINITY, "optimal"),
                (hi + eps, f64::INFINITY, "infeasible"),
            ];
            for (lower, upper, expect) in cases {
                let c = OutputConstraint {
                    weights: vec![1.0],
                    lower,
                    upper,
                    origin: "test".into(),
                };
                let objective = Objective::feasibility(vec![c.clone()], 1).unwrap();
                let solved = decide_by_optimising(&SolveCall {
                    network: &net,
                    input_box: &b,
                    objective: &objective,
                    setup: &setup,
                    options: &NetworkSolveOptions::default(),
                    control: &SolveControl::default(),
                    task: &TaskControl::default(),
                })
                .unwrap();
                assert_eq!(
                    solved.report.status, expect,
                    "seed {seed} [{lower}, {upper}]"
                );
                if let Some(x) = &solved.report.x {
                    assert_eq!(c.violation(&net.forward(x)), 0.0, "seed {seed}");
                }
            }
        }
    }
}
