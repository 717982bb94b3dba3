//! Solving the MILP on a worker: bounds first if they are missing, then the rescaling, then
//! HiGHS, with live progress, the solver log and a Cancel that HiGHS honours within about a
//! second.
//!
//! The MILP goes through `reluscope::pipeline` as the CLI's does: `prepare_milp` when the
//! bounds are missing, `PreparedMilp::from_bounds` to reuse bounds already computed (and a
//! rescaling already computed as is), then `PreparedMilp::solve_with`; the region solver is
//! `pipeline::solve_by_regions`. The solve runs on the rescaled network: it computes the same
//! function, so x* and the objective are those of the original network.

use super::document::{Analysis, ScaledAnalysis};
use super::region_map::APP_MAX_REGIONS;
use super::runs::{RunLayer, RunRecord, TracePoint, thin_trace};
use super::settings::SolverChoice;
use super::worker::{Reporter, Task};
use eframe::egui;
use reluscope::bounds::{BoundMethod, BoundsError, NetworkBounds};
use reluscope::branching::{BranchOptions, solve_by_branching};
use reluscope::milp::{NetworkSolveOptions, Objective, SolveControl, SolveProgress, SolveReport};
use reluscope::network::{InputBox, Network};
use reluscope::numbers::format_number;
use reluscope::pipeline::{
    MilpSetup, PrepareError, PreparedMilp, SolveMethod, prepare_milp, solve_by_regions,
    solve_problem, summarize_alternatives, verify,
};
use reluscope::problem::Problem;
use reluscope::regions::RegionOptions;
use reluscope::scaling::ScalingMethod;
use std::sync::Arc;

/// Log lines kept for display; HiGHS is chatty on long solves.
pub const MAX_LOG_LINES: usize = 5_000;

/// What to solve.
#[derive(Clone)]
pub struct SolveRequest {
    /// The document the solve belongs to.
    pub doc_id: u64,
    /// The box revision the solve belongs to.
    pub box_revision: u64,
    /// The network.
    pub network: Arc<Network>,
    /// The box.
    pub input_box: InputBox,
    /// The bound method.
    pub method: BoundMethod,
    /// The bounds if already computed; otherwise the worker computes them first.
    pub bounds: Option<Arc<NetworkBounds>>,
    /// The rescaling applied to the network and bounds before solving.
    pub scaling: ScalingMethod,
    /// The rescaled problem if already computed (for these bounds); otherwise the worker
    /// rescales.
    pub scaled: Option<ScaledAnalysis>,
    /// What to optimise.
    pub objective: Objective,
    /// Solver settings (only the time limit applies to the region solver).
    pub options: NetworkSolveOptions,
    /// The MILP, or the enumeration of the linear regions (which ignores the bounds and the
    /// rescaling).
    pub solver: SolverChoice,
    /// Why `auto` chose `solver` (none when the user chose it).
    pub auto_reason: Option<String>,
    /// A problem or property open beside the network (over the request's box): solved with
    /// `reluscope::pipeline::solve_problem`, or verified when it has no objective.
    pub problem: Option<Arc<Problem>>,
    /// The path asked for a problem (`auto` lets the library choose with the constraints).
    pub problem_method: SolveMethod,
}

impl SolveRequest {
    /// How the problem is solved, for headings: `ia bounds`, `lp + balanced bounds` or
    /// `region enumeration`.
    pub fn approach(&self) -> String {
        match self.solver {
            SolverChoice::Milp => format!(
                "{} bounds",
                super::document::series_label(self.method, self.scaling)
            ),
            SolverChoice::Regions => "region enumeration".into(),
            SolverChoice::Branch => "branching over the input box".into(),
        }
    }
}

/// A message from the solve worker.
pub enum SolveMessage {
    /// Progress of the bound computation or of the region enumeration (fraction, step).
    BoundsProgress(f64, String),
    /// The bounds the worker computed (to store as the method's analysis).
    Bounds(NetworkBounds),
    /// The rescaling the worker computed (to store in the document too).
    Scaled(Box<ScaledAnalysis>),
    /// A HiGHS progress snapshot.
    Progress(SolveProgress),
    /// A HiGHS log line.
    Log(String),
    /// What a problem's solve or verification found, as lines (before `Finished`).
    ProblemLines(Vec<String>),
    /// The end: the report, or why there is none.
    Finished(Box<Result<SolveReport, SolveFailure>>),
}

