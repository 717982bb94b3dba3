//! Branching over the input box raced against the MILP, one core each, for the input
//! dimensions where neither wins every time.
//!
//! Measured on trained Ackley networks (wall seconds, `solve --method branch|milp`): with 3–4
//! inputs branching is 5–130× faster, with 6–10 the MILP is 2–170× faster, and with 5 inputs
//! each wins on some (2×25: MILP 0.26 s, branching 1.2 s; 2×50: MILP 9.3 s, branching
//! 2.2 s). Both are exact; the first to prove its optimum stops the other.

use super::{MilpSetup, SolveMethod, Solved, prepare_milp};
use crate::branching::{BranchOptions, solve_by_branching};
use crate::control::TaskControl;
use crate::error::Error;
use crate::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveReport};
use crate::network::{InputBox, Network};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One contestant's result and when it ended.
struct Finish<T> {
    result: Result<T, Error>,
    at: Instant,
}

/// Runs branching (one thread) and the MILP (bounds by `setup`, then HiGHS) side by side
/// until the first proves its optimum, `task`'s deadline passes or the user cancels
/// (`control.cancel`). The result is the winner's; without a winner, the better objective.
pub(crate) fn race_branch_and_milp(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    setup: &MilpSetup,
    options: &NetworkSolveOptions,
    control: &SolveControl,
    task: &TaskControl,
) -> Result<Solved, Error> {
    // One flag stops both: set by the first to finish, or copied from the user's.
    let stop = Arc::new(AtomicBool::new(false));
    let done = AtomicBool::new(false);
    let optimal = |r: &SolveReport| r.status == "optimal";
    let (branch, milp) = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                if control.cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
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
            let result =
                solve_by_branching(network, input_box, objective, &branch_options, &branch_task)
                    .map_err(Error::from);
            if result.as_ref().is_ok_and(optimal) {
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
            let prepared = prepare_milp(network, input_box, setup, &milp_task)?;
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
        if milp.as_ref().is_ok_and(|(r, _)| optimal(r)) {
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
        done.store(true, Ordering::Relaxed);
        (branch, milp)
    });
    let user_cancelled = control.cancel.load(Ordering::Relaxed);
    let better = |a: &SolveReport, b: &SolveReport| -> bool {
        match (a.objective, b.objective) {
            (Some(x), Some(y)) => match objective.sense {
                Sense::Minimize => x < y,
                Sense::Maximize => x > y,
            },
            (Some(_), None) => true,
            _ => false,
        }
    };
    let take_branch = |report: SolveReport, why: String| Solved {
        report,
        method: SolveMethod::Branch,
        reason: why,
        prepared: None,
    };
    let branch_optimal = branch.result.as_ref().is_ok_and(optimal);
    let milp_optimal = milp.result.as_ref().is_ok_and(|(r, _)| optimal(r));
    let branch_wins = branch_optimal && (!milp_optimal || branch.at <= milp.at);
    // The loser was stopped (a cancelled status, or a cancelled bound computation): only the
    // winner's result counts.
    match (branch.result, milp.result) {
        (Ok(b), _) if branch_wins => Ok(take_branch(
            b,
            "branching proved the optimum first".to_string(),
        )),
        (_, Ok((m, prepared))) if milp_optimal => Ok(Solved {
            report: m,
            method: SolveMethod::Milp,
            reason: "the MILP proved the optimum first".to_string(),
            prepared: Some(prepared),
        }),
        (Ok(b), Ok((m, prepared))) => {
            let why = if user_cancelled {
                "cancelled"
            } else {
                "neither finished"
            };
            if better(&b, &m) {
                Ok(take_branch(
                    b,
                    format!("{why}; branching found the better point"),
                ))
            } else {
                Ok(Solved {
                    report: m,
                    method: SolveMethod::Milp,
                    reason: format!("{why}; the MILP found the better point"),
                    prepared: Some(prepared),
                })
            }
        }
        (Ok(b), Err(e)) => Ok(take_branch(b, format!("branching (the MILP failed: {e})"))),
        (Err(e), Ok((m, prepared))) => Ok(Solved {
            report: m,
            method: SolveMethod::Milp,
            reason: format!("the MILP (branching failed: {e})"),
            prepared: Some(prepared),
        }),
        (Err(_), Err(e)) => Err(e),
    }
}
