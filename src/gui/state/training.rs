//! Training: starting and stopping the trainer, then opening or saving the trained network.

use super::AppState;
use super::exports::with_extension_if_missing;
use crate::gui::document::NetworkSource;
use crate::gui::tasks::{DialogTask, WriteTask};
use crate::gui::train_task::RunningTraining;
use eframe::egui;
use reluscope::formats::save_network;
use std::path::PathBuf;

impl AppState {
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

    pub(super) fn poll_training(&mut self) {
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
}