/// Why a solve produced no report.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveFailure {
    /// Cancelled while the bounds were being computed.
    CancelledInBounds,
    /// Anything else, as one line.
    Error(String),
}

impl SolveFailure {
    /// The status shown for the failure.
    pub fn status(&self) -> &'static str {
        match self {
            SolveFailure::CancelledInBounds => "cancelled",
            SolveFailure::Error(_) => "error",
        }
    }

    /// One line for the user.
    pub fn message(&self) -> String {
        match self {
            SolveFailure::CancelledInBounds => {
                "cancelled while computing the bounds (no MILP was solved)".into()
            }
            SolveFailure::Error(e) => e.clone(),
        }
    }
}

/// A running solve as the UI tracks it.
pub struct RunningSolve {
    /// The worker.
    pub task: Task<SolveMessage>,
    /// What is being solved.
    pub request: SolveRequest,
    /// `computing bounds` or `solving`.
    pub phase: String,
    /// Fraction done of the bounds phase.
    pub fraction: Option<f64>,
    /// Progress snapshots so far.
    pub trace: Vec<SolveProgress>,
    /// When the first snapshot arrived and its solver time, to carry the curves on to the
    /// present while the solver is silent (e.g. at node 0).
    pub trace_clock: Option<(std::time::Instant, f64)>,
    /// Log lines so far.
    pub log: Vec<String>,
    /// The analysis of the bounds used (known once the bounds are).
    pub analysis: Option<Analysis>,
    /// The rescaled problem's figures (with a rescaling, once computed).
    pub scaled: Option<ScaledAnalysis>,
    /// A problem's result lines, once known.
    pub problem_lines: Vec<String>,
}

/// What one poll of a running solve brought.
#[derive(Default)]
pub struct SolvePoll {
    /// Bounds the worker computed (for the document).
    pub bounds: Option<NetworkBounds>,
    /// A rescaling the worker computed (for the document).
    pub scaled: Option<ScaledAnalysis>,
    /// The outcome, once the solve ended.
    pub finished: Option<Result<SolveReport, SolveFailure>>,
}

/// A finished solve.
pub struct FinishedSolve {
    /// What was solved.
    pub request: SolveRequest,
    /// The report, or why there is none.
    pub outcome: Result<SolveReport, SolveFailure>,
    /// Progress snapshots.
    pub trace: Vec<SolveProgress>,
    /// The solver log.
    pub log: Vec<String>,
    /// The analysis of the bounds used, if they were computed.
    pub analysis: Option<Analysis>,
    /// The rescaled problem's figures, with a rescaling.
    pub scaled: Option<ScaledAnalysis>,
    /// A problem's result lines (verdict, each network's outputs, alternatives).
    pub problem_lines: Vec<String>,
}

impl FinishedSolve {
    /// `optimal`, `time_limit`, `cancelled`, …, or `error`.
    pub fn status(&self) -> String {
        match &self.outcome {
            Ok(r) => r.status.clone(),
            Err(f) => f.status().to_string(),
        }
    }

