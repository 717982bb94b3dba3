//! The selected rescaling of the selected bounds: computed inline for small networks, on a
//! worker otherwise, and kept in the document.

use super::AppState;
use crate::gui::document::{INLINE_SCALING_LIMIT, ScaledAnalysis};
use crate::gui::tasks::{ScalingKey, ScalingTask};
use eframe::egui;
use reluscope::scaling::ScalingMethod;

impl AppState {
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
    pub(super) fn schedule_scaling(&mut self, ctx: &egui::Context) {
        let key = self.wanted_scaling();
        if self.scaling_task.as_ref().is_some_and(|t| t.key != key) {
            self.scaling_task = None;
        }
        let (_, _, method, scaling) = key;
        let solve_computes_it = self.solve.as_ref().is_some_and(|s| {
            let r = &s.request;
            r.solver.uses_milp()
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

    pub(super) fn poll_scaling(&mut self) {
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
}
