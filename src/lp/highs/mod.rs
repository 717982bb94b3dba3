//! The one HiGHS wrapper: building a HiGHS model from a [`LinearModel`], every option
//! reluscope sets (`HighsOptions`), and the three ways it is used — a MILP/LP solve with
//! progress and Cancel ([`solve_linear_model`]), a warm-started instance for many objectives
//! ([`ObjectiveOracle`]), a one-shot LP with its minimiser ([`OneShotHighs`]) — plus export
//! ([`write_model`]). In reluscope's binary, HiGHS's C++ static constructors run on the first
//! model rather than at process start ([`defer_highs_constructors`]).
//!
//! HiGHS keeps one task scheduler per OS thread and refuses a later model on the same thread
//! with another `threads` value: solves run on a fresh thread of their own, and every other
//! model runs with `threads = 1`.

mod deferred_constructors;
mod one_shot;
mod oracle;
mod solve;
mod write;

pub use deferred_constructors::defer_highs_constructors;
use deferred_constructors::ensure_highs_constructed;
pub use one_shot::OneShotHighs;
pub use oracle::ObjectiveOracle;
pub use solve::{
    LinearSolution, LogObserver, SolveControl, SolveObserver, SolveOptions, SolveProgress,
    SolveStatus, solve_linear_model,
};
pub use write::write_model;

use super::{LinearModel, LpError, Sense};
use highs::RowProblem;

/// The HiGHS options reluscope sets; `None` leaves HiGHS's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HighsOptions {
    /// `threads`.
    pub threads: Option<i32>,
    /// `presolve` (`on`/`off`).
    pub presolve: Option<bool>,
    /// `output_flag`: whether HiGHS produces a log at all (needed for the log callback).
    pub output: Option<bool>,
    /// `log_to_console`.
    pub log_to_console: Option<bool>,
    /// `mip_rel_gap`.
    pub mip_rel_gap: Option<f64>,
    /// `random_seed`, in `[0, i32::MAX]`.
    pub random_seed: Option<i32>,
    /// `time_limit` in seconds.
    pub time_limit: Option<f64>,
    /// `primal_feasibility_tolerance` and `mip_feasibility_tolerance`.
    pub feasibility_tolerance: Option<f64>,
    /// `simplex_strategy = 4` (primal) and `simplex_scale_strategy = 0` (no scaling): after a
    /// cost change the previous optimal basis stays primal feasible, so the primal simplex
    /// continues from it, where the dual simplex would first repair dual feasibility; scaling
    /// is recomputed on every run and does not pay on small, well-scaled LPs. Measured on
    /// peaks_25x5's OBBT: 119 → 53 iterations per LP.
    pub warm_primal_simplex: bool,
    /// `mip_heuristic_run_rins` and `mip_heuristic_run_rens`. `Some(false)` for the network
    /// MILPs: their sub-MIPs took most of the solve time (ackley:5 2×25: 0.92 of 1.22 s), and
    /// turning them off was faster on all 7 reference networks and 3 five-input Ackley
    /// networks (1.02 → 0.58 s on peaks_25x2, 1.23 → 0.24 s on Ackley 2×25, 13.3 → 9.3 s on
    /// Ackley 2×50; the feasibility-jump, reduced-cost, symmetry, restart and effort options
    /// measured no better, presolve off worse).
    pub sub_mip_heuristics: Option<bool>,
    /// `mip_allow_cut_separation_at_nodes`. `Some(false)` for the network MILPs: HiGHS then
    /// separates cuts at the root only; its per-node separation took a quarter of the time
    /// (perf: cMIR and path separators), and without it the 5 smaller reference networks
    /// solved 1.1–1.8× faster on each of 3 seeds (peaks_25x3 1.75 → 1.7 s… himmelblau_25x3
    /// 3.9 → 2.5 s). On the hardest, himmelblau_50x2 with LP-OBBT bounds, it was slower (114 →
    /// over 200 s): there MILP-OBBT bounds make the difference (see `pipeline::MilpSetup`).
    pub node_cuts: Option<bool>,
    /// For MILPs whose dual bound alone is wanted (MILP-based OBBT): no primal heuristics —
    /// feasibility jump, RINS, RENS off and `mip_heuristic_effort = 0`. Measured with
    /// `node_cuts` off on the reference networks: MILP-OBBT (0.05 s per bound) took 0.22–1.7 s
    /// instead of 0.43–2.1 s, with the same bounds up to the time limits.
    pub bound_only: bool,
    /// `mip_pscost_minreliable`: how many strong-branching observations a column needs
    /// before HiGHS trusts its pseudo-costs (HiGHS's default 8). Set to
    /// [`SMALL_MILP_PSCOST_MIN_RELIABLE`] for MILPs with fewer than [`SMALL_MILP_BINARIES`]
    /// binaries (see there).
    pub pscost_min_reliable: Option<i32>,
}