    /// The row of the Runs table.
    pub fn run_record(&self) -> RunRecord {
        let report = self.outcome.as_ref().ok();
        RunRecord {
            network: self.request.network.name.clone(),
            method: match self.request.solver {
                SolverChoice::Milp => self.request.method.key().to_string(),
                other => other.key().to_string(),
            },
            scaling: match self.request.solver {
                SolverChoice::Milp => self.request.scaling.key().to_string(),
                SolverChoice::Regions | SolverChoice::Branch => "–".to_string(),
            },
            input_box: self.request.input_box.describe(),
            // A problem states its own question; the panel's objective only labelled the run.
            objective_description: match &self.request.problem {
                Some(p) if p.objective.is_none() => "verify the property".into(),
                Some(_) => "the problem's objective".into(),
                None => self.request.objective.describe(),
            },
            stable_percent: self.analysis.as_ref().map(|a| a.report.stable_percent),
            binaries: report
                .map(|r| r.binaries)
                .or_else(|| self.analysis.as_ref().map(|a| a.report.binaries)),
            // The big-M of the MILP that was solved: after the rescaling, if any.
            max_big_m: match &self.scaled {
                Some(s) => s.max_big_m(),
                None => self.analysis.as_ref().and_then(Analysis::max_big_m),
            },
            bound_time_s: self.analysis.as_ref().map(|a| a.report.time_s),
            solve_time_s: report.map(|r| r.time_s),
            nodes: report.map(|r| r.nodes),
            objective: report.and_then(|r| r.objective),
            gap: report.and_then(|r| r.gap),
            status: self.status(),
            solver: self.request.solver.key().to_string(),
            trace: self.trace_points(),
            layers: self.layer_figures(),
            regions: None,
            regions_exact: false,
            cuts: match (
                self.request.solver,
                report.and_then(|r| r.root_cuts.as_ref()),
            ) {
                (SolverChoice::Milp, Some(c)) => format!(
                    "{}: {} rows, bound {} to {}",
                    c.cuts,
                    c.rows_added,
                    c.bound_before.map_or("-".into(), format_number),
                    c.bound_after.map_or("-".into(), format_number)
                ),
                (SolverChoice::Milp, None) if report.is_some() => "none".into(),
                // Branching's counterpart: its root bound with fixed and with chosen lines.
                (SolverChoice::Branch, _) => report
                    .and_then(|r| r.root_box_bound)
                    .map(|b| {
                        format!(
                            "chosen slopes: bound {} to {}",
                            format_number(b.fixed_lines),
                            format_number(b.chosen_slopes)
                        )
                    })
                    .unwrap_or_default(),
                _ => String::new(),
            },
            doc_key: (self.request.doc_id, self.request.box_revision),
        }
    }

    /// Incumbent and bound over time, ending where the solve ended.
    fn trace_points(&self) -> Vec<TracePoint> {
        // A second HiGHS solve (tighter tolerances) or another alternative restarts its clock:
        // continue it after the previous one, so that time only runs forward.
        let mut offset = 0.0;
        let mut previous = f64::NEG_INFINITY;
        let mut points: Vec<TracePoint> = Vec::with_capacity(self.trace.len() + 1);
        for p in &self.trace {
            if p.time_s + offset < previous {
                offset = previous - p.time_s;
            }
            previous = p.time_s + offset;
            points.push(TracePoint {
                time_s: previous,
                incumbent: p.primal_bound,
                bound: p.dual_bound,
            });
        }
        if let Ok(r) = &self.outcome {
            let bound = r
                .best_bound
                .or(r.objective.filter(|_| r.status == "optimal"));
            points.push(TracePoint {
                time_s: r.time_s.max(previous),
                incumbent: r.objective,
                bound,
            });
        }
        thin_trace(points)
    }

    /// The hidden layers' figures of the MILP solved (after the rescaling, if any).
    fn layer_figures(&self) -> Vec<RunLayer> {
        let report = match (&self.scaled, &self.analysis) {
            (Some(s), _) => &s.report,
            (None, Some(a)) => &a.report,
            (None, None) => return Vec::new(),
        };
        report
            .hidden_layers()
            .iter()
            .map(|l| RunLayer {
                stable_percent: l.stats.stable_percent,
                max_big_m: l.stats.max_big_m,
                median_big_m: l.stats.median_big_m,
            })
            .collect()
    }
}

impl RunningSolve {
    /// Starts the worker.
    pub fn start(ctx: &egui::Context, request: SolveRequest) -> Self {
        let analysis = request
            .bounds
            .as_ref()
            .map(|b| Analysis::new(&request.network, &request.input_box, (**b).clone()));
        let work_request = request.clone();
        let task = Task::spawn(
            ctx,
            "solve",
            move |reporter| solve_on_worker(&work_request, &reporter),
            |e| SolveMessage::Finished(Box::new(Err(SolveFailure::Error(e)))),
        );
        let scaled = request.scaled.clone();
        Self {
            task,
            phase: match (request.solver, request.bounds.is_some()) {
                (SolverChoice::Regions, _) => "enumerating the linear regions".into(),
                (SolverChoice::Branch, _) => "branching over the input box".into(),
                (SolverChoice::Milp, true) => "solving the MILP".into(),
                (SolverChoice::Milp, false) => format!("computing {} bounds", request.method.key()),
            },
            request,
            fraction: None,
            trace: Vec::new(),
            trace_clock: None,
            log: Vec::new(),
            analysis,
            scaled,
            problem_lines: Vec::new(),
        }
    }

