//! Solving a [`LinearModel`] with HiGHS, with progress and a cross-thread Cancel.
//!
//! The safe `highs` crate builds and runs the model; `highs-sys` adds what it lacks: the
//! callback (progress, log capture and a Cancel through `user_interrupt`) and the node count.
//! Every solve runs on a fresh thread of its own (see the [module docs](super)).

use super::{HighsOptions, to_highs};
use crate::lp::{LinearModel, LpError};
use highs::HighsModelStatus;
use serde::Serialize;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Solver settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock limit in seconds (`None`: no limit).
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which HiGHS stops, `|primal − dual| / |primal|`.
    pub mip_rel_gap: f64,
    /// HiGHS threads.
    pub threads: usize,
    /// Echo the HiGHS log to the console (it is captured in the result either way).
    pub verbose: bool,
    /// Run HiGHS presolve.
    pub presolve: bool,
    /// HiGHS `random_seed`. Branch and bound is deterministic for a given seed, but its
    /// path (and so its time) can change a lot with the seed; comparisons of formulations
    /// should look at several seeds.
    pub random_seed: u32,
    /// HiGHS's primal feasibility and integrality tolerances (`None`: its defaults, 10⁻⁷
    /// and 10⁻⁶). Tighter values let a large big-M model less slack, at some cost in time.
    pub feasibility_tolerance: Option<f64>,
    /// The binaries the MILP options are chosen by ([`super::SMALL_MILP_BINARIES`]); `None`:
    /// the model's own. A network MILP whose one-sided neurons went without a binary is
    /// tuned as the size it had with them: himmelblau_50x2 (93 unstable neurons, 69
    /// binaries one-sided) took 17–18 s tuned as 93 and 21–34 s tuned as 69.
    pub tuning_binaries: Option<usize>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: None,
            mip_rel_gap: 1e-6,
            threads: 1,
            verbose: false,
            presolve: true,
            random_seed: 0,
            feasibility_tolerance: None,
            tuning_binaries: None,
        }
    }
}

/// A snapshot of a running solve, sent whenever HiGHS reports progress.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SolveProgress {
    /// Seconds since the solve started.
    pub time_s: f64,
    /// Best objective found so far (the incumbent), if any.
    pub primal_bound: Option<f64>,
    /// Best proven bound so far.
    pub dual_bound: Option<f64>,
    /// Relative gap, if both bounds are known.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
}

/// Receives every progress snapshot of a solve, on the solver thread.
pub type SolveObserver = Arc<dyn Fn(&SolveProgress) + Send + Sync>;

/// Receives every line of the solver log, on the solver thread.
pub type LogObserver = Arc<dyn Fn(&str) + Send + Sync>;

/// How a caller follows and stops a solve.
#[derive(Clone, Default)]
pub struct SolveControl {
    /// Set to `true` (from any thread) to stop the solve; the incumbent is kept.
    pub cancel: Arc<AtomicBool>,
    /// Called on the solver thread with every progress snapshot.
    pub on_progress: Option<SolveObserver>,
    /// Called on the solver thread with every log line.
    pub on_log: Option<LogObserver>,
}

impl std::fmt::Debug for SolveControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveControl")
            .field("cancel", &self.cancel.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The outcome of a solve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal within the gap.
    Optimal,
    /// The time limit stopped the search.
    TimeLimit,
    /// Stopped by the user.
    Cancelled,
    /// No feasible point exists.
    Infeasible,
    /// The objective is unbounded (or the model infeasible).
    Unbounded,
    /// Another stop (iteration limit, solver error, …), with HiGHS's status.
    Other(String),
}

impl SolveStatus {
    /// The stable key used in JSON (`optimal`, `time_limit`, …).
    pub fn key(&self) -> &str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::TimeLimit => "time_limit",
            SolveStatus::Cancelled => "cancelled",
            SolveStatus::Infeasible => "infeasible",
            SolveStatus::Unbounded => "unbounded",
            SolveStatus::Other(_) => "other",
        }
    }
}

impl std::fmt::Display for SolveStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveStatus::Other(s) => write!(f, "other ({s})"),
            s => f.write_str(s.key()),
        }
    }
}

