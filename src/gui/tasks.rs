//! The short-lived background tasks: bounds, rescaling, file loading, file dialogs and file
//! writing. (Solves and training have their own modules, `solve_task` and `train_task`.)

use super::document::ScaledAnalysis;
use super::worker::Task;
use eframe::egui;
use reluscope::bounds::{BoundMethod, BoundsError, NetworkBounds};
use reluscope::formats::load_network;
use reluscope::network::{InputBox, Network};
use reluscope::problem::Problem;
use reluscope::problem::problem_file::{is_problem_file, read_problem};
use reluscope::problem::vnnlib::read_vnnlib;
use reluscope::scaling::ScalingMethod;
use reluscope::tightening::compute_bounds;
use std::path::PathBuf;
use std::sync::Arc;

/// A message of a bounds task.
pub enum BoundsMessage {
    /// Fraction done and the current step.
    Progress(f64, String),
    /// The result.
    Done(Result<NetworkBounds, BoundsError>),
}

/// Which bounds a task computes: document, box revision, method.
pub type BoundsKey = (u64, u64, BoundMethod);

/// Bounds being computed on a worker.
pub struct BoundsTask {
    /// The worker.
    pub task: Task<BoundsMessage>,
    /// What it computes.
    pub key: BoundsKey,
    /// Fraction done, if reported.
    pub fraction: Option<f64>,
    /// The current step, if reported.
    pub step: String,
}

impl BoundsTask {
    /// Starts computing `method` bounds of `network` over `input_box`.
    pub fn start(
        ctx: &egui::Context,
        key: BoundsKey,
        network: Arc<Network>,
        input_box: InputBox,
    ) -> Self {
        let method = key.2;
        let task = Task::spawn(
            ctx,
            "bounds",
            move |reporter| {
                let control = reporter.task_control(BoundsMessage::Progress);
                let result = compute_bounds(&network, &input_box, method, &control);
                reporter.send(BoundsMessage::Done(result));
            },
            |e| BoundsMessage::Done(Err(BoundsError::Solver(e))),
        );
        Self {
            task,
            key,
            fraction: None,
            step: String::new(),
        }
    }
}

/// Which rescaling a task computes: document, box revision, bound method, scaling.
pub type ScalingKey = (u64, u64, BoundMethod, ScalingMethod);

/// A rescaling computed on a worker (large networks only: small ones are rescaled inline).
pub struct ScalingTask {
    /// The worker; its one message is the result.
    pub task: Task<Result<ScaledAnalysis, String>>,
    /// What it computes.
    pub key: ScalingKey,
}

impl ScalingTask {
    /// Starts rescaling `bounds` of `network` over `input_box`.
    pub fn start(
        ctx: &egui::Context,
        key: ScalingKey,
        network: Arc<Network>,
        input_box: InputBox,
        bounds: Arc<NetworkBounds>,
    ) -> Self {
        let scaling = key.3;
        let task = Task::spawn(
            ctx,
            "scaling",
            move |reporter| {
                let result = ScaledAnalysis::compute(&network, &input_box, &bounds, scaling)
                    .map_err(|e| format!("{} rescaling failed: {e}", scaling.key()));
                reporter.send(result);
            },
            Err,
        );
        Self { task, key }
    }
}

/// What a file turned out to hold.
pub enum Loaded {
    /// A network.
    Network(Network),
    /// A problem file: its networks, box, constraints.
    Problem(Problem),
    /// A VNNLIB property, made into a problem on the network that was open.
    Property(Problem),
}

/// Reading a network, problem or property file on a worker.
pub struct LoadTask {
    /// The worker; its one message is the result.
    pub task: Task<Result<Loaded, String>>,
    /// The file.
    pub path: PathBuf,
}

impl LoadTask {
    /// Starts reading `path`: a `.vnnlib` property (for `current`, the open network), a
    /// problem file (`.json` with `networks`), or a network.
    pub fn start(ctx: &egui::Context, path: PathBuf, current: Arc<Network>) -> Self {
        let file = path.clone();
        let task = Task::spawn(
            ctx,
            "load",
            move |reporter| reporter.send(read_any(&file, &current)),
            Err,
        );
        Self { task, path }
    }
}

