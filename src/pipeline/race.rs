//! Branching over the input box raced against the MILP, one core each, where neither wins
//! every time: small or deep 5-input networks ([`auto_races`](super::auto_races)).
//!
//! Measured on trained Ackley networks (wall seconds, `solve --method branch|milp`): with 3–5
//! inputs branching is faster on every network of 50 or more neurons in at most 4 hidden
//! layers (auto branches alone there), with 6–10 the MILP is 2–170× faster, and on small or
//! deep 5-input networks each can win (4×10: MILP 0.061 s, branching 0.123 s; 6×50: neither
//! proves the optimum within 30 s, the MILP's incumbent is better). Both are exact; the first
//! to prove its optimum stops the other.

use super::cancel_relay::relaying_cancel;
use super::handover::better_objective;
use super::{SolveCall, SolveMethod, Solved, prepare_milp};
use crate::branching::{BranchOptions, solve_by_branching};
use crate::control::TaskControl;
use crate::error::Error;
use crate::milp::{Sense, SolveControl, SolveReport};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// One contestant's result and when it ended.
struct Finish<T> {
    result: Result<T, Error>,
    at: Instant,
}

/// Runs branching (one thread) and the MILP (bounds by `setup`, then HiGHS) side by side
/// until the first proves its optimum, `task`'s deadline passes or the user cancels
/// (`control.cancel`). The result is the winner's; without a winner, the better objective.
pub(crate) fn race_branch_and_milp(call: &SolveCall) -> Result<Solved, Error> {
    let SolveCall {
        network,
        input_box,
        objective,
        setup,
        options,
        control,
        task,
    } = *call;
    // One flag stops both: set by the first to finish, or copied from the user's.
    let stop = Arc::new(AtomicBool::new(false));
    let (branch, milp) = relaying_cancel(&control.cancel, &stop, || {
        std::thread::scope(|scope| {
            let branch = scope.spawn(|| {
                let branch_task = TaskControl {
                    cancel: stop.clone(),
                    on_progress: None,
                    deadline: task.deadline,
                };
                let branch_options = BranchOptions {
                    gap: options.solver.mip_rel_gap,
                    parallel: false,
                    ..BranchOptions::default()
                };
                let result = solve_by_branching(
                    network,
                    input_box,
                    objective,
                    &branch_options,
                    &branch_task,
                )
                .map_err(Error::from);
                if result.as_ref().is_ok_and(proven) {
                    stop.store(true, Ordering::Relaxed);
                }
                Finish {
                    result,
                    at: Instant::now(),
                }
            });
            let milp_task = TaskControl {
                cancel: stop.clone(),
                ..task.clone()
            };
            let milp = (|| {
                // One core for this side too: bound tightening's workers and MILPs follow
                // the rayon pool they run in (measured: with both cores, MILP-OBBT halved
                // branching's speed — ackley:5 4×25 5.4 s alone, 10.1 s in the race).
                let prepared = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                    Ok(pool) => {
                        pool.install(|| prepare_milp(network, input_box, setup, &milp_task))
                    }
                    Err(_) => prepare_milp(network, input_box, setup, &milp_task),
                }?;
                let mut options = options.clone();
                if let Some(left) = milp_task.remaining() {
                    options.solver.time_limit = Some(left.as_secs_f64().max(1e-3));
                }
                let milp_control = SolveControl {
                    cancel: stop.clone(),
                    ..control.clone()
                };
                let report = prepared.solve_with(input_box, objective, &options, &milp_control)?;
                Ok((report, prepared))
            })();
            if milp.as_ref().is_ok_and(|(r, _)| proven(r)) {
                stop.store(true, Ordering::Relaxed);
            }
            let milp = Finish {
                result: milp,
                at: Instant::now(),
            };
            let branch = branch.join().unwrap_or_else(|_| Finish {
                result: Err(Error::Branch(crate::branching::BranchError::Problem(
                    "the branching thread panicked".into(),
                ))),
                at: Instant::now(),
            });
            (branch, milp)
        })
    });
    let user_cancelled = control.cancel.load(Ordering::Relaxed);
    let (report, method, reason, prepared) =
        pick_winner(branch, milp, objective.sense, user_cancelled)?;
    Ok(Solved {
        report,
        method,
        reason,
        prepared,
    })
}

/// Whether a contestant's answer ends the race: its optimum proven, or (with constraints on
/// the outputs) that no input satisfies them.
fn proven(report: &SolveReport) -> bool {
    matches!(report.status.as_str(), "optimal" | "infeasible")
}

/// What a [`proven`] answer proved, for the reason line.
fn what_was_proven(report: &SolveReport) -> &'static str {
    if report.status == "infeasible" {
        "the problem infeasible"
    } else {
        "the optimum"
    }
}