    /// The solver's time now (the time base of the trace), once a snapshot arrived.
    pub fn trace_now(&self) -> Option<f64> {
        self.trace_clock
            .map(|(at, time_s)| time_s + at.elapsed().as_secs_f64())
    }

    /// Applies the worker's messages; returns the bounds and rescaling it computed (for the
    /// document) and the outcome once it ends.
    pub fn poll(&mut self) -> SolvePoll {
        let mut new_bounds = None;
        let mut new_scaled = None;
        let mut finished = None;
        for message in self.task.drain() {
            match message {
                SolveMessage::BoundsProgress(f, step) => {
                    self.fraction = Some(f);
                    self.phase = match self.request.solver {
                        SolverChoice::Milp => {
                            format!("computing {} bounds: {step}", self.request.method.key())
                        }
                        SolverChoice::Regions => format!("enumerating the linear regions: {step}"),
                        SolverChoice::Branch => format!("branching over the input box: {step}"),
                    };
                }
                SolveMessage::Bounds(b) => {
                    self.analysis = Some(Analysis::new(
                        &self.request.network,
                        &self.request.input_box,
                        b.clone(),
                    ));
                    self.phase = "solving the MILP".into();
                    self.fraction = None;
                    new_bounds = Some(b);
                }
                SolveMessage::Scaled(scaled) => {
                    self.scaled = Some((*scaled).clone());
                    new_scaled = Some(*scaled);
                }
                SolveMessage::Progress(p) => {
                    if self.trace_clock.is_none() {
                        self.trace_clock = Some((std::time::Instant::now(), p.time_s));
                    }
                    self.trace.push(p);
                }
                SolveMessage::Log(line) => {
                    if self.log.len() < MAX_LOG_LINES {
                        self.log.push(line);
                    }
                }
                SolveMessage::ProblemLines(lines) => self.problem_lines = lines,
                SolveMessage::Finished(outcome) => finished = Some(*outcome),
            }
        }
        if finished.is_none() && self.task.is_finished() {
            // The worker vanished without a result (it panicked): report rather than spin.
            finished = Some(Err(SolveFailure::Error(
                "the solver worker stopped unexpectedly".into(),
            )));
        }
        SolvePoll {
            bounds: new_bounds,
            scaled: new_scaled,
            finished,
        }
    }

    /// Turns the running solve into a finished one.
    pub fn finish(self, outcome: Result<SolveReport, SolveFailure>) -> FinishedSolve {
        let (trace, log) = match &outcome {
            // The report carries the complete trace and log; prefer them to what streamed in.
            Ok(r) if !r.trace.is_empty() || !r.log.is_empty() => {
                let mut log = r.log.clone();
                log.truncate(MAX_LOG_LINES);
                (r.trace.clone(), log)
            }
            _ => (self.trace, self.log),
        };
        FinishedSolve {
            request: self.request,
            outcome,
            trace,
            log,
            analysis: self.analysis,
            scaled: self.scaled,
            problem_lines: self.problem_lines,
        }
    }
}

fn fail(reporter: &Reporter<SolveMessage>, failure: SolveFailure) {
    reporter.send(SolveMessage::Finished(Box::new(Err(failure))));
}

