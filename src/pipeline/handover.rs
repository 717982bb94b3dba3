//! What auto keeps when one exact path hands over to another, or when two race without a
//! proof: the better objective, by the objective's sense.

use super::{SolveMethod, Solved};
use crate::milp::{Sense, SolveReport};

/// Whether objective `a` is strictly better than `b` under `sense` (a value beats none).
pub(crate) fn better_objective(a: Option<f64>, b: Option<f64>, sense: Sense) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => match sense {
            Sense::Minimize => a < b,
            Sense::Maximize => a > b,
        },
        (Some(_), None) => true,
        _ => false,
    }
}

/// After branching stopped without a proof and the MILP took over: the MILP's answer, unless
/// it ended unproven too with a worse point than branching's, whose (forward-checked, not
/// proven) point is then kept.
pub(crate) fn keep_the_better_unproven(
    mut solved: Solved,
    branched: SolveReport,
    sense: Sense,
) -> Solved {
    if solved.report.status != "optimal"
        && better_objective(branched.objective, solved.report.objective, sense)
    {
        solved.reason = format!(
            "{}; the MILP ended unproven with a worse point, so branching's (not proven)",
            solved.reason
        );
        solved.report = branched;
        solved.method = SolveMethod::Branch;
        solved.prepared = None;
    }
    solved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: &str, objective: Option<f64>) -> SolveReport {
        SolveReport {
            status: status.into(),
            objective,
            ..SolveReport::default()
        }
    }

    fn by_milp(status: &str, objective: Option<f64>) -> Solved {
        Solved {
            report: report(status, objective),
            method: SolveMethod::Milp,
            reason: "handed over".into(),
            prepared: None,
        }
    }

    #[test]
    fn the_better_objective_follows_the_sense_and_a_value_beats_none() {
        assert!(better_objective(Some(1.0), Some(2.0), Sense::Minimize));
        assert!(!better_objective(Some(1.0), Some(2.0), Sense::Maximize));
        assert!(!better_objective(Some(1.0), Some(1.0), Sense::Minimize));
        assert!(better_objective(Some(1.0), None, Sense::Maximize));
        assert!(!better_objective(None, Some(1.0), Sense::Minimize));
    }

    /// A proven MILP answer always stands; an unproven one gives way only to a better point.
    #[test]
    fn branching_is_kept_only_over_a_worse_unproven_milp() {
        let branched = || report("other", Some(1.0));
        let proven =
            keep_the_better_unproven(by_milp("optimal", Some(1.5)), branched(), Sense::Minimize);
        assert_eq!(
            (proven.method, proven.report.objective),
            (SolveMethod::Milp, Some(1.5))
        );
        let worse = keep_the_better_unproven(
            by_milp("time_limit", Some(1.5)),
            branched(),
            Sense::Minimize,
        );
        assert_eq!(
            (worse.method, worse.report.objective),
            (SolveMethod::Branch, Some(1.0))
        );
        assert!(
            worse.reason.contains("branching's (not proven)"),
            "{}",
            worse.reason
        );
        let none =
            keep_the_better_unproven(by_milp("time_limit", None), branched(), Sense::Maximize);
        assert_eq!(none.method, SolveMethod::Branch);
        let better = keep_the_better_unproven(
            by_milp("time_limit", Some(0.5)),
            branched(),
            Sense::Minimize,
        );
        assert_eq!(
            (better.method, better.report.objective),
            (SolveMethod::Milp, Some(0.5))
        );
    }
}
