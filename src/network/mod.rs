//! The network model: a dense feed-forward ReLU network in `f64`.
//!
//! `x⁰ = x`, `aᵏ = Wᵏ xᵏ⁻¹ + bᵏ`, `xᵏ = σᵏ(aᵏ)`; hidden layers use ReLU or clipped ReLU and
//! the last layer is linear. Every constructor validates shapes and values, so the rest of
//! the library may index without checks.

mod input_box;
mod layer;
pub mod limits;
pub mod pattern;
mod random;

pub use input_box::{InputBox, describe_box};
pub use layer::{Activation, BreakpointKind, Layer};
pub(crate) use layer::{add_scaled_row, row_dot};
pub use random::{RandomNetwork, WeightScale, random_network};

use ndarray::{Array1, Array2, ArrayView2, Axis};
use thiserror::Error;

/// What is wrong with a network or an input box.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum NetworkError {
    /// The network has no layer.
    #[error("the network has no layers")]
    Empty,
    /// A layer's shape does not chain with the previous one or with its bias.
    #[error("layer {layer}: {message}")]
    Shape {
        /// 1-based layer index.
        layer: usize,
        /// What does not fit.
        message: String,
    },
    /// A weight, bias or cap is NaN or infinite.
    #[error("layer {layer}: {what} is not finite ({value})")]
    NonFinite {
        /// 1-based layer index.
        layer: usize,
        /// Which entry, e.g. `weight [3, 1]`.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A weight, bias or cap beyond [`limits::MAX_MAGNITUDE`].
    #[error(
        "layer {layer}: {what} = {value:e} exceeds {max:e} in magnitude, where f64 keeps too few \
         digits for the MILP's tolerances (rescale the data the network was trained on)",
        max = limits::MAX_MAGNITUDE
    )]
    TooLarge {
        /// 1-based layer index.
        layer: usize,
        /// Which entry, e.g. `weight [3, 1] (neuron 3, input 1)`.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A hidden activation the model does not support, or a bad clipped-ReLU cap.
    #[error("layer {layer}: {message}")]
    Activation {
        /// 1-based layer index.
        layer: usize,
        /// What is wrong.
        message: String,
    },
    /// The input box is malformed.
    #[error("invalid input box: {0}")]
    InvalidBox(String),
    /// The input box has another dimension than the network input.
    #[error("the input box has {found} dimensions but the network takes {expected} inputs")]
    BoxDimension {
        /// Network input dimension.
        expected: usize,
        /// Box dimension.
        found: usize,
    },
    /// Settings of [`RandomNetwork`] that cannot give a finite network (a scale that is not
    /// finite and positive).
    #[error("random network: {0}")]
    RandomSettings(String),
    /// An input vector of the wrong length.
    #[error("input has {found} values but the network takes {expected}")]
    InputDimension {
        /// Network input dimension.
        expected: usize,
        /// Given length.
        found: usize,
    },
}

/// A validated feed-forward network with an optional input box.
///
/// Invariants: at least one layer; shapes chain; all values finite; all layers but the last
/// are ReLU or clipped ReLU; the last layer is linear.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    layers: Vec<Layer>,
    input_box: Option<InputBox>,
    /// A display name (file stem by default).
    pub name: String,
    /// Free-form metadata carried through the JSON format (training options, errors, …).
    pub metadata: serde_json::Value,
}

impl Network {
    /// Validates and normalises the layers into a network.
    ///
    /// Normalisation keeps the function: consecutive layers with no activation between them
    /// are composed (`W = W₂W₁`, `b = W₂b₁ + b₂`), and if the last layer has an activation an
    /// identity linear layer is appended.
    pub fn new(layers: Vec<Layer>, input_box: Option<InputBox>) -> Result<Self, NetworkError> {
        if layers.is_empty() {
            return Err(NetworkError::Empty);
        }
        for (k, layer) in layers.iter().enumerate() {
            validate_layer(k + 1, layer)?;
            if k > 0 && layer.inputs() != layers[k - 1].outputs() {
                return Err(NetworkError::Shape {
                    layer: k + 1,
                    message: format!(
                        "takes {} inputs but layer {} has {} outputs",
                        layer.inputs(),
                        k,
                        layers[k - 1].outputs()
                    ),
                });
            }
        }
        let layers = normalise(layers);
        let network = Self {
            layers,
            input_box: None,
            name: String::from("network"),
            metadata: serde_json::Value::Null,
        };
        match input_box {
            Some(b) => network.with_box(b),
            None => Ok(network),
        }
    }

