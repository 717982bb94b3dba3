//! Opening networks: samples, files read on a worker, the open dialog.

use super::AppState;
use crate::gui::document::{AttachedProblem, Document, NetworkSource, ProblemKind};
use crate::gui::samples;
use crate::gui::tasks::{DialogPurpose, DialogTask, LoadTask, Loaded};
use eframe::egui;
use reluscope::network::Network;
use reluscope::problem::Problem;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl AppState {
    /// Makes `network` the open network; the previous one's analyses are dropped.
    pub fn replace_network(&mut self, network: Network, source: NetworkSource) {
        let id = self.next_doc_id;
        self.next_doc_id += 1;
        // The path field names the file shown, never the previous one.
        self.path_field = match &source {
            NetworkSource::File(p) => p.display().to_string(),
            NetworkSource::Sample(_) | NetworkSource::Trained(_) => String::new(),
        };
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

    /// Opens network `attached.shown` of a problem, with the problem attached and its box.
    pub fn show_problem_network(&mut self, attached: AttachedProblem, source: NetworkSource) {
        let named = &attached.problem.networks[attached.shown];
        let network = named.network.clone().named(named.name.clone());
        let input_box = attached.problem.input_box.clone();
        let summary = format!(
            "{} network(s), {} constraint(s), {} alternative(s)",
            attached.problem.networks.len(),
            attached.problem.constraints.len(),
            attached.problem.disjuncts.len()
        );
        let file = attached.source.display().to_string();
        self.replace_network(network, source);
        self.doc.set_box(input_box);
        self.doc.box_note = None;
        self.doc.problem = Some(Arc::new(attached));
        self.info(format!("opened the problem {file}: {summary}"));
    }

    /// Shows network `k` of the attached problem file in the views (the problem stays).
    pub fn show_problem_network_index(&mut self, k: usize) {
        let Some(attached) = self.doc.problem.clone() else {
            return;
        };
        if k == attached.shown || k >= attached.problem.networks.len() {
            return;
        }
        let mut attached = (*attached).clone();
        attached.problem.input_box = self.doc.input_box().clone();
        attached.shown = k;
        let source = self.doc.source.clone();
        self.show_problem_network(attached, source);
    }

    /// Attaches a VNNLIB property to the open network: its box becomes the document's, and
    /// Solve verifies it.
    pub fn attach_property(&mut self, problem: Problem, path: PathBuf) {
        let input_box = problem.input_box.clone();
        let alternatives = problem.disjuncts.len();
        let constraints: usize = problem.disjuncts.iter().map(|d| d.constraints.len()).sum();
        self.doc.set_box(input_box);
        self.doc.problem = Some(Arc::new(AttachedProblem {
            problem,
            source: path.clone(),
            kind: ProblemKind::Property,
            shown: 0,
        }));
        self.info(format!(
            "attached the property {} to {}: {alternatives} alternative(s), {constraints} \
             output constraint(s); Solve verifies it",
            path.display(),
            self.doc.network.name
        ));
    }

    /// Detaches the problem or property: solves are plain again.
    pub fn detach_problem(&mut self) {
        if let Some(p) = self.doc.problem.take() {
            self.info(format!("closed the problem {}", p.source.display()));
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
            self.error("type the path of a network (.json, .onnx, .nnet), problem (.json) or property (.vnnlib) first");
            return;
        }
        self.path_field = path.display().to_string();
        self.load_task = Some(LoadTask::start(ctx, path, self.doc.network.clone()));
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

    pub(super) fn poll_load(&mut self) {
        let Some(load) = &mut self.load_task else {
            return;
        };
        let messages = load.task.drain();
        let finished = load.task.is_finished();
        let path = load.path.clone();
        for result in messages {
            match result {
                Ok(Loaded::Network(network)) => {
                    self.replace_network(network, NetworkSource::File(path.clone()));
                }
                Ok(Loaded::Problem(problem)) => {
                    let attached = AttachedProblem {
                        problem,
                        source: path.clone(),
                        kind: ProblemKind::ProblemFile,
                        shown: 0,
                    };
                    self.show_problem_network(attached, NetworkSource::File(path.clone()));
                }
                Ok(Loaded::Property(problem)) => self.attach_property(problem, path.clone()),
                // The message already names the file.
                Err(e) => self.error(format!("cannot open: {e} (the current network stays open)")),
            }
        }
        if finished {
            self.load_task = None;
        }
    }

    pub(super) fn poll_dialog(&mut self, ctx: &egui::Context) {
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
}
