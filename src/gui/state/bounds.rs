//! The input box and the bounds of the selected method: box edits, and the bounds worker
//! started (debounced) when the selected bounds are missing.

use super::AppState;
use crate::gui::tasks::{BoundsKey, BoundsMessage, BoundsTask};
use eframe::egui;
use reluscope::bounds::{BoundMethod, BoundsError};
use std::time::{Duration, Instant};

/// After a box edit, wait this long before starting an expensive bound method, so that
/// dragging a bound does not start (and cancel) one computation per frame.
const BOUNDS_DEBOUNCE: Duration = Duration::from_millis(350);

impl AppState {
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

    /// Starts (again) computing the selected bounds, e.g. after a cancel.
    pub fn compute_selected_bounds(&mut self, ctx: &egui::Context) {
        self.bounds_stopped = None;
        self.bounds_not_before = Instant::now();
        self.schedule_bounds(ctx);
    }

    /// Starts the selected method's bounds on a worker when they are missing and not already
    /// being computed (by a bounds task or a solve).
    pub(super) fn schedule_bounds(&mut self, ctx: &egui::Context) {
        let key = self.wanted_bounds();
        if self.bounds_task.as_ref().is_some_and(|t| t.key != key) {
            // Superseded (box or method changed): dropping the task cancels it.
            self.bounds_task = None;
        }
        let solve_computes_them = self.solve.as_ref().is_some_and(|s| {
            s.request.solver.uses_milp()
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

    pub(super) fn poll_bounds(&mut self) {
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
}
