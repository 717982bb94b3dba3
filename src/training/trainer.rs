//! The training loop: Adam on mini-batches of the penalised MSE, early stopping on the
//! validation split, and the final folding into a [`Network`] on raw units.

use super::dataset::{Dataset, DatasetError};
use super::functions::BenchmarkFunction;
use super::mlp::{Dense, Mlp, Penalties};
use super::optimizer::Adam;
use super::sampling::{Stream, stream};
use super::scaling::Scaling;
use crate::network::{Activation, Network, NetworkError};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis, s};
use rand::seq::SliceRandom;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Everything that defines a training run; equal configs and data give bit-identical networks.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingConfig {
    /// Hidden layer widths, e.g. `[25, 25]`.
    pub hidden: Vec<usize>,
    /// `Some(c)`: hidden layers use the clipped ReLU `min(max(a, 0), c)`; `None`: plain ReLU.
    /// The returned network has the same `c`, as folding the scaling leaves every hidden
    /// pre-activation unchanged.
    pub clip: Option<f64>,
    /// `λ₁` of the penalty `λ₁ Σ|w|` on all weights (in training units, before folding).
    pub l1: f64,
    /// `λ₂` of the penalty `λ₂ Σ w²` on all weights.
    pub l2: f64,
    /// Dropout rate `p ∈ [0, 1)` on hidden outputs during training.
    pub dropout: f64,
    /// Maximum number of passes over the training data.
    pub epochs: usize,
    /// Points per Adam step (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// Adam's step size `η`.
    pub learning_rate: f64,
    /// Stop after this many epochs without a lower validation loss; 0 never stops early.
    /// Either way the weights of the best validation epoch are returned.
    pub patience: usize,
    /// Share of the data held out to pick the epoch, in `(0, 1)`.
    pub validation_fraction: f64,
    /// Share of the data held out to report the test error, in `(0, 1)`.
    pub test_fraction: f64,
    /// Points sampled when training on a [`BenchmarkFunction`]; at least [`MIN_SAMPLES`]
    /// (checked always, unused for CSV data).
    pub samples: usize,
    /// Seeds the sampling, the split, the initial weights, the batch order and dropout.
    pub seed: u64,
}

impl Default for TrainingConfig {
    /// 2×25 ReLU, no regularisation, Adam η = 2·10⁻³ on batches of 64, up to 1000 epochs
    /// with patience 100, 10,000 samples split 70/15/15.
    ///
    /// On Peaks these reach a test RMSE of 0.05–0.07 (σ of f ≈ 2.6) for every seed tried;
    /// the long patience matters more than the step size, as the validation loss of a
    /// constant-step Adam run keeps improving in small, noisy steps.
    fn default() -> Self {
        Self {
            hidden: vec![25, 25],
            clip: None,
            l1: 0.0,
            l2: 0.0,
            dropout: 0.0,
            epochs: 1000,
            batch_size: 64,
            learning_rate: 2e-3,
            patience: 100,
            validation_fraction: 0.15,
            test_fraction: 0.15,
            samples: 10_000,
            seed: 0,
        }
    }
}

/// Fewest samples [`TrainingConfig::samples`] may ask for.
pub const MIN_SAMPLES: usize = 10;

/// A configuration or run that cannot train.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TrainingError {
    /// `hidden` is empty.
    #[error("the network needs at least one hidden layer")]
    NoHiddenLayers,
    /// A hidden layer of width 0.
    #[error("hidden layer {layer} has width 0; every hidden layer needs at least one neuron")]
    ZeroWidth {
        /// 1-based hidden layer index.
        layer: usize,
    },
    /// Dropout rate outside `[0, 1)`.
    #[error("dropout rate must lie in [0, 1), found {0}")]
    Dropout(f64),
    /// A negative or non-finite penalty weight.
    #[error("the {name} penalty λ must be finite and ≥ 0, found {value}")]
    Penalty {
        /// `L1` or `L2`.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A clipped-ReLU cap that is not finite and positive.
    #[error("the clipped ReLU cap must be finite and > 0, found {0}")]
    Cap(f64),
    /// `epochs = 0`.
    #[error("epochs must be at least 1")]
    ZeroEpochs,
    /// `batch_size = 0`.
    #[error("the batch size must be at least 1")]
    ZeroBatchSize,
    /// A learning rate that is not finite and positive.
    #[error("the learning rate must be finite and > 0, found {0}")]
    LearningRate(f64),
    /// Fewer samples than [`MIN_SAMPLES`].
    #[error("{found} samples are too few; at least {minimum} are needed")]
    TooFewSamples {
        /// `samples` of the config.
        found: usize,
        /// [`MIN_SAMPLES`].
        minimum: usize,
    },
    /// The data set could not be built or split.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The loss became NaN or infinite.
    #[error("training diverged in epoch {epoch} (the loss is not finite); lower the learning rate")]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
    },
    /// The trained weights do not form a valid network.
    #[error("the trained network is invalid: {0}")]
    Network(#[from] NetworkError),
}