/// The race's answer from both finishes: the first to prove its optimum; without one, the
/// better objective; a failure only if both failed. `P` is the MILP's prepared problem.
fn pick_winner<P>(
    branch: Finish<SolveReport>,
    milp: Finish<(SolveReport, P)>,
    sense: Sense,
    user_cancelled: bool,
) -> Result<(SolveReport, SolveMethod, String, Option<P>), Error> {
    let better =
        |a: &SolveReport, b: &SolveReport| better_objective(a.objective, b.objective, sense);
    let branch_proven = branch.result.as_ref().is_ok_and(proven);
    let milp_proven = milp.result.as_ref().is_ok_and(|(r, _)| proven(r));
    let branch_wins = branch_proven && (!milp_proven || branch.at <= milp.at);
    let by_branch = |r: SolveReport, why: String| Ok((r, SolveMethod::Branch, why, None));
    let by_milp = |r: SolveReport, why: String, p: P| Ok((r, SolveMethod::Milp, why, Some(p)));
    // The loser was stopped (a cancelled status, or a cancelled bound computation): only the
    // winner's result counts.
    match (branch.result, milp.result) {
        (Ok(b), _) if branch_wins => {
            let why = format!("branching proved {} first", what_was_proven(&b));
            by_branch(b, why)
        }
        (_, Ok((m, p))) if milp_proven => {
            let why = format!("the MILP proved {} first", what_was_proven(&m));
            by_milp(m, why, p)
        }
        (Ok(b), Ok((m, p))) => {
            let why = if user_cancelled {
                "cancelled"
            } else {
                "neither finished"
            };
            if better(&b, &m) {
                by_branch(b, format!("{why}; branching found the better point"))
            } else {
                by_milp(m, format!("{why}; the MILP found the better point"), p)
            }
        }
        (Ok(b), Err(e)) => by_branch(b, format!("branching (the MILP failed: {e})")),
        (Err(e), Ok((m, p))) => by_milp(m, format!("the MILP (branching failed: {e})"), p),
        (Err(_), Err(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branching::BranchError;
    use std::time::Duration;

    fn report(status: &str, objective: f64) -> SolveReport {
        SolveReport {
            status: status.into(),
            objective: Some(objective),
            ..SolveReport::default()
        }
    }

    fn finish<T>(result: Result<T, Error>, after_ms: u64, t0: Instant) -> Finish<T> {
        Finish {
            result,
            at: t0 + Duration::from_millis(after_ms),
        }
    }

    fn failed() -> Error {
        Error::Branch(BranchError::Problem("broken".into()))
    }

    /// A proof that no input satisfies the constraints ends the race as an optimum does.
    #[test]
    fn a_proof_of_infeasibility_wins_the_race() {
        let t0 = Instant::now();
        let infeasible = || SolveReport {
            status: "infeasible".into(),
            ..SolveReport::default()
        };
        let (r, method, why, _) = pick_winner(
            finish(Ok(infeasible()), 10, t0),
            finish(Ok((report("cancelled", 1.5), ())), 12, t0),
            Sense::Minimize,
            false,
        )
        .unwrap();
        assert_eq!(
            (r.status.as_str(), method),
            ("infeasible", SolveMethod::Branch)
        );
        assert!(why.contains("proved the problem infeasible first"), "{why}");
        let (r, method, why, _) = pick_winner(
            finish(Ok(report("time_limit", 2.0)), 30, t0),
            finish(Ok((infeasible(), ())), 12, t0),
            Sense::Minimize,
            false,
        )
        .unwrap();
        assert_eq!(
            (r.status.as_str(), method),
            ("infeasible", SolveMethod::Milp)
        );
        assert!(
            why.contains("the MILP proved the problem infeasible"),
            "{why}"
        );
    }

    #[test]
    fn the_first_proven_optimum_wins_else_the_better_point() {
        let t0 = Instant::now();
        let pick =
            |b: Result<SolveReport, Error>, tb, m: Result<SolveReport, Error>, tm, cancel| {
                pick_winner(
                    finish(b, tb, t0),
                    finish(m.map(|r| (r, ())), tm, t0),
                    Sense::Minimize,
                    cancel,
                )
                .map(|(r, method, why, p)| (r.objective.unwrap(), method, why, p.is_some()))
            };
        // Branching proves first; the MILP was stopped (cancelled).
        let (o, m, why, prepared) = pick(
            Ok(report("optimal", 1.0)),
            10,
            Ok(report("cancelled", 1.5)),
            12,
            false,
        )
        .unwrap();
        assert_eq!((o, m, prepared), (1.0, SolveMethod::Branch, false));
        assert!(why.contains("branching proved"), "{why}");
        // Both optimal: the earlier one.
        let (_, m, _, prepared) = pick(
            Ok(report("optimal", 1.0)),
            20,
            Ok(report("optimal", 1.0)),
            5,
            false,
        )
        .unwrap();
        assert_eq!((m, prepared), (SolveMethod::Milp, true));
        // The MILP proves it while branching's bounds were cancelled (an error).
        let (_, m, why, _) = pick(Err(failed()), 3, Ok(report("optimal", 2.0)), 9, false).unwrap();
        assert_eq!(m, SolveMethod::Milp);
        assert!(why.contains("MILP proved"), "{why}");
        // Neither finished (time limit): the better point, and the reason says so.
        let (o, m, why, _) = pick(
            Ok(report("time_limit", 0.5)),
            1,
            Ok(report("time_limit", 0.7)),
            1,
            false,
        )
        .unwrap();
        assert_eq!((o, m), (0.5, SolveMethod::Branch));
        assert!(why.starts_with("neither finished"), "{why}");
        let (_, _, why, _) = pick(
            Ok(report("cancelled", 0.9)),
            1,
            Ok(report("cancelled", 0.7)),
            1,
            true,
        )
        .unwrap();
        assert!(why.starts_with("cancelled; the MILP"), "{why}");
        // One failed: the other answers, and the failure is named.
        let (_, m, why, _) =
            pick(Ok(report("time_limit", 3.0)), 1, Err(failed()), 1, false).unwrap();
        assert_eq!(m, SolveMethod::Branch);
        assert!(why.contains("the MILP failed: broken"), "{why}");
        // Both failed: an error.
        assert!(pick(Err(failed()), 1, Err(failed()), 1, false).is_err());
    }
}