fn read_any(file: &std::path::Path, current: &Network) -> Result<Loaded, String> {
    let is_vnnlib = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("vnnlib"));
    if is_vnnlib {
        let property = read_vnnlib(file).map_err(|e| e.to_string())?;
        return Problem::from_vnnlib(current.clone(), property, file)
            .map(Loaded::Property)
            .map_err(|e| e.to_string());
    }
    if is_problem_file(file) {
        return read_problem(file)
            .map(Loaded::Problem)
            .map_err(|e| e.to_string());
    }
    load_network(file)
        .map(Loaded::Network)
        .map_err(|e| e.to_string())
}

/// What a file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogPurpose {
    /// Choose a network to open.
    OpenNetwork,
    /// Choose where the pending export goes.
    ExportPath,
    /// Choose where the trained network is saved (then save it).
    SaveNetwork,
}

/// A native file dialog, run on a worker because rfd's blocking dialogs block their thread.
pub struct DialogTask {
    /// The worker; its one message is the chosen path (`None` if cancelled or unavailable).
    pub task: Task<Option<PathBuf>>,
    /// What the path is for.
    pub purpose: DialogPurpose,
}

impl DialogTask {
    /// Opens a "pick a network file" dialog.
    pub fn open_network(ctx: &egui::Context, start_dir: Option<PathBuf>) -> Self {
        let task = Task::spawn(
            ctx,
            "dialog",
            move |reporter| {
                let mut dialog = rfd::FileDialog::new()
                    .set_title("Open a network, a problem or a property")
                    .add_filter(
                        "networks, problems (.json) and properties (.vnnlib)",
                        &["json", "onnx", "nnet", "vnnlib"],
                    )
                    .add_filter("all files", &["*"]);
                if let Some(dir) = start_dir {
                    dialog = dialog.set_directory(dir);
                }
                reporter.send(dialog.pick_file());
            },
            |_| None,
        );
        Self {
            task,
            purpose: DialogPurpose::OpenNetwork,
        }
    }

    /// Opens a "save as" dialog proposing `file_name`, filtered to `extensions` (the first is
    /// proposed).
    pub fn save_as(
        ctx: &egui::Context,
        file_name: String,
        extensions: &'static [&'static str],
    ) -> Self {
        let task = Task::spawn(
            ctx,
            "dialog",
            move |reporter| {
                let mut dialog = rfd::FileDialog::new()
                    .set_title("Export to")
                    .set_file_name(file_name);
                for ext in extensions {
                    dialog = dialog.add_filter(*ext, &[*ext]);
                }
                reporter.send(dialog.save_file());
            },
            |_| None,
        );
        Self {
            task,
            purpose: DialogPurpose::ExportPath,
        }
    }
}

impl DialogTask {
    /// Opens a "save the trained network" dialog proposing `file_name`.
    pub fn save_network(ctx: &egui::Context, file_name: String) -> Self {
        let task = Task::spawn(
            ctx,
            "dialog",
            move |reporter| {
                let dialog = rfd::FileDialog::new()
                    .set_title("Save the trained network")
                    .set_file_name(file_name)
                    .add_filter("networks (.json, .onnx, .nnet)", &["json", "onnx", "nnet"]);
                reporter.send(dialog.save_file());
            },
            |_| None,
        );
        Self {
            task,
            purpose: DialogPurpose::SaveNetwork,
        }
    }
}

/// Writing a file on a worker; the message is the success text or the error.
pub struct WriteTask {
    /// The worker.
    pub task: Task<Result<String, String>>,
    /// What is written, for the status bar.
    pub what: String,
}

impl WriteTask {
    /// Runs `write` (which returns a success message) on a worker.
    pub fn start(
        ctx: &egui::Context,
        what: String,
        write: impl FnOnce() -> Result<String, String> + Send + 'static,
    ) -> Self {
        let task = Task::spawn(ctx, "write", move |reporter| reporter.send(write()), Err);
        Self { task, what }
    }
}