    /// Replaces the input box after checking its dimension.
    pub fn with_box(mut self, input_box: InputBox) -> Result<Self, NetworkError> {
        self.set_box(input_box)?;
        Ok(self)
    }

    /// Sets the input box after checking its dimension.
    pub fn set_box(&mut self, input_box: InputBox) -> Result<(), NetworkError> {
        if input_box.dim() != self.input_dim() {
            return Err(NetworkError::BoxDimension {
                expected: self.input_dim(),
                found: input_box.dim(),
            });
        }
        self.input_box = Some(input_box);
        Ok(())
    }

    /// Sets the name, returning the network.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The layers, hidden layers first, the linear output layer last.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The hidden layers (all but the last).
    pub fn hidden_layers(&self) -> &[Layer] {
        &self.layers[..self.layers.len() - 1]
    }

    /// The linear output layer.
    pub fn output_layer(&self) -> &Layer {
        &self.layers[self.layers.len() - 1]
    }

    /// The input box, if the file or the user gave one.
    pub fn input_box(&self) -> Option<&InputBox> {
        self.input_box.as_ref()
    }

    /// Number of inputs.
    pub fn input_dim(&self) -> usize {
        self.layers[0].inputs()
    }

    /// Number of outputs.
    pub fn output_dim(&self) -> usize {
        self.output_layer().outputs()
    }

    /// Number of hidden neurons in all layers.
    pub fn hidden_neurons(&self) -> usize {
        self.hidden_layers().iter().map(Layer::outputs).sum()
    }

    /// Widths, input first: e.g. `[2, 25, 25, 1]`.
    pub fn widths(&self) -> Vec<usize> {
        std::iter::once(self.input_dim())
            .chain(self.layers.iter().map(Layer::outputs))
            .collect()
    }

    /// A short architecture string such as `2-25-25-1`.
    pub fn architecture(&self) -> String {
        self.widths()
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Checks that `x` has the input dimension.
    pub fn check_input(&self, x: &[f64]) -> Result<(), NetworkError> {
        if x.len() != self.input_dim() {
            return Err(NetworkError::InputDimension {
                expected: self.input_dim(),
                found: x.len(),
            });
        }
        Ok(())
    }

    /// `f(x)` for one input. Panics only if `x` has the wrong length (see [`Self::check_input`]).
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        assert_eq!(x.len(), self.input_dim(), "input dimension");
        let mut h = x.to_vec();
        for layer in &self.layers {
            h = layer.preactivation(&h);
            h.iter_mut().for_each(|v| *v = layer.activation.apply(*v));
        }
        h
    }

    /// Pre-activations `aᵏ` of every layer for one input (hidden layers, then the output).
    pub fn preactivations(&self, x: &[f64]) -> Vec<Vec<f64>> {
        assert_eq!(x.len(), self.input_dim(), "input dimension");
        let mut out = Vec::with_capacity(self.layers.len());
        let mut h = x.to_vec();
        for layer in &self.layers {
            let a = layer.preactivation(&h);
            h = a.iter().map(|&v| layer.activation.apply(v)).collect();
            out.push(a);
        }
        out
    }

    /// `f` on a batch: rows of `inputs` are points; returns one row of outputs per point.
    pub fn forward_batch(&self, inputs: ArrayView2<f64>) -> Array2<f64> {
        assert_eq!(inputs.ncols(), self.input_dim(), "input dimension");
        let mut h = inputs.to_owned();
        for layer in &self.layers {
            h = affine_batch(layer, h.view());
            let act = layer.activation;
            if act.is_piecewise() {
                h.mapv_inplace(|v| act.apply(v));
            }
        }
        h
    }

