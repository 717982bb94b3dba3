//! `reluscope train` and `reluscope samples`: networks from the trainer.

use super::print_json;
use super::table::{Table, num};
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::interval_bounds;
use reluscope::formats::save_network;
use reluscope::network::InputBox;
use reluscope::training::{
    BenchmarkFunction, Dataset, EpochReport, TrainedNetwork, TrainingConfig, train,
};
use serde_json::json;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Arguments of `train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Benchmark function: peaks, himmelblau, ackley or ackley:D (D inputs).
    #[arg(long, conflicts_with = "csv", required_unless_present = "csv")]
    function: Option<String>,
    /// Train on a CSV file instead: columns are the inputs, then one output.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Input box for CSV data "lo,hi;lo,hi;..." (default: the data's range).
    #[arg(long = "box", value_name = "BOX", allow_hyphen_values = true)]
    input_box: Option<String>,
    /// Hidden layer widths, e.g. 25,25.
    #[arg(long, value_delimiter = ',', default_value = "25,25")]
    hidden: Vec<usize>,
    #[command(flatten)]
    options: TrainingOptionArgs,
    /// Output network file (.json, .onnx or .nnet).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Print one JSON object on stdout at the end instead of a summary.
    #[arg(long)]
    json: bool,
}

/// Regularisation and optimisation settings shared by `train` and `study`.
#[derive(Debug, Args)]
pub struct TrainingOptionArgs {
    /// L1 weight penalty λ₁.
    #[arg(long, default_value_t = 0.0)]
    pub l1: f64,
    /// L2 weight penalty λ₂.
    #[arg(long, default_value_t = 0.0)]
    pub l2: f64,
    /// Clipped ReLU with this cap instead of ReLU.
    #[arg(long, value_name = "CAP")]
    pub clip: Option<f64>,
    /// Dropout rate on hidden outputs during training.
    #[arg(long, default_value_t = 0.0)]
    pub dropout: f64,
    /// Samples drawn from the function (Latin hypercube).
    #[arg(long, default_value_t = 10_000)]
    pub samples: usize,
    /// Maximum epochs.
    #[arg(long, default_value_t = 1000)]
    pub epochs: usize,
    /// Early-stopping patience in epochs (0: never stop early).
    #[arg(long, default_value_t = 100)]
    pub patience: usize,
    /// Mini-batch size.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 2e-3)]
    pub learning_rate: f64,
    /// Seed of sampling, split, initialisation, batch order and dropout.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl TrainingOptionArgs {
    /// The trainer configuration for `hidden` widths.
    pub fn config(&self, hidden: Vec<usize>) -> TrainingConfig {
        TrainingConfig::new(hidden, self.clip)
            .with_regularisation(self.l1, self.l2, self.dropout)
            .with_adam(self.batch_size, self.learning_rate)
            .with_stopping(self.epochs, self.patience)
            .with_sampling(self.samples, self.seed)
    }
}

/// Prints a line every `every` epochs on stderr.
fn progress_printer(every: usize) -> impl FnMut(EpochReport) -> ControlFlow<()> {
    move |r: EpochReport| {
        if r.epoch.is_multiple_of(every) || r.epoch == 1 {
            eprintln!(
                "epoch {:>5}  train MSE {:.5}  validation MSE {:.5}  {:.1} s",
                r.epoch,
                r.train_loss,
                r.validation_loss,
                r.elapsed.as_secs_f64()
            );
        }
        ControlFlow::Continue(())
    }
}

/// The dataset the arguments describe.
fn dataset(args: &TrainArgs, config: &TrainingConfig) -> Result<Dataset> {
    let input_box = args
        .input_box
        .as_deref()
        .map(InputBox::parse)
        .transpose()
        .context("--box")?;
    match (&args.function, &args.csv) {
        (Some(name), None) => {
            if input_box.is_some() {
                bail!("--box applies to --csv data; a benchmark function has its own box");
            }
            let function = BenchmarkFunction::parse(name)?;
            Ok(Dataset::from_function(
                function,
                config.samples,
                config.seed,
            )?)
        }
        (None, Some(path)) => Ok(Dataset::from_csv_path(path, input_box)?),
        _ => bail!("give exactly one of --function and --csv"),
    }
}

/// Runs `train`.
pub fn run_train(args: &TrainArgs) -> Result<()> {
    let config = args.options.config(args.hidden.clone());
    config.validate()?;
    let data = dataset(args, &config)?;
    let trained = train(&data, &config, &mut progress_printer(50))?;
    save_network(&trained.network, &args.output)?;
    if args.json {
        return print_json(&json!({
            "output": args.output,
            "train_rmse": trained.train_rmse,
            "validation_rmse": trained.validation_rmse,
            "test_rmse": trained.test_rmse,
            "epochs": trained.epochs,
            "best_epoch": trained.best_epoch,
            "time_s": trained.time_s,
            "architecture": trained.network.architecture(),
        }));
    }
    outln!(
        "wrote {} ({}): train RMSE {}, validation RMSE {}, test RMSE {}, {} epochs (best {}), {:.1} s",
        args.output.display(),
        trained.network.architecture(),
        num(trained.train_rmse),
        num(trained.validation_rmse),
        num(trained.test_rmse),
        trained.epochs,
        trained.best_epoch,
        trained.time_s
    );
    Ok(())
}

/// One sample network: file stem, function, widths, and what differs from plain training.
pub struct SampleSpec {
    /// File stem, e.g. `peaks_25x2_l1`.
    pub name: &'static str,
    /// The function it approximates.
    pub function: BenchmarkFunction,
    /// Hidden widths.
    pub hidden: &'static [usize],
    /// L1 penalty.
    pub l1: f64,
    /// Clipped-ReLU cap.
    pub clip: Option<f64>,
    /// Dropout rate.
    pub dropout: f64,
}

/// L1 penalty of the `_l1` samples.
pub const SAMPLE_L1: f64 = 1e-4;

/// The sample networks shipped in `sample_networks/`, all with seed 0.
pub const SAMPLES: &[SampleSpec] = &{
    use BenchmarkFunction::{Ackley, Himmelblau, Peaks};
    const fn spec(
        name: &'static str,
        function: BenchmarkFunction,
        hidden: &'static [usize],
        l1: f64,
        clip: Option<f64>,
        dropout: f64,
    ) -> SampleSpec {
        SampleSpec {
            name,
            function,
            hidden,
            l1,
            clip,
            dropout,
        }
    }
    const TWO: &[usize] = &[25, 25];
    const THREE: &[usize] = &[25, 25, 25];
    const FIVE: &[usize] = &[25, 25, 25, 25, 25];
    const ACKLEY: BenchmarkFunction = Ackley { dim: 2 };
    [
        spec("peaks_25x2", Peaks, TWO, 0.0, None, 0.0),
        spec("peaks_25x2_l1", Peaks, TWO, SAMPLE_L1, None, 0.0),
        spec("peaks_25x2_clip", Peaks, TWO, 0.0, Some(1.0), 0.0),
        spec("peaks_25x2_dropout", Peaks, TWO, 0.0, None, 0.1),
        spec("peaks_25x3", Peaks, THREE, 0.0, None, 0.0),
        spec("peaks_25x3_l1", Peaks, THREE, SAMPLE_L1, None, 0.0),
        spec("peaks_25x5", Peaks, FIVE, 0.0, None, 0.0),
        spec("peaks_25x5_l1", Peaks, FIVE, SAMPLE_L1, None, 0.0),
        spec("himmelblau_25x2", Himmelblau, TWO, 0.0, None, 0.0),
        spec("himmelblau_25x2_l1", Himmelblau, TWO, SAMPLE_L1, None, 0.0),
        spec("himmelblau_25x3", Himmelblau, THREE, 0.0, None, 0.0),
        spec(
            "himmelblau_25x3_l1",
            Himmelblau,
            THREE,
            SAMPLE_L1,
            None,
            0.0,
        ),
        spec("ackley_25x2", ACKLEY, TWO, 0.0, None, 0.0),
        spec("ackley_25x2_l1", ACKLEY, TWO, SAMPLE_L1, None, 0.0),
        spec("ackley_25x3", ACKLEY, THREE, 0.0, None, 0.0),
        spec("ackley_25x3_l1", ACKLEY, THREE, SAMPLE_L1, None, 0.0),
    ]
};

/// Trains one sample network with the shipped settings.
pub fn train_sample(spec: &SampleSpec) -> Result<TrainedNetwork> {
    let plain = TrainingConfig::new(spec.hidden.to_vec(), spec.clip);
    let config = plain.with_regularisation(spec.l1, 0.0, spec.dropout);
    let data = Dataset::from_function(spec.function, config.samples, config.seed)?;
    let mut trained = train(&data, &config, &mut |_| ControlFlow::Continue(()))?;
    trained.network.name = spec.name.to_string();
    // Wall-clock time differs between runs; without it the files are reproducible byte for byte.
    if let Some(meta) = trained.network.metadata.as_object_mut() {
        meta.remove("time_s");
    }
    Ok(trained)
}

/// Arguments of `samples`.
#[derive(Debug, Args)]
pub struct SamplesArgs {
    /// Directory to write the networks and their index (README.md) into.
    #[arg(long, default_value = "sample_networks")]
    out: PathBuf,
    /// Only the samples whose name contains this text.
    #[arg(long)]
    only: Option<String>,
}

/// Runs `samples`: trains every sample network and writes the index.
pub fn run_samples(args: &SamplesArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let mut rows = Vec::new();
    for spec in SAMPLES {
        if args.only.as_deref().is_some_and(|o| !spec.name.contains(o)) {
            continue;
        }
        eprintln!("training {} …", spec.name);
        let trained = train_sample(spec)?;
        let path = args.out.join(format!("{}.json", spec.name));
        save_network(&trained.network, &path)?;
        let b = trained
            .network
            .input_box()
            .cloned()
            .context("trained networks carry a box")?;
        let report =
            AnalysisReport::new(&trained.network, &b, &interval_bounds(&trained.network, &b));
        rows.push((spec, trained, report));
    }
    if args.only.is_none() {
        write_index(&args.out, &rows)?;
    }
    for (spec, trained, report) in &rows {
        outln!(
            "{:<20} test RMSE {:<8} stable {:.1}% (interval bounds)",
            spec.name,
            num(trained.test_rmse),
            report.stable_percent
        );
    }
    Ok(())
}

fn write_index(dir: &Path, rows: &[(&SampleSpec, TrainedNetwork, AnalysisReport)]) -> Result<()> {
    let mut table = Table::new(&[
        "file",
        "function",
        "hidden",
        "training",
        "test RMSE",
        "epochs",
        "stable % (IA)",
        "binaries (IA)",
    ]);
    for (spec, trained, report) in rows {
        let mut training = Vec::new();
        if spec.l1 > 0.0 {
            training.push(format!("L1 λ={}", spec.l1));
        }
        if let Some(c) = spec.clip {
            training.push(format!("clipped ReLU c={c}"));
        }
        if spec.dropout > 0.0 {
            training.push(format!("dropout p={}", spec.dropout));
        }
        table.row(vec![
            format!("{}.json", spec.name),
            spec.function.name(),
            report.architecture.clone(),
            if training.is_empty() {
                "plain".into()
            } else {
                training.join(", ")
            },
            num(trained.test_rmse),
            trained.epochs.to_string(),
            format!("{:.1}", report.stable_percent),
            report.binaries.to_string(),
        ]);
    }
    let text = format!(
        "# Sample networks\n\n\
         Trained by reluscope's own trainer with seed 0 and the default settings (Adam, \
         η = 2·10⁻³, batches of 64, up to 1000 epochs with patience 100, 10,000 Latin-hypercube \
         samples split 70/15/15). Regenerate them all with\n\n    \
         cargo run --release --bin reluscope -- samples --out sample_networks\n\n\
         The files are reproducible byte for byte on the same machine kind. Test RMSE is on the \
         held-out 15 %; stability uses interval bounds over the function's box.\n\n\
         ```text\n{}```\n",
        table.render()
    );
    std::fs::write(dir.join("README.md"), text).with_context(|| format!("{}", dir.display()))?;
    Ok(())
}
