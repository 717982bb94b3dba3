//! The Study view's state: a study directory read on a worker (its figures and findings
//! computed there too), the figure shown, and the points under the pointer.

use super::AppState;
use crate::gui::views::LabelledPositions;
use crate::gui::worker::Task;
use eframe::egui;
use reluscope::study::{
    Finding, StudyFigure, findings, list_cells, read_cells, read_spec, study_figures,
};
use std::path::PathBuf;

/// A study directory as the app shows it.
pub struct LoadedStudy {
    /// The directory.
    pub dir: PathBuf,
    /// Cells present.
    pub present: usize,
    /// Cells of the grid.
    pub total: usize,
    /// Cells that failed.
    pub failed: usize,
    /// The report's figures.
    pub figures: Vec<StudyFigure>,
    /// The report's findings.
    pub findings: Vec<Finding>,
}

/// Reads study directory `dir` and computes what the view shows.
pub fn load_study(dir: PathBuf) -> Result<LoadedStudy, String> {
    let spec = read_spec(&dir).map_err(|e| e.to_string())?;
    let cells = read_cells(&dir, &spec).map_err(|e| e.to_string())?;
    Ok(LoadedStudy {
        present: cells.len(),
        total: list_cells(&spec).len(),
        failed: cells.iter().filter(|c| c.error.is_some()).count(),
        figures: study_figures(&cells),
        findings: findings(&cells),
        dir,
    })
}

/// The Study view's state.
#[derive(Default)]
pub struct StudyBrowser {
    /// The directory field.
    pub path_field: String,
    /// A directory being read.
    pub loading: Option<Task<Result<LoadedStudy, String>>>,
    /// The study shown.
    pub loaded: Option<LoadedStudy>,
    /// The figure shown (index into the figures).
    pub selected: usize,
    /// The cell under the pointer.
    pub hovered: Option<String>,
    /// Where the labelled points were drawn last frame.
    pub positions: LabelledPositions,
}

impl AppState {
    /// Starts reading the study directory in the Study view's field; the study shown stays
    /// until the new one is read.
    pub fn load_study(&mut self, ctx: &egui::Context) {
        let dir = PathBuf::from(self.study.path_field.trim());
        if dir.as_os_str().is_empty() {
            self.error(
                "type the path of a study directory (made by `reluscope study --out DIR`) first",
            );
            return;
        }
        self.study.loading = Some(Task::spawn(
            ctx,
            "study",
            move |reporter| reporter.send(load_study(dir)),
            Err,
        ));
    }

    /// Drains the study reader; call once per frame.
    pub(super) fn poll_study(&mut self) {
        let Some(task) = &mut self.study.loading else {
            return;
        };
        let messages = task.drain();
        let finished = task.is_finished();
        for message in messages {
            match message {
                Ok(study) => {
                    self.info(format!(
                        "read the study {}: {} of {} cells, {} figures",
                        study.dir.display(),
                        study.present,
                        study.total,
                        study.figures.len()
                    ));
                    self.study.selected = 0;
                    self.study.loaded = Some(study);
                }
                Err(e) => self.error(e),
            }
        }
        if finished {
            self.study.loading = None;
        }
    }

    /// Opens the network of study cell `id` in the other views.
    pub fn open_study_cell(&mut self, ctx: &egui::Context, id: &str) {
        let Some(study) = &self.study.loaded else {
            return;
        };
        let path = study.dir.join("networks").join(format!("{id}.json"));
        self.open_path(ctx, path);
    }
}