    /// Pre-activations of every layer on a batch (one `points × neurons` matrix per layer).
    pub fn preactivations_batch(&self, inputs: ArrayView2<f64>) -> Vec<Array2<f64>> {
        assert_eq!(inputs.ncols(), self.input_dim(), "input dimension");
        let mut out = Vec::with_capacity(self.layers.len());
        let mut h = inputs.to_owned();
        for layer in &self.layers {
            let a = affine_batch(layer, h.view());
            let act = layer.activation;
            h = a.mapv(|v| act.apply(v));
            out.push(a);
        }
        out
    }

    /// Total number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weights.len() + l.bias.len())
            .sum()
    }
}

/// The batches [`affine_batch`] works row by row: at most this many points (a sampled start's
/// batch: `milp::incumbent`)…
const ROW_BY_ROW_POINTS: usize = 128;
/// …and at most this product `points × inputs × outputs`. 128 points through a layer of
/// 25 × 25 (80 000 multiplications) take about as long either way, and a one-shot command (a
/// sampled start, then a 2-input region solve) skips matrixmultiply's packing and its first
/// call's CPU feature probe (`cpuid`, which traps to the hypervisor on a virtual machine: ≈ 1 %
/// of such a process). Larger batches (a training set's errors) keep the matrix product, and
/// the training files their digits.
const ROW_BY_ROW_PRODUCT: usize = 1 << 17;

/// `A = X Wᵀ + b` for a batch `X` (points in rows). Row by row for a small batch, with the
/// sums of [`Layer::preactivation`] (so each row is bit for bit what [`Network::forward`]
/// computes); a general matrix product otherwise.
fn affine_batch(layer: &Layer, inputs: ArrayView2<f64>) -> Array2<f64> {
    let points = inputs.nrows();
    if points <= ROW_BY_ROW_POINTS
        && points * layer.inputs() * layer.outputs() <= ROW_BY_ROW_PRODUCT
    {
        let mut a = vec![0.0; points * layer.outputs()];
        let mut point = Vec::with_capacity(layer.inputs());
        for (x, out) in inputs.outer_iter().zip(a.chunks_exact_mut(layer.outputs())) {
            point.clear();
            point.extend(x.iter());
            layer.preactivation_into(&point, out);
        }
        return Array2::from_shape_vec((points, layer.outputs()), a)
            .expect("points × outputs entries");
    }
    let mut a = inputs.dot(&layer.weights.t());
    a += &layer.bias.view().insert_axis(Axis(0));
    a
}

fn validate_layer(k: usize, layer: &Layer) -> Result<(), NetworkError> {
    if layer.outputs() == 0 || layer.inputs() == 0 {
        return Err(NetworkError::Shape {
            layer: k,
            message: format!(
                "weight matrix is {}×{}; a layer needs at least one input and one output",
                layer.outputs(),
                layer.inputs()
            ),
        });
    }
    if layer.bias.len() != layer.outputs() {
        return Err(NetworkError::Shape {
            layer: k,
            message: format!(
                "bias has {} entries but the weight matrix has {} rows",
                layer.bias.len(),
                layer.outputs()
            ),
        });
    }
    if let Some(((i, j), &w)) = layer.weights.indexed_iter().find(|(_, w)| !w.is_finite()) {
        return Err(NetworkError::NonFinite {
            layer: k,
            what: format!("weight [{i}, {j}]"),
            value: w,
        });
    }
    if let Some((i, &b)) = layer.bias.iter().enumerate().find(|(_, b)| !b.is_finite()) {
        return Err(NetworkError::NonFinite {
            layer: k,
            what: format!("bias [{i}]"),
            value: b,
        });
    }
    if let Activation::ClippedRelu { cap } = layer.activation
        && !(cap.is_finite() && cap > 0.0)
    {
        return Err(NetworkError::Activation {
            layer: k,
            message: format!("clipped ReLU cap must be finite and positive, found {cap}"),
        });
    }
    let too_large = |what: String, value: f64| NetworkError::TooLarge {
        layer: k,
        what,
        value,
    };
    if let Some(((i, j), &w)) = layer
        .weights
        .indexed_iter()
        .find(|(_, w)| !limits::admissible(**w))
    {
        return Err(too_large(
            format!("weight [{i}, {j}] (neuron {i}, input {j})"),
            w,
        ));
    }
    if let Some((i, &b)) = layer
        .bias
        .iter()
        .enumerate()
        .find(|(_, b)| !limits::admissible(**b))
    {
        return Err(too_large(format!("bias [{i}]"), b));
    }
    if let Activation::ClippedRelu { cap } = layer.activation
        && !limits::admissible(cap)
    {
        return Err(too_large("clipped ReLU cap".into(), cap));
    }
    Ok(())
}

