//! `reluscope bench training`: time per epoch and for a full run of the trainer.

use crate::cli::print_json;
use anyhow::Result;
use clap::Args;
use reluscope::training::{BenchmarkFunction, Dataset, TrainingConfig, train};
use serde_json::json;
use std::ops::ControlFlow;

/// Arguments of `bench training`.
#[derive(Debug, Args)]
pub struct TrainingBenchArgs {
    /// Benchmark function.
    #[arg(long, default_value = "peaks")]
    function: String,
    /// Hidden widths.
    #[arg(long, value_delimiter = ',', default_value = "25,25")]
    hidden: Vec<usize>,
    /// Samples.
    #[arg(long, default_value_t = 10_000)]
    samples: usize,
    /// Epochs of the timed run (no early stopping).
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `bench training`.
pub fn run(args: &TrainingBenchArgs) -> Result<()> {
    let function = BenchmarkFunction::parse(&args.function)?;
    let config = TrainingConfig {
        hidden: args.hidden.clone(),
        samples: args.samples,
        epochs: args.epochs,
        patience: 0,
        ..TrainingConfig::default()
    };
    let data = Dataset::from_function(function, config.samples, config.seed)?;
    let trained = train(&data, &config, &mut |_| ControlFlow::Continue(()))?;
    let per_epoch = trained.time_s / trained.epochs.max(1) as f64;
    if args.json {
        return print_json(&json!({
            "function": function.name(),
            "hidden": args.hidden,
            "samples": args.samples,
            "epochs": trained.epochs,
            "time_s": trained.time_s,
            "time_per_epoch_s": per_epoch,
            "test_rmse": trained.test_rmse,
        }));
    }
    outln!(
        "{} {:?}, {} samples: {} epochs in {:.2} s ({:.2} ms per epoch), test RMSE {:.4}",
        function.name(),
        args.hidden,
        args.samples,
        trained.epochs,
        trained.time_s,
        per_epoch * 1e3,
        trained.test_rmse
    );
    Ok(())
}
