//! The study, reproduced: train networks over a grid of functions, hidden layouts, training
//! variants and seeds (or take given files), and measure on each what the MILP sees and
//! costs — test error, stable neurons and binaries, big-M per layer, linear regions, the time
//! of bounds and rescaling, and the MILP's time, nodes, gap and objective (forward-checked,
//! median over HiGHS seeds) — then report the grid as tables, checked findings and figures.
//!
//! A study lives in a directory ([`store`]): one file per finished cell, so it can be
//! interrupted and resumed, split into shards on several machines ([`RunOptions::shard`])
//! and merged ([`merge_studies`]) into the report an unsharded run would give.

mod cell;
mod charts;
mod findings;
mod report;
mod results;
mod spec;
pub mod store;

pub use cell::{
    CellResult, CellSource, CellSpec, LayerFigures, RegionFigures, SolveFigures, TrainingFigures,
    Treatment, cell_network, list_cells, measure_cell,
};
pub use charts::{StudyFigure, study_figures};
pub use findings::{Finding, Verdict, findings};
pub use report::{write_outputs, write_results};
pub use results::{csv_table, results_json};
pub use spec::{StudySpec, TrainingSettings};
pub use store::{
    RunOptions, StudyEvent, StudyOutcome, merge_studies, read_cells, read_spec, run_study,
};

use std::path::PathBuf;
use thiserror::Error;

/// Why a study could not run or be read.
#[derive(Debug, Error)]
pub enum StudyError {
    /// The grid or the run options are not meaningful.
    #[error("study: {0}")]
    Spec(String),
    /// Reading or writing a file failed.
    #[error("{path}: {cause}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause (not a `source`: the message already names it once).
        cause: std::io::Error,
    },
    /// A file of the study directory is not what it should be.
    #[error("{path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The directory has no `study.json`.
    #[error("{0}: not a study directory (no study.json)")]
    NotAStudy(PathBuf),
    /// The directory holds a study with another grid.
    #[error(
        "{0}: holds another study (its study.json differs); choose another --out or repeat \
         that study's arguments"
    )]
    OtherStudy(PathBuf),
    /// The directory already holds finished cells and `--resume` was not given.
    #[error("{dir}: already holds {cells} finished cell(s); --resume continues the study")]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
        /// Finished cells in it.
        cells: usize,
    },
    /// A cell's network could not be saved.
    #[error("cell {id}: {message}")]
    Cell {
        /// The cell.
        id: String,
        /// What failed.
        message: String,
    },
    /// Shards that do not belong together.
    #[error("merge: {0}")]
    Merge(String),
    /// A figure could not be written.
    #[error(transparent)]
    Figure(#[from] crate::figures::FigureError),
}