/// Below this many binaries a MILP counts as small for a user's solve: its tree is
/// small, and HiGHS's strong-branching start costs more than it saves. Measured (forced
/// MILP, seeds 0 and 1, seconds, HiGHS default → 1 observation): peaks_25x2 (44 binaries)
/// 0.48/0.43 → 0.34/0.30, himmelblau_25x2 (45) 0.72/0.69 → 0.57/0.53, peaks_25x3 (65)
/// 1.90/1.77 → 1.47/1.58, himmelblau_25x3 (68) 2.61/4.23 → 2.76/3.00, five-input Ackley
/// 2×25 (50) 0.24/0.28 → 0.19/0.19, six-input Ackley 2×25 (50) 0.37/0.39 → 0.23/0.24,
/// four-input 2×25 (50) 0.23/0.20 → 0.17/0.16. On larger MILPs it is mixed and can be much
/// worse: himmelblau_50x2 (93 binaries) 21.4/13.8 → 33.5/23.7 s, while peaks_50x2 (94)
/// 2.17/1.95 → 1.72/1.47 and peaks_25x5 (106) 5.4/6.0 → 5.5/4.2; so larger MILPs keep the
/// default. MILP-OBBT starts at the same size (`pipeline::MILP_OBBT_FROM_BINARIES`,
/// measured on its own).
pub const SMALL_MILP_BINARIES: usize = 70;

/// `mip_pscost_minreliable` for small MILPs (see [`SMALL_MILP_BINARIES`]); 2 and 4 measured
/// between 1 and the default 8.
pub const SMALL_MILP_PSCOST_MIN_RELIABLE: i32 = 1;

impl HighsOptions {
    /// Many LPs (or MILPs, with a per-solve `time_limit`) on one instance, one thread.
    pub(crate) fn repeated(is_mip: bool, time_limit: Option<f64>) -> Self {
        Self {
            threads: Some(1),
            presolve: Some(false),
            warm_primal_simplex: !is_mip,
            time_limit,
            node_cuts: is_mip.then_some(false),
            bound_only: is_mip,
            ..Self::default()
        }
    }

    /// One small LP solved from scratch, quietly, on one thread.
    pub(crate) fn one_shot() -> Self {
        Self {
            threads: Some(1),
            presolve: Some(false),
            output: Some(false),
            ..Self::default()
        }
    }

    /// A user's solve (see [`SolveOptions`]) of a MILP with `binaries` integer columns; the
    /// log is captured by the callback.
    pub(crate) fn solve(options: &SolveOptions, binaries: usize) -> Self {
        Self {
            threads: Some(options.threads.max(1) as i32),
            presolve: Some(options.presolve),
            output: Some(true),
            log_to_console: Some(options.verbose),
            mip_rel_gap: Some(options.mip_rel_gap),
            random_seed: Some((options.random_seed & i32::MAX as u32) as i32),
            time_limit: options.time_limit,
            feasibility_tolerance: options.feasibility_tolerance,
            warm_primal_simplex: false,
            sub_mip_heuristics: Some(false),
            node_cuts: Some(false),
            bound_only: false,
            pscost_min_reliable: (binaries > 0 && binaries < SMALL_MILP_BINARIES)
                .then_some(SMALL_MILP_PSCOST_MIN_RELIABLE),
        }
    }