/// Chainable setters, each of a group of fields a user chooses together: `name(field: type,
/// …);` becomes `pub fn name(self, field: type, …) -> Self` setting those fields.
macro_rules! group_setters {
    ($($(#[$doc:meta])* $name:ident($($field:ident: $ty:ty),+);)+) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $($field: $ty),+) -> Self {
                $(self.$field = $field;)+
                self
            }
        )+
    };
}

impl TrainingConfig {
    /// The default settings with these hidden widths and, for `Some(cap)`, clipped-ReLU
    /// hidden layers. With the setters below, the one way the command line and the app
    /// turn a user's choices into a configuration (the split fractions keep their defaults),
    /// so a setting added here reaches both.
    pub fn new(hidden: Vec<usize>, clip: Option<f64>) -> Self {
        Self {
            hidden,
            clip,
            ..Self::default()
        }
    }

    group_setters! {
        /// Sets the weight penalties `λ₁`, `λ₂` and the dropout rate: the regularisers whose
        /// effect on the MILP the study compares.
        with_regularisation(l1: f64, l2: f64, dropout: f64);
        /// Sets Adam's mini-batch size and step size `η`.
        with_adam(batch_size: usize, learning_rate: f64);
        /// Sets when training stops: after at most `epochs` passes, or `patience` epochs
        /// without a lower validation loss (0: never early).
        with_stopping(epochs: usize, patience: usize);
        /// Sets the number of points sampled from a benchmark function and the seed of
        /// everything random.
        with_sampling(samples: usize, seed: u64);
    }

    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), TrainingError> {
        if self.hidden.is_empty() {
            return Err(TrainingError::NoHiddenLayers);
        }
        if let Some(k) = self.hidden.iter().position(|&w| w == 0) {
            return Err(TrainingError::ZeroWidth { layer: k + 1 });
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(TrainingError::Dropout(self.dropout));
        }
        for (name, value) in [("L1", self.l1), ("L2", self.l2)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(TrainingError::Penalty { name, value });
            }
        }
        if let Some(cap) = self.clip
            && !(cap.is_finite() && cap > 0.0)
        {
            return Err(TrainingError::Cap(cap));
        }
        if self.epochs == 0 {
            return Err(TrainingError::ZeroEpochs);
        }
        if self.batch_size == 0 {
            return Err(TrainingError::ZeroBatchSize);
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(TrainingError::LearningRate(self.learning_rate));
        }
        if self.samples < MIN_SAMPLES {
            return Err(TrainingError::TooFewSamples {
                found: self.samples,
                minimum: MIN_SAMPLES,
            });
        }
        let in_unit = |f: f64| f > 0.0 && f < 1.0;
        if !in_unit(self.validation_fraction)
            || !in_unit(self.test_fraction)
            || self.validation_fraction + self.test_fraction >= 1.0
        {
            return Err(DatasetError::Fractions {
                validation: self.validation_fraction,
                test: self.test_fraction,
            }
            .into());
        }
        Ok(())
    }

    /// The activation of the hidden layers.
    pub fn hidden_activation(&self) -> Activation {
        match self.clip {
            Some(cap) => Activation::ClippedRelu { cap },
            None => Activation::Relu,
        }
    }
}

/// Progress after one epoch, for live loss curves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean squared error over the epoch's batches, in squared output units (data term
    /// only, with dropout active, so it can exceed the validation loss).
    pub train_loss: f64,
    /// Mean squared error on the validation split after the epoch, in squared output units.
    pub validation_loss: f64,
    /// Time since training started.
    pub elapsed: Duration,
}

