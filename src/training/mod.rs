//! Training dense ReLU networks on benchmark functions or CSV data.
//!
//! Plate et al. (2025, arXiv 2502.03016) show that how a network is trained — L1/L2 weight
//! penalties, clipped ReLU, dropout — changes how hard the MILP that embeds it is to solve.
//! This module trains such networks reproducibly so that effect can be studied here:
//! - [`BenchmarkFunction`]: Peaks, Himmelblau and Ackley with their boxes and minima;
//! - [`latin_hypercube`]: seeded space-filling samples of a box;
//! - [`Dataset`]: samples of a function or a CSV file, split into train/validation/test;
//! - [`train`]: Adam on the penalised MSE with early stopping, returning a [`Network`] on raw
//!   units (the training-time scaling is folded into its first and last layers).
//!
//! [`Network`]: crate::network::Network

mod dataset;
mod functions;
mod mlp;
mod optimizer;
mod sampling;
mod scaling;
mod trainer;

pub use dataset::{DataSource, DataSplits, Dataset, DatasetError};
pub use functions::{BenchmarkFunction, UnknownFunction};
pub use sampling::latin_hypercube;
pub use trainer::{
    EpochReport, MIN_SAMPLES, TrainedNetwork, TrainingConfig, TrainingError, train,
    train_on_function,
};

#[cfg(test)]
mod benchmarks;