/// The MILP to solve: the request's rescaling if already computed, otherwise prepared here
/// with the pipeline (`PreparedMilp::from_bounds` on the request's bounds, or `prepare_milp`
/// when they are missing). Bounds and rescalings computed here go back to the UI to be kept.
/// `None` if the worker already reported a failure.
fn prepare_on_worker(
    request: &SolveRequest,
    reporter: &Reporter<SolveMessage>,
) -> Option<Arc<PreparedMilp>> {
    if let Some(scaled) = &request.scaled {
        return Some(scaled.prepared.clone());
    }
    let prepared = match &request.bounds {
        Some(bounds) => PreparedMilp::from_bounds(
            &request.network,
            &request.input_box,
            (**bounds).clone(),
            request.scaling,
        )
        .map_err(|e| SolveFailure::Error(format!("rescaling failed: {e}"))),
        None => {
            let setup = MilpSetup {
                bounds: request.method,
                scaling: request.scaling,
                ..MilpSetup::default()
            };
            let control = reporter.task_control(SolveMessage::BoundsProgress);
            prepare_milp(&request.network, &request.input_box, &setup, &control)
                .inspect(|p| reporter.send(SolveMessage::Bounds(p.original_bounds.clone())))
                .map_err(|e| match e {
                    PrepareError::Bounds(BoundsError::Cancelled) => SolveFailure::CancelledInBounds,
                    e => SolveFailure::Error(e.to_string()),
                })
        }
    };
    match prepared {
        Err(failure) => {
            fail(reporter, failure);
            None
        }
        Ok(prepared) if request.scaling == ScalingMethod::None => Some(Arc::new(prepared)),
        Ok(prepared) => {
            let scaled = ScaledAnalysis::from_prepared(
                &request.network,
                &request.input_box,
                prepared,
                request.scaling,
            );
            reporter.send(SolveMessage::Scaled(Box::new(scaled.clone())));
            Some(scaled.prepared)
        }
    }
}

/// The exact optimum as the best per-region optimum (`pipeline::solve_by_regions`), with the
/// time limit of the settings and the app's region cap.
fn solve_by_regions_on_worker(request: &SolveRequest, reporter: &Reporter<SolveMessage>) {
    let outcome = solve_by_regions(
        &request.network,
        &request.input_box,
        &request.objective,
        request.options.solver.time_limit,
        Some(APP_MAX_REGIONS),
        &reporter.task_control(SolveMessage::BoundsProgress),
    )
    .map_err(|e| SolveFailure::Error(e.to_string()));
    reporter.send(SolveMessage::Finished(Box::new(outcome)));
}

/// The exact optimum by branching over the input box, with the time limit and gap of the
/// settings.
fn solve_by_branching_on_worker(request: &SolveRequest, reporter: &Reporter<SolveMessage>) {
    let options = BranchOptions {
        gap: request.options.solver.mip_rel_gap,
        time_limit: request.options.solver.time_limit,
        ..BranchOptions::default()
    };
    let outcome = solve_by_branching(
        &request.network,
        &request.input_box,
        &request.objective,
        &options,
        &reporter.task_control(SolveMessage::BoundsProgress),
    )
    .map_err(|e| SolveFailure::Error(e.to_string()));
    reporter.send(SolveMessage::Finished(Box::new(outcome)));
}

