//! A study directory: `study.json` (the spec), `cells/ID.json` (one file per finished
//! cell, written atomically), `networks/ID.json` (each cell's network), and the outputs
//! regenerated from the cells (`results.csv`, `results.json`, `report.md`, `figures/`).
//! Because a cell is a file, an interrupted study keeps what it finished, `--resume` skips
//! it, and shard directories merge by copying cells.

use super::cell::{CellResult, CellSpec, cell_network, list_cells, measure_cell};
use super::report::{write_outputs, write_results};
use super::{StudyError, StudySpec};
use crate::control::TaskControl;
use crate::formats::save_network;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which cells a run does and how it treats a directory that holds some already.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunOptions {
    /// Continue a study in a directory that holds finished cells (skipping them, retrying
    /// failed ones); without it such a directory is refused.
    pub resume: bool,
    /// Run only cells `k` with `k mod N = I − 1` (`Some((I, N))`, `1 ≤ I ≤ N`).
    pub shard: Option<(usize, usize)>,
    /// Run only the cell with this id.
    pub only: Option<String>,
}

/// What a study run reports as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum StudyEvent {
    /// A cell starts: its position among this run's cells, their number, its id.
    Started {
        /// 0-based position.
        index: usize,
        /// Cells this run does.
        total: usize,
        /// The cell.
        id: String,
    },
    /// A cell finished (or failed), with the estimated seconds left for this run.
    Finished {
        /// 0-based position.
        index: usize,
        /// Cells this run does.
        total: usize,
        /// The cell.
        id: String,
        /// Its wall time, seconds.
        seconds: f64,
        /// Estimated seconds left.
        eta_s: f64,
        /// Its error, if it failed.
        error: Option<String>,
    },
    /// A finished cell found in the directory and skipped.
    Skipped {
        /// The cell.
        id: String,
    },
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyOutcome {
    /// Cells run now.
    pub ran: usize,
    /// Cells found finished and skipped.
    pub skipped: usize,
    /// Ids and errors of the cells that failed.
    pub failed: Vec<(String, String)>,
    /// Cells of the whole grid present in the directory now.
    pub present: usize,
    /// Cells of the whole grid.
    pub total: usize,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StudyError + '_ {
    move |cause| StudyError::Io {
        path: path.to_path_buf(),
        cause,
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that an interrupted
/// write never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StudyError> {
    let tmp = path.with_extension("json.partial");
    std::fs::write(&tmp, bytes).map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_error(path))
}

