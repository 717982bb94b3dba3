//! Cuts separated at the root, before branch and bound: solve the MILP's LP relaxation, add
//! the [`IdealCuts`] its optimum violates, solve again, for a few rounds; then hand the MILP
//! with the cuts that are tight at the last LP optimum to HiGHS.
//!
//! The cuts hold at every point of the MILP (see [`crate::formulation::ideal_cuts`]), so the
//! optimum is unchanged; what changes is the relaxation HiGHS starts from, reported as the
//! root bound before and after.

use crate::bounds::NetworkBounds;
use crate::formulation::{IdealCuts, NetworkModel};
use crate::lp::{Col, LinearModel, LpError, ObjectiveOracle};
use crate::network::{InputBox, Network};
use crate::numbers::format_number;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Which cuts are added to the MILP before branch and bound (`--cuts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cuts {
    /// None: HiGHS's own cuts only.
    #[default]
    None,
    /// The ideal-formulation cuts of Anderson et al. (2020), separated in rounds at the root.
    Ideal,
}

impl Cuts {
    /// Every choice, in the order the CLI and the app list them.
    pub const ALL: [Cuts; 2] = [Cuts::None, Cuts::Ideal];

    /// The name on the command line and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Cuts::None => "none",
            Cuts::Ideal => "ideal",
        }
    }

    /// The choice named `key`, if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What the root cut loop did; JSON key `root_cuts` of a solve.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RootCutReport {
    /// Which cuts (`ideal`).
    pub cuts: String,
    /// Separation rounds run (LPs solved after the first).
    pub rounds: usize,
    /// Cuts found over all rounds.
    pub cuts_found: usize,
    /// Rows added to the MILP: the cuts tight at the last LP optimum.
    pub rows_added: usize,
    /// The LP relaxation's optimum of the big-M MILP, without cuts (a bound on the optimum).
    pub bound_before: Option<f64>,
    /// The LP relaxation's optimum with every cut found (a bound at least as tight).
    pub bound_after: Option<f64>,
    /// Time spent, seconds.
    pub time_s: f64,
    /// Why the loop ended before its cuts ran out (time limit, an LP failure), if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl RootCutReport {
    /// One line for people, e.g. `ideal: 13 rows (16 found, 3 rounds), root LP bound from
    /// −30.80 to −29.63, 2.60 ms`.
    pub fn summary(&self) -> String {
        let bound = |b: Option<f64>| b.map_or_else(|| "none".to_string(), format_number);
        let mut text = format!(
            "{}: {} rows ({} found, {} rounds), root LP bound from {} to {}, {:.2} ms",
            self.cuts,
            self.rows_added,
            self.cuts_found,
            self.rounds,
            bound(self.bound_before),
            bound(self.bound_after),
            self.time_s * 1e3
        );
        if let Some(why) = &self.stopped {
            text.push_str(&format!(" (stopped: {why})"));
        }
        text
    }
}

/// Most separation rounds. Measured on the reference networks: the bound moves little after
/// the first few rounds (see README, Benchmarks).
pub const MAX_ROUNDS: usize = 8;

/// Smallest violation for which a cut is added.
pub const MIN_VIOLATION: f64 = 1e-6;

/// A round that moves the bound by less than this (relative to `1 + |bound|`) ends the loop.
pub const MIN_PROGRESS: f64 = 1e-4;

/// Separates [`IdealCuts`] at the root of `model` (built from `network`, `input_box` and
/// `bounds`) and adds those tight at the last LP optimum to `model`. Stops at `deadline` or
/// when `cancel` is set.
///
/// An LP that fails ends the loop with the cuts found so far (all of them valid).
pub fn add_ideal_cuts(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
    model: &mut NetworkModel,
    deadline: Option<Instant>,
    cancel: &AtomicBool,
) -> RootCutReport {
    let start = Instant::now();
    let separator = IdealCuts::new(network, input_box, bounds, model);
    let mut report = RootCutReport {
        cuts: Cuts::Ideal.key().into(),
        ..RootCutReport::default()
    };
    if separator.units() == 0 {
        return report;
    }
    let sign = model.model.sense.map_or(1.0, |s| s.sign());
    let objective: Vec<(Col, f64)> = model
        .model
        .cost
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != 0.0)
        .map(|(j, &c)| (j, sign * c))
        .collect();
    let mut relaxed = model.model.clone();
    relaxed.integer.iter_mut().for_each(|i| *i = false);
    let first_cut_row = relaxed.num_rows();
    let time_left = || deadline.map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64());
    let outcome = (|| -> Result<Option<Vec<f64>>, LpError> {
        let mut lp = ObjectiveOracle::new(&relaxed, time_left())?;
        let mut last = None;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(LpError::Solver("cancelled".into()));
            }
            if let Some(left) = time_left() {
                if left <= 0.0 {
                    return Err(LpError::TimeLimit);
                }
                lp.set_time_limit(left)?;
            }
            let solved = lp.minimize(&objective)?;
            let bound = sign * solved.lower_bound;
            let Some(point) = solved.minimizer else {
                return Ok(last);
            };
            let progress = report.bound_after.map(|b| sign * (bound - b));
            if report.bound_before.is_none() {
                report.bound_before = Some(bound);
            }
            report.bound_after = Some(bound);
            last = Some(point);
            let point = last.as_deref().unwrap_or_default();
            if progress.is_some_and(|p| p < MIN_PROGRESS * (1.0 + bound.abs()))
                || report.rounds == MAX_ROUNDS
            {
                return Ok(last);
            }
            let cuts = separator.separate(point, MIN_VIOLATION);
            if cuts.is_empty() {
                return Ok(last);
            }
            report.rounds += 1;
            report.cuts_found += cuts.len();
            for cut in cuts {
                let name = format!("ideal_{}_{}_{}", report.rounds, cut.layer + 1, cut.neuron);
                relaxed.add_row(name, f64::NEG_INFINITY, cut.upper, &cut.terms);
            }
            lp.extend_to(&relaxed)?;
        }
    })();
    let last_point = match outcome {
        Ok(point) => point,
        Err(e) => {
            report.stopped = Some(match e {
                _ if cancel.load(Ordering::Relaxed) => "cancelled".into(),
                LpError::TimeLimit => "time limit".into(),
                e => e.to_string(),
            });
            None
        }
    };
    report.rows_added = copy_tight_rows(&relaxed, first_cut_row, last_point.as_deref(), model);
    report.time_s = start.elapsed().as_secs_f64();
    report
}

