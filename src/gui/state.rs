//! The app's state and everything that changes it, apart from drawing.
//!
//! Views and panels read this state and call its methods; workers report through channels
//! that [`AppState::poll`] drains once per frame.

use super::document::{Document, INLINE_SCALING_LIMIT, NetworkSource, ScaledAnalysis};
use super::export::{self, ExportKind, WriteJob};
use super::runs::{RunRecord, sorted_order, to_csv};
use super::samples;
use super::settings::{Settings, SolverChoice};
use super::solve_task::{FinishedSolve, RunningSolve, SolveFailure, SolvePoll, SolveRequest};
use super::tasks::{
    BoundsKey, BoundsMessage, BoundsTask, DialogPurpose, DialogTask, LoadTask, ScalingKey,
    ScalingTask, WriteTask,
};
use super::train_task::{RunningTraining, Training};
use eframe::egui::{self, ColorImage, Rect};
use reluscope::bounds::{BoundMethod, BoundsError};
use reluscope::formats::save_network;
use reluscope::network::Network;
use reluscope::scaling::ScalingMethod;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// After a box edit, wait this long before starting an expensive bound method, so that
/// dragging a bound does not start (and cancel) one computation per frame.
const BOUNDS_DEBOUNCE: Duration = Duration::from_millis(350);

/// How long an information notice stays up.
const INFO_NOTICE_TIME: Duration = Duration::from_secs(8);

/// Error or information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Stays until dismissed or replaced.
    Error,
    /// Fades after a few seconds.
    Info,
}

/// A one-line message in the notice bar.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Error or information.
    pub kind: NoticeKind,
    /// When it was posted.
    pub at: Instant,
}

/// The export window: what to export and where.
pub struct ExportDialog {
    /// What.
    pub kind: ExportKind,
    /// Where (editable).
    pub path: String,
    /// The screenshot, for PNG exports.
    pub image: Option<Arc<ColorImage>>,
}

/// A screenshot in flight: frames to wait (so that the menu closes first), then the reply.
pub enum ScreenshotState {
    /// Nothing requested.
    Idle,
    /// Request the screenshot after this many more frames.
    Waiting(u8),
    /// Requested; the image arrives on this channel.
    Requested(Receiver<Arc<ColorImage>>),
}

/// Everything the app knows, except per-view UI state.
pub struct AppState {
    /// Persisted settings.
    pub settings: Settings,
    /// The open network.
    pub doc: Document,
    next_doc_id: u64,
    /// Bounds being computed for the selected method.
    pub bounds_task: Option<BoundsTask>,
    /// Bounds that were cancelled or failed: not restarted automatically.
    pub bounds_stopped: Option<BoundsKey>,
    /// Expensive bounds start no earlier than this (debounce after box edits).
    bounds_not_before: Instant,
    /// A rescaling being computed on a worker (large networks).
    pub scaling_task: Option<ScalingTask>,
    /// A rescaling that failed: not retried automatically.
    pub scaling_failed: Option<ScalingKey>,
    /// The Training view's run and result.
    pub training: Training,
    /// A network file being read.
    pub load_task: Option<LoadTask>,
    /// A file dialog being shown.
    pub dialog_task: Option<DialogTask>,
    /// Files being written.
    pub write_tasks: Vec<WriteTask>,
    /// The running solve.
    pub solve: Option<RunningSolve>,
    /// The last finished solve.
    pub last_solve: Option<FinishedSolve>,
    /// One record per finished solve.
    pub runs: Vec<RunRecord>,
    /// Sort order of the runs table, shared with CSV export: (column index, ascending).
    pub runs_sort: (usize, bool),
    /// The notice bar's message.
    pub notice: Option<Notice>,
    /// The "open a file" path field.
    pub path_field: String,
    /// The export window, if open.
    pub export_dialog: Option<ExportDialog>,
    /// A screenshot in flight.
    pub screenshot: ScreenshotState,
    /// Where the current view was drawn (to crop screenshots).
    pub view_rect: Rect,
    /// A view to switch to (by id), e.g. Solve after pressing F5.
    pub requested_view: Option<&'static str>,
}