/// A problem or property: `solve_problem` (an objective) or `verify` (none), with the
/// settings' method, bounds, rescaling and time limit; the result as lines, and as a report
/// whose `x` is the point found (the optimum or the counterexample) for the Surface.
fn solve_problem_on_worker(
    request: &SolveRequest,
    problem: &Problem,
    reporter: &Reporter<SolveMessage>,
) {
    let setup = MilpSetup {
        bounds: request.method,
        scaling: request.scaling,
        ..MilpSetup::default()
    };
    let progress = reporter.clone();
    let control = SolveControl {
        cancel: reporter.cancel.clone(),
        on_progress: Some(Arc::new(move |p: &SolveProgress| {
            progress.send(SolveMessage::Progress(*p));
        })),
        on_log: None,
    };
    let regions = RegionOptions {
        max_regions: APP_MAX_REGIONS,
        ..RegionOptions::default()
    };
    let names: Vec<&str> = problem.networks.iter().map(|n| n.name.as_str()).collect();
    let output_lines = |outputs: &[Vec<f64>], lines: &mut Vec<String>| {
        for (name, y) in names.iter().zip(outputs) {
            let ys: Vec<String> = y.iter().map(|v| format_number(*v)).collect();
            lines.push(format!("{name}(x) = ({})", ys.join(", ")));
        }
    };
    let alternatives_line = |alts: &[reluscope::pipeline::AlternativeOutcome]| {
        format!(
            "alternatives: {} ({})",
            alts.len(),
            summarize_alternatives(alts)
        )
    };
    let mut lines = Vec::new();
    let outcome = if problem.objective.is_none() {
        verify(
            problem,
            request.problem_method,
            &setup,
            &request.options,
            &regions,
            &control,
        )
        .map(|v| {
            let word = v.result_word();
            lines.push(format!(
                "verdict: {word}{}",
                v.reason
                    .as_ref()
                    .map_or(String::new(), |r| format!(" ({r})"))
            ));
            let mut report = SolveReport {
                status: word.to_string(),
                objective_description: "verify the property".into(),
                time_s: v.time_s,
                ..SolveReport::default()
            };
            if let Some(c) = &v.counterexample {
                let xs: Vec<String> = c.x.iter().map(|v| format!("{v:.10}")).collect();
                lines.push(format!("counterexample x = ({})", xs.join(", ")));
                output_lines(&c.outputs, &mut lines);
                if let Some(d) = c.alternative.filter(|_| problem.disjuncts.len() > 1) {
                    lines.push(format!(
                        "satisfies alternative {} ({})",
                        d + 1,
                        problem.disjuncts[d].origin
                    ));
                }
                lines.push(c.describe_check());
                report.x = Some(c.x.clone());
            }
            lines.push(alternatives_line(&v.alternatives));
            // The paths the alternatives took (auto's choice: regions, branching, the MILP).
            let mut methods: Vec<&str> = Vec::new();
            for m in v.alternatives.iter().filter_map(|a| a.method) {
                if !methods.contains(&m) {
                    methods.push(m);
                }
            }
            if !methods.is_empty() {
                lines.push(format!("method: {}", methods.join(", ")));
            }
            lines.push(format!("time: {:.3} s", v.time_s));
            report
        })
    } else {
        solve_problem(
            problem,
            request.problem_method,
            &setup,
            &request.options,
            &regions,
            &control,
        )
        .map(|solved| {
            let r = &solved.report;
            let status = match &r.status_detail {
                Some(d) => format!("{} ({d})", r.status),
                None => r.status.clone(),
            };
            lines.push(format!("status: {status}"));
            lines.push(format!(
                "objective: {}",
                r.objective.map_or("–".into(), |v| format!("{v:.10}"))
            ));
            if let Some(method) = solved.method {
                lines.push(format!("method: {} ({})", method.key(), solved.reason));
            }
            if let Some(x) = &r.x {
                let xs: Vec<String> = x.iter().map(|v| format!("{v:.10}")).collect();
                lines.push(format!("x* = ({})", xs.join(", ")));
            }
            if let Some(outputs) = &solved.outputs {
                output_lines(outputs, &mut lines);
            }
            if let Some(d) = solved.alternative {
                lines.push(format!(
                    "x* from alternative {} ({})",
                    d + 1,
                    problem.disjuncts[d].origin
                ));
            }
            lines.push(alternatives_line(&solved.alternatives));
            lines.push(format!("time: {:.3} s", r.time_s));
            solved.report
        })
    }
    .map_err(|e| SolveFailure::Error(e.to_string()));
    reporter.send(SolveMessage::ProblemLines(lines));
    reporter.send(SolveMessage::Finished(Box::new(outcome)));
}

fn solve_on_worker(request: &SolveRequest, reporter: &Reporter<SolveMessage>) {
    if let Some(problem) = &request.problem {
        return solve_problem_on_worker(request, problem, reporter);
    }
    match request.solver {
        SolverChoice::Regions => return solve_by_regions_on_worker(request, reporter),
        SolverChoice::Branch => return solve_by_branching_on_worker(request, reporter),
        SolverChoice::Milp => {}
    }
    let Some(prepared) = prepare_on_worker(request, reporter) else {
        return;
    };
    let progress = reporter.clone();
    let log = reporter.clone();
    let control = SolveControl {
        cancel: reporter.cancel.clone(),
        on_progress: Some(Arc::new(move |p: &SolveProgress| {
            progress.send(SolveMessage::Progress(*p));
        })),
        on_log: Some(Arc::new(move |line: &str| {
            log.send(SolveMessage::Log(line.trim_end().to_string()));
        })),
    };
    // The rescaled network computes the same function: x* and the objective are unchanged.
    let outcome = prepared
        .solve_with(
            &request.input_box,
            &request.objective,
            &request.options,
            &control,
        )
        .map_err(|e| SolveFailure::Error(e.to_string()));
    reporter.send(SolveMessage::Finished(Box::new(outcome)));
}
