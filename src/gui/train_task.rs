//! Training a network on a worker: the Training view's form (persisted), the run with its
//! live loss curve and Cancel, and the result that can be opened for analysis or saved.

use super::worker::{Reporter, Task};
use eframe::egui;
use reluscope::network::InputBox;
use reluscope::training::{
    BenchmarkFunction, Dataset, EpochReport, TrainedNetwork, TrainingConfig, train,
};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Where the training data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataChoice {
    /// Latin hypercube samples of a benchmark function.
    #[default]
    Function,
    /// A CSV file: the inputs, then one output per row.
    Csv,
}

/// The Training form as typed; turned into a [`TrainingConfig`] and a [`DataRequest`] by
/// [`TrainForm::validate`]. Unknown or missing fields fall back to the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainForm {
    /// Function or CSV.
    pub data: DataChoice,
    /// `peaks`, `himmelblau` or `ackley`.
    pub function: String,
    /// Inputs of Ackley's function.
    pub ackley_dim: usize,
    /// The CSV file.
    pub csv_path: String,
    /// The box for CSV data, `lo,hi;lo,hi` (empty: the data's range).
    pub csv_box: String,
    /// Hidden widths, e.g. `25,25`.
    pub hidden: String,
    /// L1 penalty λ₁.
    pub l1: f64,
    /// L2 penalty λ₂.
    pub l2: f64,
    /// Whether the hidden layers use a clipped ReLU.
    pub clip_on: bool,
    /// The clipped ReLU's cap.
    pub clip: f64,
    /// Dropout rate.
    pub dropout: f64,
    /// Maximum epochs.
    pub epochs: usize,
    /// Early-stopping patience (0: never stop early).
    pub patience: usize,
    /// Samples drawn from the function.
    pub samples: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Seed of everything random.
    pub seed: u64,
}

impl Default for TrainForm {
    /// The library's defaults (those of `reluscope train` and the sample networks), on Peaks.
    fn default() -> Self {
        let c = TrainingConfig::default();
        Self {
            data: DataChoice::Function,
            function: "peaks".into(),
            ackley_dim: 2,
            csv_path: String::new(),
            csv_box: String::new(),
            hidden: c
                .hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(","),
            l1: c.l1,
            l2: c.l2,
            clip_on: c.clip.is_some(),
            clip: c.clip.unwrap_or(1.0),
            dropout: c.dropout,
            epochs: c.epochs,
            patience: c.patience,
            samples: c.samples,
            batch_size: c.batch_size,
            learning_rate: c.learning_rate,
            seed: c.seed,
        }
    }
}

/// The function names the form offers (Ackley's dimension is a field of its own).
pub const FUNCTION_NAMES: [&str; 3] = ["peaks", "himmelblau", "ackley"];

/// The training data to build on the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum DataRequest {
    /// Samples of a benchmark function.
    Function(BenchmarkFunction),
    /// A CSV file and an optional box.
    Csv {
        /// The file.
        path: PathBuf,
        /// The box, or `None` for the data's range.
        input_box: Option<InputBox>,
    },
}

impl DataRequest {
    /// E.g. `peaks` or `data.csv`.
    pub fn label(&self) -> String {
        match self {
            DataRequest::Function(f) => f.name(),
            DataRequest::Csv { path, .. } => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            ),
        }
    }
}

/// `25,25`, `25 25` or `25x25` as widths; an empty text is no hidden layer (the config's
/// validation says so).
pub fn parse_hidden(text: &str) -> Result<Vec<usize>, String> {
    text.split(|c: char| c == ',' || c == 'x' || c == '×' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<usize>().map_err(|_| {
                format!("hidden widths: \"{t}\" is not a whole number (write e.g. 25,25)")
            })
        })
        .collect()
}

impl TrainForm {
    /// The benchmark function selected (Peaks if the stored name is unknown).
    pub fn benchmark(&self) -> BenchmarkFunction {
        match self.function.as_str() {
            "himmelblau" => BenchmarkFunction::Himmelblau,
            "ackley" => BenchmarkFunction::Ackley {
                dim: self.ackley_dim,
            },
            _ => BenchmarkFunction::Peaks,
        }
    }