/// The result of a run: the network on raw units and how well it fits.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedNetwork {
    /// Maps raw inputs to raw outputs; carries the data's box and the run's metadata.
    pub network: Network,
    /// Root mean squared error on the training split (no dropout).
    pub train_rmse: f64,
    /// RMSE on the validation split.
    pub validation_rmse: f64,
    /// RMSE on the test split.
    pub test_rmse: f64,
    /// Epochs run.
    pub epochs: usize,
    /// The epoch whose weights were kept (lowest validation loss).
    pub best_epoch: usize,
    /// Wall-clock training time in seconds.
    pub time_s: f64,
    /// Whether the observer stopped the run.
    pub cancelled: bool,
}

/// The name of a trained network, as the samples are named: `peaks_25x2` (width × depth)
/// when every hidden layer has the same width, `peaks_25-50` otherwise; `ackley:5` becomes
/// `ackley5`.
pub fn network_name(source: &str, hidden: &[usize]) -> String {
    let source = source.replace(':', "");
    match hidden {
        [first, rest @ ..] if rest.iter().all(|w| w == first) => {
            format!("{source}_{first}x{}", hidden.len())
        }
        _ => {
            let widths: Vec<String> = hidden.iter().map(usize::to_string).collect();
            format!("{source}_{}", widths.join("-"))
        }
    }
}

/// Samples `config.samples` Latin hypercube points of `function` (seeded by `config.seed`)
/// and trains on them.
pub fn train_on_function(
    function: BenchmarkFunction,
    config: &TrainingConfig,
    observer: &mut dyn FnMut(EpochReport) -> ControlFlow<()>,
) -> Result<TrainedNetwork, TrainingError> {
    config.validate()?;
    let data = Dataset::from_function(function, config.samples, config.seed)?;
    train(&data, config, observer)
}

/// Trains a dense network on `data` as `config` says.
///
/// After each epoch `observer` gets an [`EpochReport`]; returning `Break` stops the run and
/// returns the best network so far with `cancelled` set.
pub fn train(
    data: &Dataset,
    config: &TrainingConfig,
    observer: &mut dyn FnMut(EpochReport) -> ControlFlow<()>,
) -> Result<TrainedNetwork, TrainingError> {
    config.validate()?;
    let started = Instant::now();
    let splits = data.split(
        config.validation_fraction,
        config.test_fraction,
        config.seed,
    )?;
    let scaling = Scaling::new(data.input_box(), splits.train.targets().view());
    let train_x = scaling.inputs(splits.train.inputs().view());
    let train_y = scaling.targets(splits.train.targets().view());
    let validation_x = scaling.inputs(splits.validation.inputs().view());
    let validation_y = scaling.targets(splits.validation.targets().view());

    let widths: Vec<usize> = std::iter::once(data.dim())
        .chain(config.hidden.iter().copied())
        .chain(std::iter::once(1))
        .collect();
    let mut mlp = Mlp::he_initialised(
        &widths,
        config.hidden_activation(),
        &mut stream(config.seed, Stream::Initialisation),
    );
    let mut adam = Adam::new(config.learning_rate, &mlp.layers);
    let penalties = Penalties {
        l1: config.l1,
        l2: config.l2,
    };
    let mut shuffle_rng = stream(config.seed, Stream::Shuffle);
    let mut dropout_rng = stream(config.seed, Stream::Dropout);
    let mut order: Vec<usize> = (0..train_x.nrows()).collect();
    let batch_size = config.batch_size.min(order.len());

    let mut best = BestEpoch {
        validation_loss: f64::INFINITY,
        epoch: 0,
        layers: mlp.layers.clone(),
    };
    let mut epochs_run = 0;
    let mut cancelled = false;
    for epoch in 1..=config.epochs {
        epochs_run = epoch;
        order.shuffle(&mut shuffle_rng);
        let mut squared_error = 0.0;
        for batch in order.chunks(batch_size) {
            let x = train_x.select(Axis(0), batch);
            let y = train_y.select(Axis(0), batch);
            let masks = (config.dropout > 0.0)
                .then(|| mlp.dropout_masks(batch.len(), config.dropout, &mut dropout_rng));
            let (error, mut gradients) =
                mlp.data_gradient(x.view(), y.view(), masks.as_deref(), batch.len());
            mlp.add_penalty_gradient(&mut gradients, penalties);
            adam.step(&mut mlp.layers, &gradients);
            squared_error += error;
        }
        let train_loss = squared_error / order.len() as f64 * scaling.output_variance();
        let validation_loss = mean_squared_error(&mlp, validation_x.view(), validation_y.view())
            * scaling.output_variance();
        if !(train_loss.is_finite() && validation_loss.is_finite()) {
            return Err(TrainingError::Diverged { epoch });
        }
        if validation_loss < best.validation_loss {
            best = BestEpoch {
                validation_loss,
                epoch,
                layers: mlp.layers.clone(),
            };
        }
        let report = EpochReport {
            epoch,
            train_loss,
            validation_loss,
            elapsed: started.elapsed(),
        };
        if observer(report).is_break() {
            cancelled = true;
            break;
        }
        if config.patience > 0 && epoch - best.epoch >= config.patience {
            break;
        }
    }
    let best_epoch = best.epoch;
    mlp.layers = best.layers;

    let mut network = scaling
        .fold(&mlp, data.input_box().clone())?
        .named(network_name(&data.source().label(), &config.hidden));
    let rmse =
        |d: &Dataset| root_mean_squared_error(&network, d.inputs().view(), d.targets().view());
    let (train_rmse, validation_rmse, test_rmse) = (
        rmse(&splits.train),
        rmse(&splits.validation),
        rmse(&splits.test),
    );
    let time_s = started.elapsed().as_secs_f64();
    network.metadata = metadata(
        data,
        config,
        &[train_rmse, validation_rmse, test_rmse],
        epochs_run,
        best_epoch,
        time_s,
        cancelled,
    );
    Ok(TrainedNetwork {
        network,
        train_rmse,
        validation_rmse,
        test_rmse,
        epochs: epochs_run,
        best_epoch,
        time_s,
        cancelled,
    })
}