/// Copies the rows of `from` from `first` on into `to`: those tight at `point` (slack at most
/// [`MIN_VIOLATION`] relative), or all of them without a point.
fn copy_tight_rows(
    from: &LinearModel,
    first: usize,
    point: Option<&[f64]>,
    to: &mut NetworkModel,
) -> usize {
    let mut copied = 0;
    for r in first..from.num_rows() {
        let terms: Vec<(Col, f64)> = from.row(r).collect();
        let upper = from.row_upper[r];
        let tight = point.is_none_or(|p| {
            let activity: f64 = terms.iter().map(|&(c, v)| v * p[c]).sum();
            activity >= upper - MIN_VIOLATION * (1.0 + upper.abs())
        });
        if tight {
            to.model
                .add_row(from.row_names[r].clone(), f64::NEG_INFINITY, upper, &terms);
            copied += 1;
        }
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, solve_network};
    use crate::network::Activation;
    use crate::network::tests::random_network_with;

    /// With and without cuts, the same optimum; the root bound only tightens and never passes
    /// the optimum; the rows added are counted in the model.
    #[test]
    fn cuts_tighten_the_root_and_keep_the_optimum() {
        let mut tightened = 0;
        for (seed, widths, act) in [
            (1, vec![2, 12, 12, 1], Activation::Relu),
            (2, vec![3, 10, 10, 10, 1], Activation::Relu),
            (3, vec![2, 10, 10, 1], Activation::ClippedRelu { cap: 0.8 }),
            (4, vec![4, 16, 8, 1], Activation::Relu),
        ] {
            let net = random_network_with(&widths, seed, act);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            for sense in [Sense::Minimize, Sense::Maximize] {
                let objective = Objective::output(sense, 0, 1).unwrap();
                let solve = |cuts| {
                    let options = NetworkSolveOptions {
                        cuts,
                        local_search: false,
                        ..NetworkSolveOptions::default()
                    };
                    solve_network(
                        &net,
                        &b,
                        &bounds,
                        &objective,
                        &options,
                        &SolveControl::default(),
                    )
                    .unwrap()
                };
                let (plain, cut) = (solve(Cuts::None), solve(Cuts::Ideal));
                assert_eq!(plain.status, "optimal");
                assert_eq!(cut.status, "optimal");
                let optimum = plain.objective.unwrap();
                let tolerance = 1e-6 * (1.0 + optimum.abs());
                assert!(
                    (cut.objective.unwrap() - optimum).abs() <= tolerance,
                    "seed {seed} {sense:?}: {} with cuts vs {optimum}",
                    cut.objective.unwrap()
                );
                assert!(plain.root_cuts.is_none());
                let root = cut.root_cuts.unwrap();
                let (before, after) = (root.bound_before.unwrap(), root.bound_after.unwrap());
                let s = sense.sign();
                // "Before" is the big-M model's LP relaxation: solved here from scratch.
                let mut relaxed = NetworkModel::build(&net, &b, &bounds, &objective)
                    .unwrap()
                    .model;
                relaxed.integer.fill(false);
                let costs: Vec<(Col, f64)> = relaxed
                    .cost
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| (j, s * c))
                    .collect();
                let lp = s * crate::lp::OneShotHighs::new(relaxed)
                    .minimize_if_feasible(&costs)
                    .unwrap()
                    .unwrap()
                    .lower_bound;
                assert!(
                    (lp - before).abs() <= 1e-6 * (1.0 + lp.abs()),
                    "root bound {before} vs the LP relaxation {lp}"
                );
                assert!(s * (after - before) >= -1e-9, "{before} → {after}");
                assert!(
                    s * (optimum - after) >= -tolerance,
                    "{after} beyond {optimum}"
                );
                assert!(root.rows_added <= root.cuts_found);
                assert_eq!(cut.constraints, plain.constraints + root.rows_added);
                if s * (after - before) > 1e-6 {
                    tightened += 1;
                }
            }
        }
        assert!(
            tightened >= 4,
            "the cuts tightened only {tightened} of 8 roots"
        );
    }

    #[test]
    fn cuts_are_named_on_the_command_line() {
        for c in Cuts::ALL {
            assert_eq!(Cuts::from_key(c.key()), Some(c));
        }
        assert_eq!(Cuts::from_key("ideall"), None);
    }
}
