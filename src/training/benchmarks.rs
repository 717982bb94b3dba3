//! Timing and accuracy figures of the trainer, printed rather than asserted.
//!
//! Run with `cargo test --release --lib training::benchmarks -- --ignored --nocapture`
//! (or without `--release` for dev-profile figures).

use super::{BenchmarkFunction, EpochReport, TrainingConfig, train_on_function};
use std::ops::ControlFlow;
use std::time::Instant;

fn quiet(_: EpochReport) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
#[ignore = "prints timings; takes about a minute"]
fn time_per_epoch_peaks_2x25_on_10000_samples() {
    // No early stopping, so every run does exactly 200 epochs.
    let config = TrainingConfig {
        epochs: 200,
        patience: 0,
        ..TrainingConfig::default()
    };
    let started = Instant::now();
    let result = train_on_function(BenchmarkFunction::Peaks, &config, &mut quiet).unwrap();
    let total = started.elapsed().as_secs_f64();
    println!(
        "peaks 2x25, 10000 samples, batch {}, 200 epochs: {total:.2} s in all, {:.1} ms/epoch, test RMSE {:.4}",
        config.batch_size,
        1e3 * result.time_s / result.epochs as f64,
        result.test_rmse
    );
    // Compare across processes to check run-to-run determinism.
    let fingerprint = result
        .network
        .layers()
        .iter()
        .flat_map(|l| l.weights.iter().chain(l.bias.iter()))
        .fold(0_u64, |h, w| h.rotate_left(5) ^ w.to_bits());
    println!("weights fingerprint {fingerprint:016x}");
}

#[test]
#[ignore = "prints accuracies; takes a few minutes"]
fn default_accuracy_on_the_benchmarks() {
    let functions = [
        BenchmarkFunction::Peaks,
        BenchmarkFunction::Himmelblau,
        BenchmarkFunction::Ackley { dim: 2 },
    ];
    for function in functions {
        for seed in 0..3 {
            let config = TrainingConfig {
                seed,
                ..TrainingConfig::default()
            };
            let r = train_on_function(function, &config, &mut quiet).unwrap();
            let spread = super::Dataset::from_function(function, config.samples, seed)
                .unwrap()
                .targets()
                .std(0.0);
            println!(
                "{function:<10} seed {seed}: test RMSE {:.4} (σ of f {spread:.2}), epochs {} (best {}), {:.1} s",
                r.test_rmse, r.epochs, r.best_epoch, r.time_s
            );
        }
    }
}

#[test]
#[ignore = "prints weight statistics; takes a few minutes"]
fn small_weights_with_l1() {
    for l1 in [0.0, 1e-4, 1e-3, 1e-2] {
        let config = TrainingConfig {
            l1,
            ..TrainingConfig::default()
        };
        let r = train_on_function(BenchmarkFunction::Peaks, &config, &mut quiet).unwrap();
        let weights: Vec<f64> = r
            .network
            .layers()
            .iter()
            .flat_map(|l| l.weights.iter().copied())
            .collect();
        let small = weights.iter().filter(|w| w.abs() < 1e-3).count();
        println!(
            "peaks 2x25, L1 λ = {l1:e}: {small}/{} weights with |w| < 1e-3 ({:.1} %), test RMSE {:.4}, epochs {}",
            weights.len(),
            100.0 * small as f64 / weights.len() as f64,
            r.test_rmse,
            r.epochs
        );
    }
}