    /// Sets every chosen option on `model`.
    pub(crate) fn apply(&self, model: &mut highs::Model) -> Result<(), LpError> {
        if let Some(v) = self.output {
            set_option(model, "output_flag", v)?;
        }
        if let Some(v) = self.log_to_console {
            set_option(model, "log_to_console", v)?;
        }
        if let Some(v) = self.mip_rel_gap {
            set_option(model, "mip_rel_gap", v)?;
        }
        if let Some(v) = self.presolve {
            set_option(model, "presolve", if v { "on" } else { "off" })?;
        }
        if self.warm_primal_simplex {
            set_option(model, "simplex_strategy", 4)?;
            set_option(model, "simplex_scale_strategy", 0)?;
        }
        if let Some(v) = self.threads {
            set_option(model, "threads", v)?;
        }
        if let Some(v) = self.random_seed {
            set_option(model, "random_seed", v)?;
        }
        if let Some(v) = self.time_limit {
            set_option(model, "time_limit", v)?;
        }
        if let Some(v) = self.feasibility_tolerance {
            set_option(model, "primal_feasibility_tolerance", v)?;
            set_option(model, "mip_feasibility_tolerance", v)?;
        }
        if self.sub_mip_heuristics == Some(false) || self.bound_only {
            set_option(model, "mip_heuristic_run_rins", false)?;
            set_option(model, "mip_heuristic_run_rens", false)?;
        }
        if let Some(v) = self.node_cuts {
            set_option(model, "mip_allow_cut_separation_at_nodes", v)?;
        }
        if let Some(v) = self.pscost_min_reliable {
            set_option(model, "mip_pscost_minreliable", v)?;
        }
        if self.bound_only {
            set_option(model, "mip_heuristic_run_feasibility_jump", false)?;
            set_option(model, "mip_heuristic_effort", 0.0)?;
        }
        Ok(())
    }
}

fn set_option<V: highs::HighsOptionValue>(
    model: &mut highs::Model,
    name: &str,
    value: V,
) -> Result<(), LpError> {
    model
        .try_set_option(name, value)
        .map_err(|e| LpError::Solver(format!("HiGHS option {name}: {e:?}")))
}

/// Builds the HiGHS model of `model` (not yet solved). Must stay on the calling thread.
pub(crate) fn to_highs(model: &LinearModel) -> Result<highs::Model, LpError> {
    ensure_highs_constructed();
    let mut problem = RowProblem::default();
    let cols: Vec<highs::Col> = (0..model.num_cols())
        .map(|j| {
            let range = model.col_lower[j]..=model.col_upper[j];
            if model.integer[j] {
                problem.add_integer_column(model.cost[j], range)
            } else {
                problem.add_column(model.cost[j], range)
            }
        })
        .collect();
    for r in 0..model.num_rows() {
        problem.add_row(
            model.row_lower[r]..=model.row_upper[r],
            model.row(r).map(|(c, v)| (cols[c], v)),
        );
    }
    let sense = match model.sense.unwrap_or(Sense::Minimize) {
        Sense::Minimize => highs::Sense::Minimise,
        Sense::Maximize => highs::Sense::Maximise,
    };
    problem
        .try_optimise(sense)
        .map_err(|e| LpError::Solver(format!("HiGHS rejected the model: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only small MILPs trust pseudo-costs early; LPs and larger MILPs keep HiGHS's default,
    /// and HiGHS accepts the option on a model.
    #[test]
    fn small_milps_trust_pseudo_costs_early() {
        let options = SolveOptions::default();
        let small = HighsOptions::solve(&options, SMALL_MILP_BINARIES - 1);
        assert_eq!(
            small.pscost_min_reliable,
            Some(SMALL_MILP_PSCOST_MIN_RELIABLE)
        );
        assert_eq!(
            HighsOptions::solve(&options, SMALL_MILP_BINARIES).pscost_min_reliable,
            None
        );
        assert_eq!(HighsOptions::solve(&options, 0).pscost_min_reliable, None);
        let mut model = LinearModel::new();
        let x = model.add_column("x".into(), 0.0, 1.0, true);
        model.add_row("r".into(), 0.0, 1.0, &[(x, 1.0)]);
        let mut highs_model = to_highs(&model).unwrap();
        small.apply(&mut highs_model).unwrap();
    }
}