/// The weights early stopping returns to.
struct BestEpoch {
    validation_loss: f64,
    epoch: usize,
    layers: Vec<Dense>,
}

/// `Σ(ŷ − y)²/n` of the training-time model, in training units.
fn mean_squared_error(mlp: &Mlp, inputs: ArrayView2<f64>, targets: ArrayView2<f64>) -> f64 {
    let predicted = mlp.predict(inputs);
    (&predicted - &targets)
        .mapv(|e| e * e)
        .mean()
        .unwrap_or(0.0)
}

/// `√(Σ(f(x) − y)²/n)` of the final network, in raw units.
fn root_mean_squared_error(
    network: &Network,
    inputs: ArrayView2<f64>,
    targets: ArrayView1<f64>,
) -> f64 {
    let predicted: Array2<f64> = network.forward_batch(inputs);
    let errors = &predicted.slice(s![.., 0]) - &targets;
    errors.mapv(|e| e * e).mean().unwrap_or(0.0).sqrt()
}

/// What the network's JSON file records about its training.
fn metadata(
    data: &Dataset,
    config: &TrainingConfig,
    [train_rmse, validation_rmse, test_rmse]: &[f64; 3],
    epochs: usize,
    best_epoch: usize,
    time_s: f64,
    cancelled: bool,
) -> serde_json::Value {
    let mut meta = serde_json::json!({
        "trained_by": concat!("reluscope ", env!("CARGO_PKG_VERSION")),
        "hidden": config.hidden,
        "activation": config.hidden_activation().name(),
        "clip": config.clip,
        "l1": config.l1,
        "l2": config.l2,
        "dropout": config.dropout,
        "learning_rate": config.learning_rate,
        "batch_size": config.batch_size,
        "max_epochs": config.epochs,
        "patience": config.patience,
        "validation_fraction": config.validation_fraction,
        "test_fraction": config.test_fraction,
        "seed": config.seed,
        "samples": data.len(),
        "epochs": epochs,
        "best_epoch": best_epoch,
        "train_rmse": train_rmse,
        "validation_rmse": validation_rmse,
        "test_rmse": test_rmse,
        "time_s": time_s,
        "cancelled": cancelled,
    });
    let (key, value) = match data.source() {
        super::DataSource::Function(f) => ("function", f.name()),
        super::DataSource::Csv(path) => ("csv", path.clone()),
    };
    meta[key] = serde_json::Value::String(value);
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(_: EpochReport) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    fn small_config() -> TrainingConfig {
        TrainingConfig {
            hidden: vec![8, 8],
            epochs: 20,
            samples: 400,
            seed: 3,
            ..TrainingConfig::default()
        }
    }

    #[test]
    fn the_setters_change_only_their_fields() {
        let config = TrainingConfig::new(vec![7, 3], Some(0.5))
            .with_regularisation(1e-3, 2e-3, 0.1)
            .with_adam(32, 1e-2)
            .with_stopping(50, 5)
            .with_sampling(500, 9);
        let expected = TrainingConfig {
            hidden: vec![7, 3],
            clip: Some(0.5),
            l1: 1e-3,
            l2: 2e-3,
            dropout: 0.1,
            epochs: 50,
            batch_size: 32,
            learning_rate: 1e-2,
            patience: 5,
            samples: 500,
            seed: 9,
            ..TrainingConfig::default()
        };
        assert_eq!(config, expected);
        let defaults = TrainingConfig::default();
        assert_eq!(TrainingConfig::new(defaults.hidden.clone(), None), defaults);
    }

    #[test]
    fn config_errors_are_typed_and_clear() {
        let check = |change: fn(&mut TrainingConfig), expected: &str| {
            let mut config = TrainingConfig::default();
            change(&mut config);
            let err = config.validate().unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
        };
        assert_eq!(TrainingConfig::default().validate(), Ok(()));
        check(|c| c.hidden.clear(), "at least one hidden layer");
        check(|c| c.hidden = vec![25, 0], "hidden layer 2 has width 0");
        check(
            |c| c.dropout = 1.0,
            "dropout rate must lie in [0, 1), found 1",
        );
        check(|c| c.dropout = -0.1, "dropout");
        check(|c| c.l1 = -1e-3, "L1 penalty");
        check(|c| c.l2 = f64::NAN, "L2 penalty");
        check(
            |c| c.clip = Some(0.0),
            "cap must be finite and > 0, found 0",
        );
        check(|c| c.epochs = 0, "epochs must be at least 1");
        check(|c| c.batch_size = 0, "batch size");
        check(|c| c.learning_rate = 0.0, "learning rate");
        check(|c| c.samples = 3, "3 samples are too few; at least 10");
        check(|c| c.validation_fraction = 0.0, "validation fraction 0");
        check(|c| c.test_fraction = 0.9, "sum below 1");
    }

    #[test]
    fn too_little_data_for_the_split_is_an_error() {
        let data = Dataset::from_csv_str("1,2\n3,4\n5,6\n", "tiny", None).unwrap();
        let err = train(&data, &small_config(), &mut quiet).unwrap_err();
        assert!(
            matches!(
                err,
                TrainingError::Dataset(DatasetError::SplitTooSmall { .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn same_seed_gives_the_same_network() {
        let config = TrainingConfig {
            dropout: 0.1,
            l1: 1e-4,
            ..small_config()
        };
        let f = BenchmarkFunction::Himmelblau;
        let a = train_on_function(f, &config, &mut quiet).unwrap();
        let b = train_on_function(f, &config, &mut quiet).unwrap();
        assert_eq!(a.network.layers(), b.network.layers());
        assert_eq!(a.test_rmse.to_bits(), b.test_rmse.to_bits());
        let other = TrainingConfig {
            seed: 4,
            ..config.clone()
        };
        let c = train_on_function(f, &other, &mut quiet).unwrap();
        assert_ne!(a.network.layers(), c.network.layers());
    }

    #[test]
    fn returned_network_maps_raw_units_and_carries_metadata() {
        let config = TrainingConfig {
            clip: Some(1.5),
            epochs: 100,
            ..small_config()
        };
        let result = train_on_function(BenchmarkFunction::Peaks, &config, &mut quiet).unwrap();
        let net = &result.network;
        assert_eq!(net.architecture(), "2-8-8-1");
        assert_eq!(net.input_box(), Some(&BenchmarkFunction::Peaks.input_box()));
        assert_eq!(
            net.layers()[0].activation,
            Activation::ClippedRelu { cap: 1.5 }
        );
        assert_eq!(net.name, "peaks_8x2");
        assert_eq!(network_name("ackley:5", &[25, 50]), "ackley5_25-50");
        assert_eq!(network_name("himmelblau", &[50, 50, 50]), "himmelblau_50x3");
        let meta = &net.metadata;
        assert_eq!(meta["function"], "peaks");
        assert_eq!(meta["hidden"], serde_json::json!([8, 8]));
        assert_eq!(meta["clip"], 1.5);
        assert_eq!(meta["epochs"], result.epochs);
        assert_eq!(meta["test_rmse"], result.test_rmse);
        assert_eq!(meta["samples"], 400);
        // The errors are in raw units: better than predicting the mean.
        let data = Dataset::from_function(BenchmarkFunction::Peaks, 400, 3).unwrap();
        let spread = data.targets().std(0.0);
        assert!(
            result.train_rmse < 0.8 * spread,
            "{} vs σ = {spread}",
            result.train_rmse
        );
    }

    #[test]
    fn early_stopping_restores_the_best_weights() {
        // A large step on little data makes the validation loss jump around.
        let config = TrainingConfig {
            hidden: vec![30, 30],
            learning_rate: 0.05,
            batch_size: 8,
            epochs: 300,
            patience: 5,
            samples: 150,
            seed: 1,
            ..TrainingConfig::default()
        };
        let mut history = Vec::new();
        let result = train_on_function(BenchmarkFunction::Peaks, &config, &mut |r| {
            history.push(r);
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(result.epochs < config.epochs, "did not stop early");
        assert_eq!(history.len(), result.epochs);
        assert_eq!(result.epochs, result.best_epoch + config.patience);
        let best = history
            .iter()
            .map(|r| r.validation_loss)
            .fold(f64::INFINITY, f64::min);
        let last = history.last().unwrap().validation_loss;
        assert!(
            last > best,
            "the last epoch must be worse for the test to mean anything"
        );
        let kept = result.validation_rmse.powi(2);
        assert!(
            (kept - best).abs() <= 1e-9 * best,
            "kept {kept}, best {best}"
        );
        assert_eq!(history[result.best_epoch - 1].validation_loss, best);
    }

    #[test]
    fn observer_can_cancel() {
        let result = train_on_function(BenchmarkFunction::Peaks, &small_config(), &mut |r| {
            if r.epoch == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert!(result.cancelled);
        assert_eq!(result.epochs, 3);
        assert!(result.best_epoch <= 3);
        assert_eq!(result.network.metadata["cancelled"], true);
    }

    #[test]
    fn csv_data_trains_and_is_recorded() {
        let mut text = String::from("a,b,y\n");
        for i in 0..60 {
            let (a, b) = (i as f64 / 60.0, (i * 7 % 60) as f64 / 60.0);
            text.push_str(&format!("{a},{b},{}\n", 2.0 * a - b + 10.0));
        }
        let data = Dataset::from_csv_str(&text, "runs/linear.csv", None).unwrap();
        let result = train(&data, &small_config(), &mut quiet).unwrap();
        assert_eq!(result.network.metadata["csv"], "runs/linear.csv");
        assert_eq!(result.network.name, "linear_8x2");
        assert!(result.test_rmse.is_finite());
    }

    #[test]
    fn l1_makes_weights_smaller() {
        let base = TrainingConfig {
            epochs: 40,
            ..small_config()
        };
        let l1 = TrainingConfig {
            l1: 1e-2,
            ..base.clone()
        };
        let f = BenchmarkFunction::Peaks;
        let total = |c: &TrainingConfig| -> f64 {
            let net = train_on_function(f, c, &mut quiet).unwrap().network;
            net.layers()[1].weights.iter().map(|w| w.abs()).sum()
        };
        assert!(total(&l1) < total(&base));
    }

    /// Slow: 2×25 on 10,000 Peaks samples to the accuracy the study needs.
    #[test]
    fn peaks_2x25_reaches_test_rmse_below_0_1() {
        let result = train_on_function(
            BenchmarkFunction::Peaks,
            &TrainingConfig::default(),
            &mut quiet,
        )
        .unwrap();
        assert!(result.test_rmse < 0.1, "test RMSE {}", result.test_rmse);
    }
}