impl AppState {
    /// The state with `network` open; `settings` as restored.
    pub fn new(settings: Settings, network: Network, source: NetworkSource) -> Self {
        let doc = Document::new(network, source, 1);
        Self {
            settings,
            doc,
            next_doc_id: 2,
            bounds_task: None,
            bounds_stopped: None,
            bounds_not_before: Instant::now(),
            scaling_task: None,
            scaling_failed: None,
            training: Training::default(),
            load_task: None,
            dialog_task: None,
            write_tasks: Vec::new(),
            solve: None,
            last_solve: None,
            runs: Vec::new(),
            runs_sort: (0, true),
            notice: None,
            path_field: String::new(),
            export_dialog: None,
            screenshot: ScreenshotState::Idle,
            view_rect: Rect::NOTHING,
            requested_view: None,
        }
    }

    /// Posts an error to the notice bar.
    pub fn error(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            kind: NoticeKind::Error,
            at: Instant::now(),
        });
    }

    /// Posts information to the notice bar.
    pub fn info(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            kind: NoticeKind::Info,
            at: Instant::now(),
        });
    }

    /// Whether any worker is running (for tests and the benchmark).
    pub fn is_busy(&self) -> bool {
        self.bounds_task.is_some()
            || self.scaling_task.is_some()
            || self.training.running.is_some()
            || self.load_task.is_some()
            || self.solve.is_some()
            || !self.write_tasks.is_empty()
    }

    // ----- networks -----

    /// Makes `network` the open network; the previous one's analyses are dropped.
    pub fn replace_network(&mut self, network: Network, source: NetworkSource) {
        let id = self.next_doc_id;
        self.next_doc_id += 1;
        match &source {
            NetworkSource::File(p) => {
                self.settings.last_network = Some(p.clone());
                self.settings.last_sample = None;
                self.settings.push_recent(p);
            }
            NetworkSource::Sample(name) => {
                self.settings.last_network = None;
                self.settings.last_sample = Some((*name).to_string());
            }
            NetworkSource::Trained(_) => {
                // Nothing to reopen next time until it is saved.
                self.settings.last_network = None;
                self.settings.last_sample = None;
            }
        }
        self.doc = Document::new(network, source, id);
        self.bounds_task = None;
        self.bounds_stopped = None;
        self.scaling_task = None;
        self.scaling_failed = None;
        let outputs = self.doc.network.output_dim();
        if self.settings.solve.output >= outputs {
            self.settings.solve.output = 0;
        }
        let note = self.doc.box_note.clone();
        let text = format!(
            "opened {} ({})",
            self.doc.network.name,
            self.doc.network.architecture()
        );
        match note {
            Some(n) => self.info(format!("{text}: {n}")),
            None => self.info(text),
        }
    }

    /// Opens an embedded sample.
    pub fn open_sample(&mut self, name: &str) {
        match samples::find(name).map(|s| (s, s.load())) {
            Some((sample, Ok(network))) => {
                self.replace_network(network, NetworkSource::Sample(sample.name));
            }
            Some((_, Err(e))) => self.error(e),
            None => self.error(format!("there is no sample called {name}")),
        }
    }

    /// Starts reading a network file; on failure the open network stays.
    pub fn open_path(&mut self, ctx: &egui::Context, path: PathBuf) {
        if path.as_os_str().is_empty() {
            self.error("type the path of a network file (.json, .onnx or .nnet) first");
            return;
        }
        self.path_field = path.display().to_string();
        self.load_task = Some(LoadTask::start(ctx, path));
    }

    /// Opens the "open a network" dialog.
    pub fn open_dialog(&mut self, ctx: &egui::Context) {
        if self.dialog_task.is_some() {
            return;
        }
        let start_dir = match &self.doc.source {
            NetworkSource::File(p) => p.parent().map(Path::to_path_buf),
            NetworkSource::Sample(_) | NetworkSource::Trained(_) => None,
        };
        self.dialog_task = Some(DialogTask::open_network(ctx, start_dir));
    }

    // ----- bounds -----

    /// Applies the box being edited (if valid) and schedules the selected bounds.
    pub fn apply_box_edit(&mut self) {
        if self.doc.apply_box_edit() {
            self.after_box_change();
        }
    }

    /// Restores the box stored with the network.
    pub fn reset_box(&mut self) {
        if self.doc.reset_box() {
            self.after_box_change();
        }
    }

    fn after_box_change(&mut self) {
        self.bounds_stopped = None;
        self.bounds_not_before = Instant::now() + BOUNDS_DEBOUNCE;
    }

    /// Selects a bound method; its bounds are computed if missing.
    pub fn set_bound_method(&mut self, method: BoundMethod) {
        self.settings.set_bound_method(method);
        self.bounds_stopped = None;
        self.bounds_not_before = Instant::now();
    }

    /// The key of the bounds the views want now.
    pub fn wanted_bounds(&self) -> BoundsKey {
        (
            self.doc.id,
            self.doc.box_revision(),
            self.settings.bound_method(),
        )
    }

    /// Selects a rescaling; it is computed from the selected bounds once they are known.
    pub fn set_scaling_method(&mut self, scaling: ScalingMethod) {
        self.settings.set_scaling_method(scaling);
    }

    /// The key of the rescaling the views want now.
    pub fn wanted_scaling(&self) -> ScalingKey {
        (
            self.doc.id,
            self.doc.box_revision(),
            self.settings.bound_method(),
            self.settings.scaling_method(),
        )
    }

    /// The selected rescaling of the selected bounds, if computed.
    pub fn selected_scaled(&self) -> Option<&ScaledAnalysis> {
        self.doc
            .scaled(self.settings.bound_method(), self.settings.scaling_method())
    }

    /// Rescales the selected bounds when they are known and the rescaling is missing: on the
    /// UI thread for small networks (under a millisecond), on a worker otherwise.
    fn schedule_scaling(&mut self, ctx: &egui::Context) {
        let key = self.wanted_scaling();
        if self.scaling_task.as_ref().is_some_and(|t| t.key != key) {
            self.scaling_task = None;
        }
        let (_, _, method, scaling) = key;
        let solve_computes_it = self.solve.as_ref().is_some_and(|s| {
            let r = &s.request;
            r.solver == SolverChoice::Milp
                && (r.doc_id, r.box_revision, r.method, r.scaling) == key
                && s.scaled.is_none()
        });
        if scaling == ScalingMethod::None
            || self.doc.scaled(method, scaling).is_some()
            || self.scaling_task.is_some()
            || self.scaling_failed == Some(key)
            || solve_computes_it
        {
            return;
        }
        let Some(analysis) = self.doc.analysis(method) else {
            return;
        };
        let bounds = analysis.bounds.clone();
        if self.doc.network.parameter_count() <= INLINE_SCALING_LIMIT {
            match ScaledAnalysis::compute(&self.doc.network, self.doc.input_box(), &bounds, scaling)
            {
                Ok(scaled) => self.doc.insert_scaled(scaled),
                Err(e) => {
                    self.scaling_failed = Some(key);
                    self.error(format!("{} rescaling failed: {e}", scaling.key()));
                }
            }
        } else {
            self.scaling_task = Some(ScalingTask::start(
                ctx,
                key,
                self.doc.network.clone(),
                self.doc.input_box().clone(),
                bounds,
            ));
        }
    }

    /// Starts (again) computing the selected bounds, e.g. after a cancel.
    pub fn compute_selected_bounds(&mut self, ctx: &egui::Context) {
        self.bounds_stopped = None;
        self.bounds_not_before = Instant::now();
        self.schedule_bounds(ctx);
    }

    /// Starts the selected method's bounds on a worker when they are missing and not already
    /// being computed (by a bounds task or a solve).
    fn schedule_bounds(&mut self, ctx: &egui::Context) {
        let key = self.wanted_bounds();
        if self.bounds_task.as_ref().is_some_and(|t| t.key != key) {
            // Superseded (box or method changed): dropping the task cancels it.
            self.bounds_task = None;
        }
        let solve_computes_them = self.solve.as_ref().is_some_and(|s| {
            s.request.solver == SolverChoice::Milp
                && s.request.bounds.is_none()
                && (s.request.doc_id, s.request.box_revision, s.request.method) == key
                && s.analysis.is_none()
        });
        if self.doc.analysis(key.2).is_some()
            || self.bounds_task.is_some()
            || self.bounds_stopped == Some(key)
            || solve_computes_them
        {
            return;
        }
        let wait = self
            .bounds_not_before
            .saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            ctx.request_repaint_after(wait);
            return;
        }
        self.bounds_task = Some(BoundsTask::start(
            ctx,
            key,
            self.doc.network.clone(),
            self.doc.input_box().clone(),
        ));
    }

    /// Asks the bounds worker to stop.
    pub fn cancel_bounds(&mut self) {
        if let Some(t) = &self.bounds_task {
            t.task.cancel();
        }
    }

    // ----- solving -----

    /// Starts solving the MILP with the current settings (ignored while a solve runs).
    pub fn start_solve(&mut self, ctx: &egui::Context) {
        if self.solve.is_some() {
            return;
        }
        let outputs = self.doc.network.output_dim();
        let objective = match self.settings.solve.objective(outputs) {
            Ok(o) => o,
            Err(e) => {
                self.error(format!("cannot solve: {e}"));
                return;
            }
        };
        let method = self.settings.bound_method();
        let scaling = self.settings.scaling_method();
        let solver = self.settings.solve.solver;
        // The region solver needs no bounds: it enumerates the regions of the network itself.
        let bounds = match solver {
            SolverChoice::Milp => self.doc.analysis(method).map(|a| a.bounds.clone()),
            SolverChoice::Regions => None,
        };
        let scaled = bounds
            .as_ref()
            .and_then(|_| self.doc.scaled(method, scaling).cloned());
        if bounds.is_none() && solver == SolverChoice::Milp {
            // The solve computes the bounds itself (and hands them back): no duplicate work.
            self.bounds_task = None;
        }
        let request = SolveRequest {
            doc_id: self.doc.id,
            box_revision: self.doc.box_revision(),
            network: self.doc.network.clone(),
            input_box: self.doc.input_box().clone(),
            method,
            bounds,
            scaling,
            scaled,
            objective,
            options: self.settings.solve.options(),
            solver,
        };
        self.solve = Some(RunningSolve::start(ctx, request));
        self.requested_view = Some("solve");
    }

    /// Asks the solver to stop (it keeps its incumbent).
    pub fn cancel_solve(&mut self) {
        if let Some(s) = &self.solve {
            s.task.cancel();
        }
    }

    // ----- exports -----

    /// Opens the export window for `kind` with a default path.
    pub fn begin_export(&mut self, kind: ExportKind) {
        if kind == ExportKind::ViewPng {
            // Wait two frames so that the menu that triggered this is gone from the picture.
            self.screenshot = ScreenshotState::Waiting(2);
            return;
        }
        let stem = match kind {
            ExportKind::RunsCsv => "reluscope".to_string(),
            _ => match self.settings.scaling_method() {
                ScalingMethod::None => format!(
                    "{}_{}",
                    self.doc.network.name,
                    self.settings.bound_method().key()
                ),
                scaling => format!(
                    "{}_{}_{}",
                    self.doc.network.name,
                    self.settings.bound_method().key(),
                    scaling.key()
                ),
            },
        };
        self.export_dialog = Some(ExportDialog {
            kind,
            path: kind
                .default_path(&stem, self.export_dir())
                .display()
                .to_string(),
            image: None,
        });
    }

    /// Exports go next to the open network file by default (a sample has none: then the
    /// current directory).
    fn export_dir(&self) -> Option<&Path> {
        match &self.doc.source {
            NetworkSource::File(p) => p.parent().filter(|d| !d.as_os_str().is_empty()),
            NetworkSource::Sample(_) | NetworkSource::Trained(_) => None,
        }
    }

    /// Writes the export described by the export window to `path` on a worker.
    pub fn run_export(
        &mut self,
        ctx: &egui::Context,
        kind: ExportKind,
        path: PathBuf,
        image: Option<Arc<ColorImage>>,
    ) {
        if path.as_os_str().is_empty() {
            self.error("type a file path for the export first");
            return;
        }
        let job: WriteJob = match kind {
            ExportKind::Mps | ExportKind::Lp => {
                let method = self.settings.bound_method();
                let Some(analysis) = self.doc.analysis(method) else {
                    self.error(format!(
                        "the {} bounds are not computed yet: wait for them (or pick another method)",
                        method.key()
                    ));
                    return;
                };
                let objective = match self.settings.solve.objective(self.doc.network.output_dim()) {
                    Ok(o) => o,
                    Err(e) => {
                        self.error(format!("cannot export the MILP: {e}"));
                        return;
                    }
                };
                let path = with_extension_if_missing(path, kind.extension());
                // The MILP that Solve would build: rescaled when a rescaling is selected.
                let (network, bounds) = match self.settings.scaling_method() {
                    ScalingMethod::None => (self.doc.network.clone(), analysis.bounds.clone()),
                    scaling => {
                        let Some(scaled) = self.doc.scaled(method, scaling) else {
                            self.error(format!(
                                "the {} rescaling is not computed yet: wait a moment",
                                scaling.key()
                            ));
                            return;
                        };
                        (
                            Arc::new(scaled.problem().network.clone()),
                            Arc::new(scaled.problem().bounds.clone()),
                        )
                    }
                };
                export::milp_job(
                    network,
                    self.doc.input_box().clone(),
                    bounds,
                    objective,
                    path,
                )
            }
            ExportKind::AnalysisJson => {
                let report = match self.selected_scaled() {
                    Some(scaled) => scaled.report.clone(),
                    None => {
                        let Some(analysis) = self.doc.shown_analysis(self.settings.bound_method())
                        else {
                            self.error("no analysis to export yet");
                            return;
                        };
                        analysis.report.clone()
                    }
                };
                export::analysis_job(report, path)
            }
            ExportKind::RunsCsv => {
                if self.runs.is_empty() {
                    self.error("the runs table is empty: solve first (F5)");
                    return;
                }
                let (column, ascending) = self.runs_sort;
                let column = super::runs::RunColumn::ALL
                    .get(column)
                    .copied()
                    .unwrap_or(super::runs::RunColumn::Number);
                let order = sorted_order(&self.runs, column, ascending);
                export::text_job(to_csv(&self.runs, &order), path)
            }
            ExportKind::ViewPng => {
                let Some(image) = image else {
                    self.error("no screenshot to save");
                    return;
                };
                export::png_job(image, path)
            }
        };
        self.write_tasks
            .push(WriteTask::start(ctx, kind.label().to_string(), job));
    }

    // ----- every frame -----

    /// Drains every worker's messages and starts missing bounds; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        self.poll_load();
        self.poll_dialog(ctx);
        self.poll_bounds();
        self.poll_scaling();
        self.poll_solve();
        self.poll_training();
        self.poll_writes();
        self.poll_screenshot(ctx);
        self.schedule_bounds(ctx);
        self.schedule_scaling(ctx);
        if let Some(n) = &self.notice
            && n.kind == NoticeKind::Info
        {
            let left = INFO_NOTICE_TIME.saturating_sub(n.at.elapsed());
            if left.is_zero() {
                self.notice = None;
            } else {
                ctx.request_repaint_after(left);
            }
        }
    }

    fn poll_load(&mut self) {
        let Some(load) = &mut self.load_task else {
            return;
        };
        let messages = load.task.drain();
        let finished = load.task.is_finished();
        let path = load.path.clone();
        for result in messages {
            match result {
                Ok(network) => self.replace_network(network, NetworkSource::File(path.clone())),
                // The message already names the file.
                Err(e) => self.error(format!("cannot open: {e} (the current network stays open)")),
            }
        }
        if finished {
            self.load_task = None;
        }
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.dialog_task else {
            return;
        };
        let messages = dialog.task.drain();
        let finished = dialog.task.is_finished();
        let purpose = dialog.purpose;
        for chosen in messages {
            match (chosen, purpose) {
                (Some(path), DialogPurpose::OpenNetwork) => self.open_path(ctx, path),
                (Some(path), DialogPurpose::ExportPath) => {
                    if let Some(d) = &mut self.export_dialog {
                        d.path = path.display().to_string();
                    }
                }
                (Some(path), DialogPurpose::SaveNetwork) => {
                    self.training.save_path = path.display().to_string();
                    self.save_trained(ctx, path);
                }
                (None, _) => self.info(
                    "no file chosen; if no dialog appeared, this system has no file-dialog \
                     service (xdg-desktop-portal or zenity): type the path in the field instead",
                ),
            }
        }
        if finished {
            self.dialog_task = None;
        }
    }

    fn poll_bounds(&mut self) {
        let Some(task) = &mut self.bounds_task else {
            return;
        };
        let mut done = None;
        for message in task.task.drain() {
            match message {
                BoundsMessage::Progress(f, step) => {
                    task.fraction = Some(f);
                    task.step = step;
                }
                BoundsMessage::Done(result) => done = Some(result),
            }
        }
        let key = task.key;
        let vanished = done.is_none() && task.task.is_finished();
        if vanished {
            self.bounds_task = None;
            self.bounds_stopped = Some(key);
            self.error("the bounds worker stopped unexpectedly");
            return;
        }
        let Some(result) = done else {
            return;
        };
        self.bounds_task = None;
        let current = (self.doc.id, self.doc.box_revision());
        match result {
            Ok(bounds) if (key.0, key.1) == current => self.doc.insert_analysis(bounds),
            Ok(_) => {}
            Err(BoundsError::Cancelled) => {
                self.bounds_stopped = Some(key);
                self.info(format!(
                    "{} bounds cancelled; the views show interval bounds",
                    key.2.label()
                ));
            }
            Err(e) => {
                self.bounds_stopped = Some(key);
                self.error(e.to_string());
            }
        }
    }

    fn poll_scaling(&mut self) {
        let Some(task) = &mut self.scaling_task else {
            return;
        };
        let messages = task.task.drain();
        let finished = task.task.is_finished();
        let key = task.key;
        for result in messages {
            match result {
                Ok(scaled) if (key.0, key.1) == (self.doc.id, self.doc.box_revision()) => {
                    self.doc.insert_scaled(scaled)
                }
                Ok(_) => {}
                Err(e) => {
                    self.scaling_failed = Some(key);
                    self.error(e);
                }
            }
        }
        if finished {
            self.scaling_task = None;
        }
    }

    fn poll_solve(&mut self) {
        let Some(solve) = &mut self.solve else {
            return;
        };
        let SolvePoll {
            bounds: new_bounds,
            scaled: new_scaled,
            finished,
        } = solve.poll();
        let request_key = (solve.request.doc_id, solve.request.box_revision);
        let current = request_key == (self.doc.id, self.doc.box_revision());
        if let Some(bounds) = new_bounds
            && current
            && self.doc.analysis(bounds.method).is_none()
        {
            self.doc.insert_analysis(bounds);
        }
        if let Some(scaled) = new_scaled
            && current
            && self.doc.scaled(scaled.method, scaled.scaling).is_none()
        {
            self.doc.insert_scaled(scaled);
        }
        if let Some(outcome) = finished
            && let Some(running) = self.solve.take()
        {
            let finished = running.finish(outcome);
            match &finished.outcome {
                Err(SolveFailure::CancelledInBounds) => {
                    // The user stopped these bounds: do not restart them behind their back.
                    let r = &finished.request;
                    self.bounds_stopped = Some((r.doc_id, r.box_revision, r.method));
                }
                Err(e) => self.error(format!("solve failed: {}", e.message())),
                Ok(_) => {}
            }
            self.runs.push(finished.run_record());
            self.last_solve = Some(finished);
        }
    }

    fn poll_writes(&mut self) {
        let mut messages = Vec::new();
        self.write_tasks.retain_mut(|t| {
            messages.extend(t.task.drain());
            !t.task.is_finished()
        });
        for m in messages {
            match m {
                Ok(text) => self.info(text),
                Err(e) => self.error(format!("writing failed: {e}")),
            }
        }
    }

    // ----- training -----

    /// Starts training with the form's settings; an invalid form starts nothing and its
    /// reason is shown in the Training view.
    pub fn start_training(&mut self, ctx: &egui::Context) {
        if self.training.running.is_some() {
            return;
        }
        match self.settings.train.validate() {
            Err(e) => self.training.error = Some(e),
            Ok((config, data)) => {
                self.training.error = None;
                self.training.running = Some(RunningTraining::start(ctx, config, data));
            }
        }
    }

    /// Asks the trainer to stop after the current epoch (it keeps the best epoch's network).
    pub fn cancel_training(&self) {
        if let Some(t) = &self.training.running {
            t.task.cancel();
        }
    }

    fn poll_training(&mut self) {
        let Some(running) = &mut self.training.running else {
            return;
        };
        let Some(outcome) = running.poll() else {
            return;
        };
        let Some(running) = self.training.running.take() else {
            return;
        };
        let finished = running.finish(outcome);
        if let Ok(t) = &finished.outcome {
            let name = t.network.name.clone();
            self.training.save_path = std::env::current_dir()
                .map(|d| d.join(format!("{name}.json")))
                .unwrap_or_else(|_| PathBuf::from(format!("{name}.json")))
                .display()
                .to_string();
        }
        self.training.last = Some(finished);
    }

    /// Opens the last trained network for analysis; the open network stays if there is none.
    pub fn open_trained(&mut self) {
        let Some(Ok(trained)) = self.training.last.as_ref().map(|t| &t.outcome) else {
            self.error("there is no trained network to open: train one first");
            return;
        };
        if trained.network.input_box().is_none() {
            // Trained networks carry their data's box; never replace a network by a broken one.
            self.error("the trained network has no input box; the current network stays open");
            return;
        }
        let network = trained.network.clone();
        let name = network.name.clone();
        self.replace_network(network, NetworkSource::Trained(name));
        self.requested_view = Some("network");
    }

    /// Saves the last trained network to `path` on a worker (format by extension; `.json`
    /// when there is none).
    pub fn save_trained(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(Ok(trained)) = self.training.last.as_ref().map(|t| &t.outcome) else {
            self.error("there is no trained network to save: train one first");
            return;
        };
        if path.as_os_str().is_empty() {
            self.error("type a file path for the network first (.json, .onnx or .nnet)");
            return;
        }
        let path = with_extension_if_missing(path, "json");
        let network = trained.network.clone();
        self.write_tasks.push(WriteTask::start(
            ctx,
            "the trained network".to_string(),
            move || {
                save_network(&network, &path).map_err(|e| e.to_string())?;
                Ok(format!(
                    "wrote {} ({})",
                    path.display(),
                    network.architecture()
                ))
            },
        ));
    }

    /// Opens a "save as" dialog for the trained network; the file is written once chosen.
    pub fn save_trained_dialog(&mut self, ctx: &egui::Context) {
        if self.dialog_task.is_some() {
            return;
        }
        let name = PathBuf::from(self.training.save_path.trim())
            .file_name()
            .map_or_else(
                || "network.json".to_string(),
                |n| n.to_string_lossy().into(),
            );
        self.dialog_task = Some(DialogTask::save_network(ctx, name));
    }

    fn poll_screenshot(&mut self, ctx: &egui::Context) {
        match &mut self.screenshot {
            ScreenshotState::Idle => {}
            ScreenshotState::Waiting(0) => {
                let (sender, receiver) = channel();
                let waker = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = sender.send(image);
                    waker.request_repaint();
                });
                self.screenshot = ScreenshotState::Requested(receiver);
            }
            ScreenshotState::Waiting(n) => {
                *n -= 1;
                ctx.request_repaint();
            }
            ScreenshotState::Requested(receiver) => match receiver.try_recv() {
                Ok(image) => {
                    let ppp = ctx.pixels_per_point();
                    let cropped = if self.view_rect.is_positive() {
                        export::crop(&image, self.view_rect, ppp)
                    } else {
                        (*image).clone()
                    };
                    self.screenshot = ScreenshotState::Idle;
                    let stem = format!("{}_view", self.doc.network.name);
                    self.export_dialog = Some(ExportDialog {
                        kind: ExportKind::ViewPng,
                        path: ExportKind::ViewPng
                            .default_path(&stem, self.export_dir())
                            .display()
                            .to_string(),
                        image: Some(Arc::new(cropped)),
                    });
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.screenshot = ScreenshotState::Idle;
                    self.error("this display backend cannot take screenshots");
                }
            },
        }
    }
}

/// `path` with `.ext` appended when it has no extension (HiGHS picks the format by it).
fn with_extension_if_missing(path: PathBuf, ext: &str) -> PathBuf {
    if path.extension().is_none() {
        path.with_extension(ext)
    } else {
        path
    }
}
