//! Opening networks: samples, files read on a worker, the open dialog.

use super::AppState;
use crate::gui::document::{Document, NetworkSource};
use crate::gui::samples;
use crate::gui::tasks::{DialogPurpose, DialogTask, LoadTask};
use eframe::egui;
use reluscope::network::Network;
use std::path::{Path, PathBuf};

impl AppState {
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

    pub(super) fn poll_load(&mut self) {
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
