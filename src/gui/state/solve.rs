//! Solving: starting a solve with the current settings and what the app keeps of it (bounds
//! and rescalings it computed, the runs table, the last solve).

use super::AppState;
use crate::gui::settings::SolverChoice;
use crate::gui::solve_task::{RunningSolve, SolveFailure, SolvePoll, SolveRequest};
use eframe::egui;
use reluscope::milp::{Objective, Sense};
use reluscope::pipeline::SolveMethod;
use std::sync::Arc;

impl AppState {
    /// Starts solving the MILP with the current settings (ignored while a solve runs).
    pub fn start_solve(&mut self, ctx: &egui::Context) {
        if self.solve.is_some() {
            return;
        }
        let outputs = self.doc.network.output_dim();
        let problem = self
            .doc
            .problem
            .as_ref()
            .map(|p| Arc::new(p.with_box(self.doc.input_box())));
        let objective = match (self.settings.solve.objective(outputs), &problem) {
            (Ok(o), _) => o,
            // A problem states its own objective: the settings' only label the run.
            (Err(_), Some(_)) => match Objective::output(Sense::Minimize, 0, outputs) {
                Ok(o) => o,
                Err(e) => {
                    self.error(format!("cannot solve: {e}"));
                    return;
                }
            },
            (Err(e), None) => {
                self.error(format!("cannot solve: {e}"));
                return;
            }
        };
        let method = self.settings.bound_method();
        let scaling = self.settings.scaling_method();
        let (mut solver, mut auto_reason) = self
            .settings
            .solve
            .solver
            .resolve(&self.doc.network, self.doc.input_box());
        let problem_method = self.settings.solve.solver.method();
        if problem.is_some() {
            // The library chooses for a problem (branching takes no constraints).
            auto_reason = None;
            if solver == SolverChoice::Branch && problem_method == SolveMethod::Auto {
                solver = SolverChoice::Milp;
            }
        }
        // The region solver needs no bounds: it enumerates the regions of the network itself.
        let bounds = match solver {
            SolverChoice::Milp => self.doc.analysis(method).map(|a| a.bounds.clone()),
            SolverChoice::Regions | SolverChoice::Branch => None,
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
            auto_reason,
            problem,
            problem_method,
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

    pub(super) fn poll_solve(&mut self) {
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
            let mut record = finished.run_record();
            if let Some((doc, revision, count, exact)) = self.region_count
                && record.doc_key == (doc, revision)
            {
                record.regions = Some(count);
                record.regions_exact = exact;
            }
            self.runs.push(record);
            // The tour compares the runs its own steps made, whatever else was solved.
            if let Some(step) = self.tour {
                self.tour_runs.push((step, self.runs.len() - 1));
            }
            self.last_solve = Some(finished);
        }
    }
}