/// What HiGHS returned, in the model's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSolution {
    /// Why the solve stopped.
    pub status: SolveStatus,
    /// Objective of the best point found, if any.
    pub objective: Option<f64>,
    /// Best proven bound on the objective (the dual bound).
    pub best_bound: Option<f64>,
    /// Relative gap between them.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// Simplex iterations (LP solves) or total LP iterations (MIP).
    pub lp_iterations: u64,
    /// Wall-clock time of `run`.
    pub time: Duration,
    /// Column values of the best point, if any.
    pub columns: Option<Vec<f64>>,
    /// Progress snapshots, in order (incumbent and bound over time).
    pub trace: Vec<SolveProgress>,
    /// The HiGHS log.
    pub log: Vec<String>,
}

/// Solves `model` on a fresh thread; `start` is an optional complete MIP start.
pub fn solve_linear_model(
    model: &LinearModel,
    start: Option<&[f64]>,
    options: &SolveOptions,
    control: &SolveControl,
) -> Result<LinearSolution, LpError> {
    let model = model.clone();
    let start = start.map(<[f64]>::to_vec);
    let options = options.clone();
    let control = control.clone();
    std::thread::Builder::new()
        .name("highs-solve".into())
        .spawn(move || solve_on_this_thread(&model, start.as_deref(), &options, &control))
        .map_err(|e| LpError::Solver(format!("cannot start the solver thread: {e}")))?
        .join()
        .map_err(|_| LpError::Solver("the solver thread panicked".into()))?
}

fn solve_on_this_thread(
    model: &LinearModel,
    start: Option<&[f64]>,
    options: &SolveOptions,
    control: &SolveControl,
) -> Result<LinearSolution, LpError> {
    let mut highs_model = to_highs(model)?;
    let binaries =
        (options.tuning_binaries).unwrap_or_else(|| model.integer.iter().filter(|&&i| i).count());
    HighsOptions::solve(options, binaries).apply(&mut highs_model)?;
    if let Some(start) = start {
        highs_model
            .try_set_solution(Some(start), None, None, None)
            .map_err(|e| LpError::Solver(format!("HiGHS rejected the MIP start: {e:?}")))?;
    }
    let mut context = Box::new(CallbackContext {
        control: control.clone(),
        started: Instant::now(),
        trace: Vec::new(),
        log: Vec::new(),
        nodes: 0,
        lp_iterations: 0,
    });
    // SAFETY: `context` is boxed and outlives the run below; HiGHS only calls back during
    // `try_solve`, on this thread or its workers, never after it returns.
    unsafe {
        let ptr = highs_model.as_mut_ptr();
        highs_sys::Highs_setCallback(
            ptr,
            Some(highs_callback),
            (&mut *context as *mut CallbackContext).cast::<c_void>(),
        );
        for kind in [
            highs_sys::kHighsCallbackLogging,
            highs_sys::kHighsCallbackSimplexInterrupt,
            highs_sys::kHighsCallbackIpmInterrupt,
            highs_sys::kHighsCallbackMipImprovingSolution,
            highs_sys::kHighsCallbackMipLogging,
            highs_sys::kHighsCallbackMipInterrupt,
        ] {
            highs_sys::Highs_startCallback(ptr, kind);
        }
    }
    context.started = Instant::now();
    let run_start = Instant::now();
    let solved = highs_model.try_solve().map_err(|e| {
        // HiGHS says why in its log (e.g. "MIP solver claims optimality, but with … primal
        // infeasibilities"); the status alone reads "Error".
        let reason: Vec<&str> = context
            .log
            .iter()
            .filter_map(|l| l.trim().strip_prefix("ERROR:"))
            .map(str::trim)
            .collect();
        if reason.is_empty() {
            LpError::Solver(format!("HiGHS failed: {e:?}"))
        } else {
            LpError::Solver(format!("HiGHS failed: {}", reason.join("; ")))
        }
    })?;
    let time = run_start.elapsed();
    let is_mip = model.integer.iter().any(|&i| i);
    let status = match solved.status() {
        HighsModelStatus::Optimal => SolveStatus::Optimal,
        HighsModelStatus::ReachedTimeLimit => SolveStatus::TimeLimit,
        HighsModelStatus::ReachedInterrupt => SolveStatus::Cancelled,
        HighsModelStatus::Infeasible => SolveStatus::Infeasible,
        HighsModelStatus::Unbounded | HighsModelStatus::UnboundedOrInfeasible => {
            SolveStatus::Unbounded
        }
        other => SolveStatus::Other(format!("{other:?}")),
    };
    let primal_feasible = solved
        .int_info_value(c"primal_solution_status")
        .is_ok_and(|s| s == 2);
    let columns = primal_feasible.then(|| solved.get_solution().columns().to_vec());
    let objective = primal_feasible.then(|| solved.objective_value());
    let (best_bound, gap, nodes, lp_iterations) = if is_mip {
        let mut nodes: i64 = 0;
        // SAFETY: valid instance pointer and NUL-terminated info names.
        unsafe {
            highs_sys::Highs_getInt64InfoValue(
                solved.as_ptr(),
                c"mip_node_count".as_ptr(),
                &mut nodes,
            );
        }
        let bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite());
        let gap = objective
            .and(solved.double_info_value(c"mip_gap").ok())
            .filter(|g| g.is_finite());
        // HiGHS has no info value for the MIP's LP iterations; its callbacks report them.
        (bound, gap, nodes.max(0) as u64, context.lp_iterations)
    } else {
        let bound = (status == SolveStatus::Optimal)
            .then_some(objective)
            .flatten();
        let iters = solved.simplex_iteration_count().max(0) as u64;
        (bound, objective.map(|_| 0.0), 0, iters)
    };
    let context = *context;
    Ok(LinearSolution {
        status,
        objective,
        best_bound,
        gap,
        nodes: nodes.max(context.nodes),
        lp_iterations,
        time,
        columns,
        trace: context.trace,
        log: context.log,
    })
}

