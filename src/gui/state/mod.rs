//! The app's state and everything that changes it, apart from drawing.
//!
//! Views and panels read this state and call its methods; workers report through channels
//! that [`AppState::poll`] drains once per frame. The methods live beside their concern: the
//! notice bar, opening networks, the box and its bounds, rescaling, solving, training, exports.

mod bounds;
mod exports;
mod networks;
mod notice;
mod scaling;
mod solve;
mod study;
mod training;

pub use exports::{ExportDialog, ScreenshotState};
pub use notice::{Notice, NoticeKind};
pub use study::StudyBrowser;

use super::document::{Document, NetworkSource};
use super::runs::RunRecord;
use super::settings::Settings;
use super::solve_task::{FinishedSolve, RunningSolve};
use super::tasks::{
    BoundsKey, BoundsTask, DialogTask, LoadTask, ScalingKey, ScalingTask, WriteTask,
};
use super::train_task::Training;
use eframe::egui::{self, Rect};
use reluscope::network::Network;
use std::time::Instant;

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
    /// Runs (indices into `runs`) overlaid in Solve, Big-M growth and Stability.
    pub runs_compared: Vec<usize>,
    /// The run the difference columns divide by.
    pub runs_baseline: Option<usize>,
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
    /// The Study view's directory, figures and findings.
    pub study: StudyBrowser,
    /// The guided tour's current step, while it is open.
    pub tour: Option<usize>,
    /// The runs (indices into `runs`) the tour's steps produced, with their step.
    pub tour_runs: Vec<(usize, usize)>,
    /// The user's solve settings, bound method and rescaling before the tour, given back
    /// when it closes.
    pub tour_saved: Option<(super::settings::SolveSettings, String, String)>,
    /// The last whole-box region count of the Regions view: `(doc, box revision, count,
    /// exact)`, given to the runs of that network and box.
    pub region_count: Option<(u64, u64, usize, bool)>,
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
            runs_compared: Vec::new(),
            runs_baseline: None,
            notice: None,
            path_field: String::new(),
            export_dialog: None,
            screenshot: ScreenshotState::Idle,
            view_rect: Rect::NOTHING,
            requested_view: None,
            study: StudyBrowser::default(),
            tour: None,
            tour_runs: Vec::new(),
            tour_saved: None,
            region_count: None,
        }
    }

    /// Empties the runs table and its comparison.
    pub fn clear_runs(&mut self) {
        self.runs.clear();
        self.tour_runs.clear();
        self.runs_compared.clear();
        self.runs_baseline = None;
    }

    /// Records the whole-box region count of document `doc` at `box_revision` and gives it to
    /// the runs of that network and box that have none.
    pub fn note_region_count(&mut self, doc: u64, box_revision: u64, count: usize, exact: bool) {
        if self.region_count == Some((doc, box_revision, count, exact)) {
            return;
        }
        self.region_count = Some((doc, box_revision, count, exact));
        for run in &mut self.runs {
            if run.doc_key == (doc, box_revision) {
                run.regions = Some(count);
                run.regions_exact = exact;
            }
        }
    }

    /// The runs chosen for comparison with their 1-based numbers, in table order.
    pub fn compared_runs(&self) -> Vec<(usize, &super::runs::RunRecord)> {
        let mut chosen: Vec<usize> = self
            .runs_compared
            .iter()
            .copied()
            .filter(|&i| i < self.runs.len())
            .collect();
        chosen.sort_unstable();
        chosen.dedup();
        chosen.into_iter().map(|i| (i + 1, &self.runs[i])).collect()
    }

    /// Whether any worker is running (for tests and the benchmark).
    pub fn is_busy(&self) -> bool {
        self.bounds_task.is_some()
            || self.scaling_task.is_some()
            || self.training.running.is_some()
            || self.load_task.is_some()
            || self.solve.is_some()
            || self.study.loading.is_some()
            || !self.write_tasks.is_empty()
    }

    /// Drains every worker's messages and starts missing bounds; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        self.poll_load();
        self.poll_study();
        self.poll_dialog(ctx);
        self.poll_bounds();
        self.poll_scaling();
        self.poll_solve();
        self.poll_training();
        self.poll_writes();
        self.poll_screenshot(ctx);
        self.schedule_bounds(ctx);
        self.schedule_scaling(ctx);
        self.expire_notice(ctx);
    }
}
