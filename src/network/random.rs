//! Seeded random networks, for benchmarks and tests that need many shapes: one generator,
//! [`RandomNetwork`], with [`random_network`] as the shorthand for its defaults.

use super::{Activation, InputBox, Layer, Network, NetworkError};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};

/// How large the random weights are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightScale {
    /// Uniform in `±gain·√(2/n_in)`: He-like, so that activations keep their size from layer
    /// to layer whatever the widths; a gain above 1 makes bounds grow with depth, as they do
    /// in trained networks.
    FanIn {
        /// The factor on `√(2/n_in)`.
        gain: f64,
    },
    /// Uniform in `±bound`, whatever the layer's width.
    Uniform {
        /// The largest magnitude.
        bound: f64,
    },
    /// A random sign times a magnitude whose logarithm is uniform in
    /// `[ln smallest, ln largest]`: weights of every order of magnitude in between within
    /// one layer, as in badly scaled trained networks (what rescaling is for).
    LogUniform {
        /// The smallest magnitude (positive).
        smallest: f64,
        /// The largest magnitude (at least `smallest`).
        largest: f64,
    },
}

impl WeightScale {
    /// One weight of a layer with `fan_in` inputs.
    fn sample<R: Rng>(self, fan_in: usize, rng: &mut R) -> f64 {
        match self {
            WeightScale::FanIn { gain } => {
                rng.random_range(-1.0..1.0) * (gain * (2.0 / fan_in.max(1) as f64).sqrt())
            }
            WeightScale::Uniform { bound } => rng.random_range(-1.0..1.0) * bound,
            WeightScale::LogUniform { smallest, largest } => {
                let magnitude = if largest > smallest {
                    rng.random_range(smallest.ln()..largest.ln()).exp()
                } else {
                    smallest
                };
                if rng.random_bool(0.5) {
                    magnitude
                } else {
                    -magnitude
                }
            }
        }
    }

    /// Why this scale cannot give finite weights, if it cannot.
    fn check(self) -> Result<(), String> {
        let finite_positive = |v: f64| v.is_finite() && v > 0.0;
        let ok = match self {
            WeightScale::FanIn { gain } => finite_positive(gain),
            WeightScale::Uniform { bound } => finite_positive(bound),
            WeightScale::LogUniform { smallest, largest } => {
                finite_positive(smallest) && finite_positive(largest) && smallest <= largest
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "the weight scale must be finite and positive (smallest ≤ largest), found {self:?}"
            ))
        }
    }
}

/// The settings of a seeded random dense network, built by [`RandomNetwork::build`].
///
/// [`RandomNetwork::new`] gives the defaults: ReLU hidden layers, weights
/// [`WeightScale::FanIn`] with gain 1.5, biases uniform in `±0.5`, a linear output layer and
/// the input box `[-1, 1]ⁿ`; change any of them with struct update syntax. Weights are
/// drawn layer by layer, row by row, then the layer's biases, so the same settings give the
/// same network.
///
/// ```
/// use reluscope::network::{Activation, RandomNetwork, WeightScale};
///
/// let net = RandomNetwork {
///     seed: 3,
///     hidden: Activation::ClippedRelu { cap: 0.5 },
///     weights: WeightScale::Uniform { bound: 2.0 },
///     ..RandomNetwork::new(&[2, 8, 8, 1])
/// }
/// .build()
/// .unwrap();
/// assert_eq!(net.architecture(), "2-8-8-1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandomNetwork {
    /// Layer widths, input first, output last.
    pub widths: Vec<usize>,
    /// Seeds the weights and biases.
    pub seed: u64,
    /// The activation of every hidden layer.
    pub hidden: Activation,
    /// How large the weights are.
    pub weights: WeightScale,
    /// Biases are uniform in `±bias` (0: all zero).
    pub bias: f64,
    /// The input box; `None` for `[-1, 1]ⁿ`.
    pub input_box: Option<InputBox>,
}

impl RandomNetwork {
    /// The default settings for layer widths `widths` (input first, output last).
    pub fn new(widths: &[usize]) -> Self {
        Self {
            widths: widths.to_vec(),
            seed: 0,
            hidden: Activation::Relu,
            weights: WeightScale::FanIn { gain: 1.5 },
            bias: 0.5,
            input_box: None,
        }
    }

    /// The network. Errors if there are fewer than two widths, a width is zero, the box has
    /// another dimension than the input, or a scale is not finite and positive (a bias
    /// half-width of 0 is allowed and gives zero biases).
    pub fn build(&self) -> Result<Network, NetworkError> {
        let widths = &self.widths;
        if widths.len() < 2 {
            return Err(NetworkError::Empty);
        }
        self.weights.check().map_err(NetworkError::RandomSettings)?;
        if !(self.bias.is_finite() && self.bias >= 0.0) {
            return Err(NetworkError::RandomSettings(format!(
                "the bias half-width must be finite and ≥ 0, found {}",
                self.bias
            )));
        }
        let mut rng = rand_pcg::Pcg64::seed_from_u64(self.seed);
        let n = widths.len() - 1;
        let layers = (0..n)
            .map(|k| {
                let w = Array2::from_shape_fn((widths[k + 1], widths[k]), |_| {
                    self.weights.sample(widths[k], &mut rng)
                });
                // `random_range` panics on an empty range: a zero half-width means zero biases.
                let b = Array1::from_shape_fn(widths[k + 1], |_| {
                    if self.bias > 0.0 {
                        rng.random_range(-self.bias..self.bias)
                    } else {
                        0.0
                    }
                });
                let activation = if k + 1 == n {
                    Activation::Linear
                } else {
                    self.hidden
                };
                Layer::new(w, b, activation)
            })
            .collect();
        let input_box = match &self.input_box {
            Some(b) => b.clone(),
            None => InputBox::new(vec![-1.0; widths[0]], vec![1.0; widths[0]])?,
        };
        Network::new(layers, Some(input_box))
    }
}