/// Composes linear hidden layers into their successor and makes the last layer linear.
fn normalise(layers: Vec<Layer>) -> Vec<Layer> {
    let mut out: Vec<Layer> = Vec::with_capacity(layers.len() + 1);
    let mut pending: Option<Layer> = None;
    for layer in layers {
        let layer = match pending.take() {
            Some(prev) => compose(&prev, &layer),
            None => layer,
        };
        if layer.activation == Activation::Linear {
            pending = Some(layer);
        } else {
            out.push(layer);
        }
    }
    match pending {
        Some(last) => out.push(last),
        None => {
            let n = out.last().map_or(0, Layer::outputs);
            out.push(Layer::new(
                Array2::eye(n),
                Array1::zeros(n),
                Activation::Linear,
            ));
        }
    }
    out
}

/// `second ∘ first` for a linear `first`: `W = W₂W₁`, `b = W₂b₁ + b₂`, activation of `second`.
fn compose(first: &Layer, second: &Layer) -> Layer {
    Layer::new(
        second.weights.dot(&first.weights),
        second.weights.dot(&first.bias) + &second.bias,
        second.activation,
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;

    /// A random network with the given widths (input first), ReLU hidden layers.
    pub(crate) fn random_network(widths: &[usize], seed: u64) -> Network {
        random_network_with(widths, seed, Activation::Relu)
    }

    /// A random network whose hidden layers use `hidden`.
    pub(crate) fn random_network_with(widths: &[usize], seed: u64, hidden: Activation) -> Network {
        super::random_network(widths, seed, hidden).unwrap()
    }

    #[test]
    fn forward_matches_hand_computation() {
        let net = Network::new(
            vec![
                Layer::new(
                    array![[1.0, -1.0], [2.0, 0.5]],
                    array![0.0, -1.0],
                    Activation::Relu,
                ),
                Layer::new(array![[1.0, 1.0]], array![0.5], Activation::Linear),
            ],
            None,
        )
        .unwrap();
        // a¹ = (1-2, 2+1-1) = (-1, 2) → x¹ = (0, 2) → y = 2.5
        assert_eq!(net.forward(&[1.0, 2.0]), vec![2.5]);
        let batch = net.forward_batch(array![[1.0, 2.0], [0.0, 0.0]].view());
        assert_eq!(batch, array![[2.5], [0.5]]);
        assert_eq!(net.architecture(), "2-2-1");
    }

    #[test]
    fn clipped_relu_saturates() {
        let net = Network::new(
            vec![
                Layer::new(
                    array![[1.0]],
                    array![0.0],
                    Activation::ClippedRelu { cap: 1.5 },
                ),
                Layer::new(array![[1.0]], array![0.0], Activation::Linear),
            ],
            None,
        )
        .unwrap();
        assert_eq!(net.forward(&[-3.0]), vec![0.0]);
        assert_eq!(net.forward(&[1.0]), vec![1.0]);
        assert_eq!(net.forward(&[7.0]), vec![1.5]);
    }

    #[test]
    fn linear_chains_are_composed_and_output_made_linear() {
        let lin1 = Layer::new(
            array![[2.0, 0.0], [0.0, 3.0]],
            array![1.0, 0.0],
            Activation::Linear,
        );
        let relu = Layer::new(array![[1.0, 1.0]], array![-1.0], Activation::Relu);
        let net = Network::new(vec![lin1.clone(), relu.clone()], None).unwrap();
        assert_eq!(
            net.layers().len(),
            2,
            "one composed ReLU layer + identity output"
        );
        assert_eq!(net.output_layer().activation, Activation::Linear);
        for x in [[0.3_f64, -0.2], [1.0, 1.0], [-2.0, 0.5]] {
            let h = [2.0 * x[0] + 1.0, 3.0 * x[1]];
            let expect = (h[0] + h[1] - 1.0).max(0.0);
            assert!((net.forward(&x)[0] - expect).abs() < 1e-12);
        }
    }

    #[test]
    fn batch_and_single_forward_agree() {
        let net = random_network(&[3, 8, 8, 2], 7);
        let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
        let b = net.input_box().unwrap().clone();
        let pts: Vec<Vec<f64>> = (0..50).map(|_| b.sample(&mut rng)).collect();
        let flat: Vec<f64> = pts.concat();
        let batch = net.forward_batch(Array2::from_shape_vec((50, 3), flat).unwrap().view());
        for (i, p) in pts.iter().enumerate() {
            let single = net.forward(p);
            for j in 0..2 {
                assert!((batch[[i, j]] - single[j]).abs() < 1e-12);
            }
        }
    }

    /// Both ways of a batch product — row by row (small) and matrixmultiply (large) — give
    /// `forward`'s values, the small one bit for bit.
    #[test]
    fn small_and_large_batches_agree_with_forward() {
        let net = random_network(&[3, 40, 40, 2], 9);
        let mut rng = rand_pcg::Pcg64::seed_from_u64(2);
        let b = net.input_box().unwrap().clone();
        for points in [5, 100] {
            let pts: Vec<Vec<f64>> = (0..points).map(|_| b.sample(&mut rng)).collect();
            let inputs = Array2::from_shape_vec((points, 3), pts.concat()).unwrap();
            // 100 × 40 × 40 is above the row-by-row limit, 5 × 40 × 40 below.
            assert_eq!(points * 40 * 40 > ROW_BY_ROW_PRODUCT, points == 100);
            assert!(points <= ROW_BY_ROW_POINTS);
            let batch = net.forward_batch(inputs.view());
            for (p, row) in pts.iter().zip(batch.outer_iter()) {
                let single = net.forward(p);
                for (a, b) in row.iter().zip(&single) {
                    if points == 5 {
                        assert_eq!(a.to_bits(), b.to_bits());
                    } else {
                        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
                    }
                }
            }
        }
    }

    #[test]
    fn validation_names_the_layer() {
        let ok = Layer::new(array![[1.0, 1.0]], array![0.0], Activation::Relu);
        let bad_shape = Layer::new(array![[1.0, 1.0]], array![0.0], Activation::Linear);
        let err = Network::new(vec![ok.clone(), bad_shape], None).unwrap_err();
        assert!(err.to_string().starts_with("layer 2:"), "{err}");
        let nan = Layer::new(array![[1.0, f64::NAN]], array![0.0], Activation::Relu);
        let err = Network::new(vec![nan], None).unwrap_err().to_string();
        assert!(
            err.contains("layer 1") && err.contains("weight [0, 1]"),
            "{err}"
        );
        let bias = Layer::new(array![[1.0, 1.0]], array![0.0, 1.0], Activation::Relu);
        assert!(Network::new(vec![bias], None).is_err());
        let cap = Layer::new(
            array![[1.0]],
            array![0.0],
            Activation::ClippedRelu { cap: -1.0 },
        );
        assert!(Network::new(vec![cap], None).is_err());
        assert_eq!(Network::new(vec![], None).unwrap_err(), NetworkError::Empty);
        let three = InputBox::parse("0,1;0,1;0,1").unwrap();
        assert!(matches!(
            Network::new(vec![ok], Some(three)),
            Err(NetworkError::BoxDimension {
                expected: 2,
                found: 3
            })
        ));
    }
}