    /// The trainer configuration, checked by the library, or a one-line reason.
    pub fn config(&self) -> Result<TrainingConfig, String> {
        let hidden = parse_hidden(&self.hidden)?;
        let config = TrainingConfig::new(hidden, self.clip_on.then_some(self.clip))
            .with_regularisation(self.l1, self.l2, self.dropout)
            .with_adam(self.batch_size, self.learning_rate)
            .with_stopping(self.epochs, self.patience)
            .with_sampling(self.samples, self.seed);
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// What data to train on, or a one-line reason.
    pub fn data_request(&self) -> Result<DataRequest, String> {
        match self.data {
            DataChoice::Function => {
                if self.function == "ackley" && self.ackley_dim == 0 {
                    return Err("Ackley's function needs at least one input".into());
                }
                Ok(DataRequest::Function(self.benchmark()))
            }
            DataChoice::Csv => {
                let path = self.csv_path.trim();
                if path.is_empty() {
                    return Err("type the path of a CSV file (inputs, then one output)".into());
                }
                let input_box = if self.csv_box.trim().is_empty() {
                    None
                } else {
                    Some(InputBox::parse(&self.csv_box).map_err(|e| format!("box: {e}"))?)
                };
                Ok(DataRequest::Csv {
                    path: PathBuf::from(path),
                    input_box,
                })
            }
        }
    }

    /// Both, or the first problem found.
    pub fn validate(&self) -> Result<(TrainingConfig, DataRequest), String> {
        Ok((self.config()?, self.data_request()?))
    }
}

/// The loss curve so far, as `(epoch, log10 MSE)` points for a log axis.
#[derive(Debug, Clone, Default)]
pub struct LossCurve {
    /// Training MSE (with dropout active, data term only).
    pub train: Vec<[f64; 2]>,
    /// Validation MSE.
    pub validation: Vec<[f64; 2]>,
    /// The last report.
    pub last: Option<EpochReport>,
}

impl LossCurve {
    /// Adds one epoch (non-positive losses cannot be drawn on a log axis and are skipped).
    pub fn push(&mut self, r: EpochReport) {
        let x = r.epoch as f64;
        if r.train_loss > 0.0 && r.train_loss.is_finite() {
            self.train.push([x, r.train_loss.log10()]);
        }
        if r.validation_loss > 0.0 && r.validation_loss.is_finite() {
            self.validation.push([x, r.validation_loss.log10()]);
        }
        self.last = Some(r);
    }

    /// Epochs received.
    pub fn epochs(&self) -> usize {
        self.last.map_or(0, |r| r.epoch)
    }
}

/// A message from the training worker.
pub enum TrainMessage {
    /// One epoch done.
    Epoch(EpochReport),
    /// The end: the network (also when cancelled) or why there is none.
    Done(Box<Result<TrainedNetwork, String>>),
}

/// A training run in progress.
pub struct RunningTraining {
    /// The worker.
    pub task: Task<TrainMessage>,
    /// Its configuration.
    pub config: TrainingConfig,
    /// Its data.
    pub data: DataRequest,
    /// The loss curve so far.
    pub curve: LossCurve,
}

/// A training run that ended.
pub struct FinishedTraining {
    /// Its configuration.
    pub config: TrainingConfig,
    /// Its data.
    pub data: DataRequest,
    /// The loss curve.
    pub curve: LossCurve,
    /// The trained network and its errors, or why there is none.
    pub outcome: Result<TrainedNetwork, String>,
}

/// Everything the Training view shows apart from the form.
#[derive(Default)]
pub struct Training {
    /// The run in progress.
    pub running: Option<RunningTraining>,
    /// The last run that ended.
    pub last: Option<FinishedTraining>,
    /// Why the last press of Train started nothing (shown inline).
    pub error: Option<String>,
    /// Where "Save network" writes the trained network (editable).
    pub save_path: String,
}

impl RunningTraining {
    /// Starts training on a worker.
    pub fn start(ctx: &egui::Context, config: TrainingConfig, data: DataRequest) -> Self {
        let (work_config, work_data) = (config.clone(), data.clone());
        let task = Task::spawn(
            ctx,
            "train",
            move |reporter| train_on_worker(&work_config, &work_data, &reporter),
            |e| TrainMessage::Done(Box::new(Err(e))),
        );
        Self {
            task,
            config,
            data,
            curve: LossCurve::default(),
        }
    }