/// A random dense network with layer widths `widths` (input first, output last), hidden
/// activation `hidden` and otherwise [`RandomNetwork`]'s defaults: weights uniform in
/// `±1.5·√(2/n_in)`, biases uniform in `±0.5`, a linear output layer and the input box
/// `[-1, 1]ⁿ`; the same `seed` gives the same network. Errors if there are fewer than two
/// widths or a width is zero.
pub fn random_network(
    widths: &[usize],
    seed: u64,
    hidden: Activation,
) -> Result<Network, NetworkError> {
    RandomNetwork {
        seed,
        hidden,
        ..RandomNetwork::new(widths)
    }
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_shapes_and_errors() {
        let a = random_network(&[3, 4, 2], 1, Activation::Relu).unwrap();
        assert_eq!(a.architecture(), "3-4-2");
        let b = random_network(&[3, 4, 2], 1, Activation::Relu).unwrap();
        assert_eq!(a.forward(&[0.1, 0.2, 0.3]), b.forward(&[0.1, 0.2, 0.3]));
        assert!(random_network(&[3], 1, Activation::Relu).is_err());
        assert!(random_network(&[], 1, Activation::Relu).is_err());
        assert!(random_network(&[0, 2, 1], 1, Activation::Relu).is_err());
    }

    #[test]
    fn every_weight_scale_keeps_its_range() {
        let all = |net: &Network| -> Vec<f64> {
            net.layers()
                .iter()
                .flat_map(|l| l.weights.iter().copied())
                .collect()
        };
        let with = |widths: &[usize], weights| {
            RandomNetwork {
                weights,
                ..RandomNetwork::new(widths)
            }
            .build()
        };
        let fan_in = with(&[8, 50, 1], WeightScale::FanIn { gain: 2.0 }).unwrap();
        let first = fan_in.layers()[0].weights.iter().map(|w| w.abs());
        assert!(first.fold(0.0, f64::max) <= 2.0 * (2.0f64 / 8.0).sqrt());
        let uniform = with(&[3, 40, 40, 1], WeightScale::Uniform { bound: 0.1 }).unwrap();
        assert!(all(&uniform).iter().all(|w| w.abs() <= 0.1));
        let decades = WeightScale::LogUniform {
            smallest: 1e-4,
            largest: 1e4,
        };
        let mixed = with(&[3, 40, 40, 1], decades).unwrap();
        let magnitudes: Vec<f64> = all(&mixed).iter().map(|w| w.abs()).collect();
        assert!(magnitudes.iter().all(|m| (1e-4..=1e4).contains(m)));
        // 1,760 weights spread over eight decades: each end of the range is reached.
        assert!(magnitudes.iter().any(|&m| m < 1e-3) && magnitudes.iter().any(|&m| m > 1e3));
        assert!(all(&mixed).iter().any(|&w| w < 0.0) && all(&mixed).iter().any(|&w| w > 0.0));
    }

    #[test]
    fn the_box_and_biases_are_settable_and_checked() {
        let b = InputBox::new(vec![-1.0, 0.0], vec![1.5, 0.5]).unwrap();
        let settings = |widths: &[usize]| RandomNetwork {
            input_box: Some(b.clone()),
            bias: 0.0,
            ..RandomNetwork::new(widths)
        };
        let net = settings(&[2, 5, 1]).build().unwrap();
        assert_eq!(net.input_box(), Some(&b));
        assert!(
            net.layers()
                .iter()
                .all(|l| l.bias.iter().all(|&v| v == 0.0))
        );
        assert!(matches!(
            settings(&[3, 5, 1]).build(),
            Err(NetworkError::BoxDimension { .. })
        ));
        let bad_weights = [
            WeightScale::FanIn { gain: f64::NAN },
            WeightScale::Uniform { bound: 0.0 },
            WeightScale::LogUniform {
                smallest: 2.0,
                largest: 1.0,
            },
        ];
        for weights in bad_weights {
            let e = RandomNetwork {
                weights,
                ..settings(&[2, 3, 1])
            };
            assert!(
                matches!(e.build(), Err(NetworkError::RandomSettings(_))),
                "{weights:?}"
            );
        }
        let negative_bias = RandomNetwork {
            bias: -1.0,
            ..settings(&[2, 3, 1])
        };
        assert!(matches!(
            negative_bias.build(),
            Err(NetworkError::RandomSettings(_))
        ));
    }
}