struct CallbackContext {
    control: SolveControl,
    started: Instant,
    trace: Vec<SolveProgress>,
    log: Vec<String>,
    nodes: u64,
    lp_iterations: u64,
}

/// At most this many log lines are kept, so that a long solve cannot exhaust memory.
const MAX_LOG_LINES: usize = 20_000;

fn finite(v: f64) -> Option<f64> {
    (v.is_finite() && v.abs() < 1e30).then_some(v)
}

/// The HiGHS callback. It must never unwind into C, so user closures run under
/// `catch_unwind` and a panicking observer is simply dropped.
unsafe extern "C" fn highs_callback(
    callback_type: c_int,
    message: *const c_char,
    data_out: *const highs_sys::HighsCallbackDataOut,
    data_in: *mut highs_sys::HighsCallbackDataIn,
    user_data: *mut c_void,
) {
    if user_data.is_null() {
        return;
    }
    // SAFETY: `user_data` is the boxed CallbackContext registered by `solve_on_this_thread`,
    // alive for the whole run.
    let context = unsafe { &mut *user_data.cast::<CallbackContext>() };
    let kind = callback_type as highs_sys::HighsInt;
    if kind == highs_sys::kHighsCallbackLogging {
        if message.is_null() {
            return;
        }
        // SAFETY: HiGHS passes a NUL-terminated message.
        let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if context.log.len() < MAX_LOG_LINES {
                context.log.push(line.to_string());
            }
            if let Some(on_log) = context.control.on_log.clone() {
                let line = line.to_string();
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_log(&line))).is_err()
                {
                    context.control.on_log = None;
                }
            }
        }
        return;
    }
    let interrupt_kinds = [
        highs_sys::kHighsCallbackSimplexInterrupt,
        highs_sys::kHighsCallbackIpmInterrupt,
        highs_sys::kHighsCallbackMipInterrupt,
    ];
    if interrupt_kinds.contains(&kind) {
        if context.control.cancel.load(Ordering::Relaxed) && !data_in.is_null() {
            // SAFETY: HiGHS passes a valid input block to interrupt callbacks.
            unsafe { (*data_in).user_interrupt = 1 };
        }
        if kind != highs_sys::kHighsCallbackMipInterrupt {
            return;
        }
    }
    if data_out.is_null() {
        return;
    }
    // SAFETY: HiGHS passes a valid output block to MIP callbacks.
    let out = unsafe { &*data_out };
    let nodes = out.mip_node_count.max(0) as u64;
    context.nodes = context.nodes.max(nodes);
    context.lp_iterations = context
        .lp_iterations
        .max(out.mip_total_lp_iterations.max(0) as u64);
    let progress = SolveProgress {
        time_s: context.started.elapsed().as_secs_f64(),
        primal_bound: finite(out.mip_primal_bound),
        dual_bound: finite(out.mip_dual_bound),
        gap: finite(out.mip_gap).filter(|_| finite(out.mip_primal_bound).is_some()),
        nodes,
    };
    let changed = context.trace.last().is_none_or(|last| {
        last.primal_bound != progress.primal_bound || last.dual_bound != progress.dual_bound
    });
    if !changed {
        return;
    }
    context.trace.push(progress);
    if let Some(on_progress) = context.control.on_progress.clone()
        && std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_progress(&progress)))
            .is_err()
    {
        context.control.on_progress = None;
    }
}