    /// Applies the worker's messages; returns the outcome once it ends.
    pub fn poll(&mut self) -> Option<Result<TrainedNetwork, String>> {
        let mut done = None;
        for message in self.task.drain() {
            match message {
                TrainMessage::Epoch(r) => self.curve.push(r),
                TrainMessage::Done(outcome) => done = Some(*outcome),
            }
        }
        if done.is_none() && self.task.is_finished() {
            done = Some(Err("the training worker stopped unexpectedly".into()));
        }
        done
    }

    /// Fraction of the maximum epochs done.
    pub fn fraction(&self) -> f32 {
        (self.curve.epochs() as f64 / self.config.epochs.max(1) as f64).clamp(0.0, 1.0) as f32
    }

    /// Turns the run into a finished one.
    pub fn finish(self, outcome: Result<TrainedNetwork, String>) -> FinishedTraining {
        FinishedTraining {
            config: self.config,
            data: self.data,
            curve: self.curve,
            outcome,
        }
    }
}

fn train_on_worker(config: &TrainingConfig, data: &DataRequest, reporter: &Reporter<TrainMessage>) {
    let dataset = match data {
        // The same data as `train_on_function`, so that runs match the library's and the CLI's.
        DataRequest::Function(f) => Dataset::from_function(*f, config.samples, config.seed),
        DataRequest::Csv { path, input_box } => Dataset::from_csv_path(path, input_box.clone()),
    };
    let outcome = match dataset {
        Err(e) => Err(e.to_string()),
        Ok(dataset) => {
            let mut observer = |r: EpochReport| {
                reporter.send(TrainMessage::Epoch(r));
                if reporter.is_cancelled() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            };
            train(&dataset, config, &mut observer).map_err(|e| e.to_string())
        }
    };
    reporter.send(TrainMessage::Done(Box::new(outcome)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_is_the_library_default_on_peaks() {
        let form = TrainForm::default();
        let (config, data) = form.validate().unwrap();
        assert_eq!(config, TrainingConfig::default());
        assert_eq!(data, DataRequest::Function(BenchmarkFunction::Peaks));
    }

    #[test]
    fn widths_parse_in_several_spellings() {
        assert_eq!(parse_hidden("25,25").unwrap(), vec![25, 25]);
        assert_eq!(parse_hidden(" 8 x 4 ").unwrap(), vec![8, 4]);
        assert_eq!(parse_hidden("").unwrap(), Vec::<usize>::new());
        assert!(parse_hidden("25,a").unwrap_err().contains("\"a\""));
    }

    #[test]
    fn bad_forms_give_one_line_reasons() {
        let form = TrainForm {
            dropout: 1.5,
            ..TrainForm::default()
        };
        let e = form.validate().unwrap_err();
        assert!(
            e.contains("dropout rate must lie in [0, 1), found 1.5"),
            "{e}"
        );
        let form = TrainForm {
            hidden: String::new(),
            ..TrainForm::default()
        };
        assert!(form.validate().unwrap_err().contains("hidden layer"));
        let form = TrainForm {
            data: DataChoice::Csv,
            ..TrainForm::default()
        };
        assert!(form.validate().unwrap_err().contains("CSV"));
        let form = TrainForm {
            data: DataChoice::Csv,
            csv_path: "x.csv".into(),
            csv_box: "1,0".into(),
            ..TrainForm::default()
        };
        assert!(form.validate().unwrap_err().starts_with("box: "));
        let form = TrainForm {
            function: "ackley".into(),
            ackley_dim: 3,
            ..TrainForm::default()
        };
        assert_eq!(
            form.data_request().unwrap(),
            DataRequest::Function(BenchmarkFunction::Ackley { dim: 3 })
        );
    }
}