/// Reads and parses a JSON file, naming it in errors.
pub(super) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StudyError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    serde_json::from_str(&text).map_err(|e| StudyError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Our own types serialise without failure (no maps with non-string keys).
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// The spec stored in study directory `dir`.
pub fn read_spec(dir: &Path) -> Result<StudySpec, StudyError> {
    let path = dir.join("study.json");
    if !path.exists() {
        return Err(StudyError::NotAStudy(dir.to_path_buf()));
    }
    read_json(&path)
}

/// The finished cells in study directory `dir`, in the order of the spec's grid (cells the
/// spec does not list are refused).
pub fn read_cells(dir: &Path, spec: &StudySpec) -> Result<Vec<CellResult>, StudyError> {
    let mut found = Vec::new();
    for cell in list_cells(spec) {
        let path = dir.join("cells").join(format!("{}.json", cell.id));
        if path.exists() {
            let result: CellResult = read_json(&path)?;
            if result.cell != cell {
                return Err(StudyError::Json {
                    path,
                    message: format!("holds cell {} of another grid", result.cell.id),
                });
            }
            found.push(result);
        }
    }
    Ok(found)
}

/// Prepares `dir` for `spec`: creates it, or checks that it holds the same study.
fn open_dir(dir: &Path, spec: &StudySpec, resume: bool) -> Result<(), StudyError> {
    for sub in ["cells", "networks"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(io_error(&d))?;
    }
    let spec_path = dir.join("study.json");
    if spec_path.exists() {
        let stored: StudySpec = read_json(&spec_path)?;
        if &stored != spec {
            return Err(StudyError::OtherStudy(dir.to_path_buf()));
        }
        let done = read_cells(dir, spec)?.len();
        if done > 0 && !resume {
            return Err(StudyError::NotEmpty {
                dir: dir.to_path_buf(),
                cells: done,
            });
        }
    } else {
        write_atomically(&spec_path, &to_json(spec))?;
    }
    Ok(())
}

/// The cells a run with `options` does, of the grid `cells`.
pub fn select_cells(
    cells: Vec<CellSpec>,
    options: &RunOptions,
) -> Result<Vec<CellSpec>, StudyError> {
    if let Some((i, n)) = options.shard
        && !(n >= 1 && (1..=n).contains(&i))
    {
        return Err(StudyError::Spec(format!(
            "shard {i}/{n}: expected I/N with 1 ≤ I ≤ N"
        )));
    }
    if let Some(id) = &options.only
        && !cells.iter().any(|c| &c.id == id)
    {
        return Err(StudyError::Spec(format!("no cell '{id}' in this grid")));
    }
    Ok(cells
        .into_iter()
        .enumerate()
        .filter(|(k, _)| options.shard.is_none_or(|(i, n)| k % n == i - 1))
        .filter(|(_, c)| options.only.as_ref().is_none_or(|id| &c.id == id))
        .map(|(_, c)| c)
        .collect())
}

/// Runs the cells of `spec` that `options` selects into study directory `dir`, writing each
/// cell when it finishes and the outputs (results, report, figures) at the end.
pub fn run_study(
    spec: &StudySpec,
    dir: &Path,
    options: &RunOptions,
    control: &TaskControl,
    on_event: &mut dyn FnMut(&StudyEvent),
) -> Result<StudyOutcome, StudyError> {
    spec.validate()?;
    let cells = select_cells(list_cells(spec), options)?;
    open_dir(dir, spec, options.resume)?;
    let done: Vec<String> = read_cells(dir, spec)?
        .into_iter()
        .filter(|c| c.error.is_none())
        .map(|c| c.cell.id)
        .collect();
    let (skip, todo): (Vec<CellSpec>, Vec<CellSpec>) =
        cells.into_iter().partition(|c| done.contains(&c.id));
    for c in &skip {
        on_event(&StudyEvent::Skipped { id: c.id.clone() });
    }
    let started = Instant::now();
    let mut failed = Vec::new();
    for (index, cell) in todo.iter().enumerate() {
        if control.is_cancelled() {
            break;
        }
        on_event(&StudyEvent::Started {
            index,
            total: todo.len(),
            id: cell.id.clone(),
        });
        let cell_started = Instant::now();
        let result = run_one(spec, cell, dir, control)?;
        if let Some(e) = &result.error {
            failed.push((cell.id.clone(), e.clone()));
        }
        let path = dir.join("cells").join(format!("{}.json", cell.id));
        write_atomically(&path, &to_json(&result))?;
        write_results(dir)?;
        let per_cell = started.elapsed().as_secs_f64() / (index + 1) as f64;
        on_event(&StudyEvent::Finished {
            index,
            total: todo.len(),
            id: cell.id.clone(),
            seconds: cell_started.elapsed().as_secs_f64(),
            eta_s: per_cell * (todo.len() - index - 1) as f64,
            error: result.error.clone(),
        });
    }
    let present = write_outputs(dir)?;
    Ok(StudyOutcome {
        ran: todo.len(),
        skipped: skip.len(),
        failed,
        present,
        total: list_cells(spec).len(),
    })
}

/// Builds and measures one cell, saving its network; a failure to build the network is
/// recorded in the cell like any other.
fn run_one(
    spec: &StudySpec,
    cell: &CellSpec,
    dir: &Path,
    control: &TaskControl,
) -> Result<CellResult, StudyError> {
    let started = Instant::now();
    match cell_network(spec, cell, control) {
        Ok((network, training)) => {
            let path = dir.join("networks").join(format!("{}.json", cell.id));
            save_network(&network, &path).map_err(|e| StudyError::Cell {
                id: cell.id.clone(),
                message: e.to_string(),
            })?;
            measure_cell(spec, cell, &network, training, control)
        }
        Err(e) => Ok(CellResult {
            cell: cell.clone(),
            network_file: String::new(),
            architecture: String::new(),
            input_box: Vec::new(),
            test_rmse: None,
            epochs: None,
            train_time_s: None,
            regions: None,
            treatments: Vec::new(),
            solves: Vec::new(),
            error: Some(e.to_string()),
            time_s: started.elapsed().as_secs_f64(),
        }),
    }
}

/// Combines shard directories (each a study directory of the same spec) into `out`: their
/// cells and networks are copied and the outputs written as for one unsharded run. A cell
/// found in two shards is taken from the first; shards of another spec are refused.
pub fn merge_studies(out: &Path, shards: &[PathBuf]) -> Result<StudyOutcome, StudyError> {
    let Some(first) = shards.first() else {
        return Err(StudyError::Spec(
            "merge needs at least one shard directory".into(),
        ));
    };
    let spec = read_spec(first)?;
    for shard in &shards[1..] {
        if read_spec(shard)? != spec {
            return Err(StudyError::Merge(format!(
                "{} holds another study than {}",
                shard.display(),
                first.display()
            )));
        }
    }
    open_dir(out, &spec, true)?;
    // Finished cells already in `out` stay; a failed one is replaced by a finished copy.
    let mut finished: Vec<String> = read_cells(out, &spec)?
        .into_iter()
        .filter(|c| c.error.is_none())
        .map(|c| c.cell.id)
        .collect();
    let mut failed_ids: Vec<String> = Vec::new();
    let mut ran = 0;
    for shard in shards {
        for cell in read_cells(shard, &spec)? {
            let id = cell.cell.id.clone();
            if finished.contains(&id) || (cell.error.is_some() && failed_ids.contains(&id)) {
                continue;
            }
            let network = shard.join("networks").join(format!("{id}.json"));
            if network.exists() {
                let target = out.join("networks").join(format!("{id}.json"));
                std::fs::copy(&network, &target).map_err(io_error(&target))?;
            }
            let path = out.join("cells").join(format!("{id}.json"));
            write_atomically(&path, &to_json(&cell))?;
            if cell.error.is_some() {
                failed_ids.push(id);
            } else {
                failed_ids.retain(|f| f != &id);
                finished.push(id);
            }
            ran += 1;
        }
    }
    let failed: Vec<(String, String)> = read_cells(out, &spec)?
        .into_iter()
        .filter_map(|c| Some((c.cell.id.clone(), c.error.clone()?)))
        .collect();
    let present = write_outputs(out)?;
    Ok(StudyOutcome {
        ran,
        skipped: 0,
        failed,
        present,
        total: list_cells(&spec).len(),
    })
}
