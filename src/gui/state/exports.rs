//! Exports (MILP, analysis, runs CSV, view screenshots) and the file writes behind them.

use super::AppState;
use crate::gui::document::NetworkSource;
use crate::gui::export::{self, ExportKind, WriteJob};
use crate::gui::runs::{RunColumn, sorted_order, to_csv, to_json};
use crate::gui::tasks::WriteTask;
use eframe::egui::{self, ColorImage};
use reluscope::bounds::BoundMethod;
use reluscope::figures::FigureSettings;
use reluscope::scaling::ScalingMethod;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

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

impl AppState {
    /// Opens the export window for `kind` with a default path.
    pub fn begin_export(&mut self, kind: ExportKind) {
        if kind == ExportKind::ViewPng {
            // Wait two frames so that the menu that triggered this is gone from the picture.
            self.screenshot = ScreenshotState::Waiting(2);
            return;
        }
        let stem = match kind {
            ExportKind::RunsCsv | ExportKind::RunsJson => "reluscope".to_string(),
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

    /// The figure of the Study or Training view as chart data: the study figure shown, or
    /// the last loss curve (on a log axis), titled.
    pub fn shown_chart(&self) -> Option<reluscope::figures::Chart> {
        use reluscope::figures::{Axis, Chart, Mark, Series};
        match self.settings.tab.as_str() {
            "study" => {
                let study = self.study.loaded.as_ref()?;
                let figure = study
                    .figures
                    .get(self.study.selected.min(study.figures.len().checked_sub(1)?))?;
                Some(figure.chart.clone())
            }
            "train" => {
                let curve = self.training.running.as_ref().map(|r| &r.curve).or(self
                    .training
                    .last
                    .as_ref()
                    .map(|l| &l.curve))?;
                let mut chart = Chart::new(
                    "Training loss per epoch",
                    Axis::linear("epoch"),
                    Axis::log("mean squared error"),
                );
                for (name, points, colour) in [
                    ("training", &curve.train, (214, 96, 77)),
                    ("validation", &curve.validation, (0, 114, 178)),
                ] {
                    chart.series.push(Series {
                        name: name.into(),
                        // The curve holds log10 of the loss, for the app's log axis.
                        points: points.iter().map(|p| (p[0], 10f64.powf(p[1]))).collect(),
                        mark: Mark::Line,
                        colour,
                        dashed: false,
                        labels: Vec::new(),
                    });
                }
                Some(chart)
            }
            _ => None,
        }
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
                let column = RunColumn::ALL
                    .get(column)
                    .copied()
                    .unwrap_or(RunColumn::Number);
                let order = sorted_order(&self.runs, column, ascending);
                export::text_job(to_csv(&self.runs, &order), path)
            }
            ExportKind::RunsJson => {
                if self.runs.is_empty() {
                    self.error("the runs table is empty: solve first (F5)");
                    return;
                }
                export::text_job(to_json(&self.runs), path)
            }
            ExportKind::ViewPng => {
                let Some(image) = image else {
                    self.error("no screenshot to save");
                    return;
                };
                export::png_job(image, path)
            }
            ExportKind::ShownChart => {
                let Some(chart) = self.shown_chart() else {
                    self.error("no figure to export here: load a study or train a network first");
                    return;
                };
                export::chart_job(chart, path)
            }
            ExportKind::Figure(view) => {
                // Only a solve of the network and box on screen belongs in its figure.
                let solve = self.last_solve.as_ref().and_then(|s| {
                    let same = s.request.doc_id == self.doc.id
                        && s.request.box_revision == self.doc.box_revision();
                    let mut report = s.outcome.as_ref().ok().filter(|_| same)?.clone();
                    if report.trace.is_empty() {
                        report.trace = s.trace.clone();
                    }
                    Some((
                        report,
                        s.request.solver.key().to_string(),
                        s.request.scaling,
                    ))
                });
                // The bound methods on screen (computed for this box), in the fixed order.
                let mut shown: Vec<BoundMethod> = self.doc.analyses().map(|a| a.method()).collect();
                shown.sort_by_key(|m| BoundMethod::ALL.iter().position(|x| x == m));
                shown.dedup();
                if shown.is_empty() {
                    shown.push(self.settings.bound_method());
                }
                let settings = FigureSettings {
                    bounds: shown,
                    scaling: solve
                        .as_ref()
                        .map_or(self.settings.scaling_method(), |s| s.2),
                    solve_method: solve
                        .as_ref()
                        .and_then(|s| reluscope::pipeline::SolveMethod::from_key(&s.1))
                        .unwrap_or_default(),
                    ..FigureSettings::default()
                };
                export::figure_job(
                    self.doc.network.clone(),
                    self.doc.input_box().clone(),
                    view,
                    settings,
                    solve.map(|(report, path, _)| (report, path)),
                    path,
                )
            }
        };
        self.write_tasks
            .push(WriteTask::start(ctx, kind.label().to_string(), job));
    }

    pub(super) fn poll_writes(&mut self) {
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

    pub(super) fn poll_screenshot(&mut self, ctx: &egui::Context) {
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
pub(super) fn with_extension_if_missing(path: PathBuf, ext: &str) -> PathBuf {
    if path.extension().is_none() {
        path.with_extension(ext)
    } else {
        path
    }
}
