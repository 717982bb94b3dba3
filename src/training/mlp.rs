//! The network during training: dense layers, a batch forward pass that keeps what the
//! backward pass needs, and the gradient of the penalised MSE by backpropagation.
//!
//! With `A⁰ = X` (points in rows), `Aᵏ = Hᵏ⁻¹ Wᵏᵀ + bᵏ`, `Hᵏ = σ(Aᵏ) ⊙ Mᵏ` for hidden layers
//! (`Mᵏ` the dropout mask, all ones without dropout) and `Ŷ = A^L`, the loss is
//! `J = Σ(Ŷ − Y)² / (B·m) + λ₁ Σ|W| + λ₂ Σ W²` over all weights (biases are not penalised).

use super::sampling::standard_normal;
use crate::network::Activation;
use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use rand::Rng;

/// Weights `W` (`out × in`) and bias `b` of one layer; also the shape of its gradient.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dense {
    pub weights: Array2<f64>,
    pub bias: Array1<f64>,
}

impl Dense {
    /// Zeros of the same shape.
    pub fn zeros_like(&self) -> Self {
        Self {
            weights: Array2::zeros(self.weights.raw_dim()),
            bias: Array1::zeros(self.bias.raw_dim()),
        }
    }
}

/// The weight penalties `λ₁ Σ|w| + λ₂ Σ w²`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Penalties {
    pub l1: f64,
    pub l2: f64,
}

/// A dense network whose hidden layers share one activation and whose output is linear.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mlp {
    pub layers: Vec<Dense>,
    pub hidden_activation: Activation,
}

/// What the forward pass keeps for the backward pass: `Aᵏ` of every layer and `Hᵏ` of every
/// hidden layer (after dropout).
pub(crate) struct ForwardPass {
    preactivations: Vec<Array2<f64>>,
    activations: Vec<Array2<f64>>,
}

impl ForwardPass {
    /// `Ŷ`, one row per point.
    pub fn output(&self) -> &Array2<f64> {
        self.preactivations.last().expect("a network has layers")
    }
}

impl Mlp {
    /// He initialisation: `w ~ N(0, 2/fan_in)`, `b = 0`; `widths` lists input width first.
    ///
    /// The variance `2/fan_in` keeps the activations' scale from layer to layer when about
    /// half of the ReLUs are active, so deep stacks start neither dead nor exploding.
    pub fn he_initialised<R: Rng + ?Sized>(
        widths: &[usize],
        hidden_activation: Activation,
        rng: &mut R,
    ) -> Self {
        let layers = widths
            .windows(2)
            .map(|w| {
                let std = (2.0 / w[0] as f64).sqrt();
                Dense {
                    weights: Array2::from_shape_simple_fn((w[1], w[0]), || {
                        std * standard_normal(rng)
                    }),
                    bias: Array1::zeros(w[1]),
                }
            })
            .collect();
        Self {
            layers,
            hidden_activation,
        }
    }

    /// `Ŷ` for a batch, without dropout.
    pub fn predict(&self, inputs: ArrayView2<f64>) -> Array2<f64> {
        let last = self.layers.len() - 1;
        let mut h = inputs.to_owned();
        for (k, layer) in self.layers.iter().enumerate() {
            h = affine(layer, h.view());
            if k < last {
                let act = self.hidden_activation;
                h.mapv_inplace(|a| act.apply(a));
            }
        }
        h
    }

    /// The forward pass keeping intermediates; `masks[k]` multiplies hidden layer `k`'s output.
    pub fn forward(&self, inputs: ArrayView2<f64>, masks: Option<&[Array2<f64>]>) -> ForwardPass {
        let hidden = self.layers.len() - 1;
        let mut preactivations = Vec::with_capacity(self.layers.len());
        let mut activations: Vec<Array2<f64>> = Vec::with_capacity(hidden);
        for (k, layer) in self.layers.iter().enumerate() {
            let input = if k == 0 {
                inputs
            } else {
                activations[k - 1].view()
            };
            let a = affine(layer, input);
            if k < hidden {
                let act = self.hidden_activation;
                let mut h = a.mapv(|v| act.apply(v));
                if let Some(masks) = masks {
                    h *= &masks[k];
                }
                activations.push(h);
            }
            preactivations.push(a);
        }
        ForwardPass {
            preactivations,
            activations,
        }
    }

    /// Gradient of the data term over a chunk of a batch of `batch_size` points, and the
    /// chunk's sum of squared errors.
    ///
    /// The data term is scaled by the whole batch, `2(Ŷ − Y)/(B·m)`, so the gradients of
    /// the chunks of one batch add up to the batch gradient.
    pub fn data_gradient(
        &self,
        inputs: ArrayView2<f64>,
        targets: ArrayView2<f64>,
        masks: Option<&[Array2<f64>]>,
        batch_size: usize,
    ) -> (f64, Vec<Dense>) {
        let pass = self.forward(inputs, masks);
        let mut delta = pass.output() - &targets;
        let squared_error = delta.iter().map(|e| e * e).sum::<f64>();
        delta *= 2.0 / (batch_size * targets.ncols()) as f64;

        let mut gradients: Vec<Dense> = self.layers.iter().map(Dense::zeros_like).collect();
        for k in (0..self.layers.len()).rev() {
            let input = if k == 0 {
                inputs
            } else {
                pass.activations[k - 1].view()
            };
            gradients[k].weights = delta.t().dot(&input);
            gradients[k].bias = delta.sum_axis(Axis(0));
            if k > 0 {
                let mut upstream = delta.dot(&self.layers[k].weights);
                let act = self.hidden_activation;
                Zip::from(&mut upstream)
                    .and(&pass.preactivations[k - 1])
                    .for_each(|d, &a| *d *= derivative(act, a));
                if let Some(masks) = masks {
                    upstream *= &masks[k - 1];
                }
                delta = upstream;
            }
        }
        (squared_error, gradients)
    }

    /// Adds the penalty's (sub)gradient `λ₁ sign(w) + 2λ₂ w` to the weight gradients.
    ///
    /// `sign(0) = 0` picks the subgradient that leaves an exact zero weight in place.
    pub fn add_penalty_gradient(&self, gradients: &mut [Dense], penalties: Penalties) {
        if penalties.l1 == 0.0 && penalties.l2 == 0.0 {
            return;
        }
        for (g, layer) in gradients.iter_mut().zip(&self.layers) {
            Zip::from(&mut g.weights)
                .and(&layer.weights)
                .for_each(|g, &w| *g += penalties.l1 * sign(w) + 2.0 * penalties.l2 * w);
        }
    }

    /// Inverted-dropout masks for a batch: each hidden output is kept with probability
    /// `1 − p` and then scaled by `1/(1 − p)`, so its expectation is unchanged and nothing
    /// needs rescaling at prediction time.
    pub fn dropout_masks<R: Rng + ?Sized>(
        &self,
        batch_size: usize,
        rate: f64,
        rng: &mut R,
    ) -> Vec<Array2<f64>> {
        let kept = 1.0 / (1.0 - rate);
        self.layers[..self.layers.len() - 1]
            .iter()
            .map(|layer| {
                Array2::from_shape_simple_fn((batch_size, layer.bias.len()), || {
                    if rng.random::<f64>() < rate {
                        0.0
                    } else {
                        kept
                    }
                })
            })
            .collect()
    }
}

/// `A = X Wᵀ + b`.
fn affine(layer: &Dense, inputs: ArrayView2<f64>) -> Array2<f64> {
    let mut a = inputs.dot(&layer.weights.t());
    a += &layer.bias.view().insert_axis(Axis(0));
    a
}

/// `σ'(a)`: 1 on the linear pieces with slope one, 0 elsewhere (0 at the kinks themselves).
#[inline]
fn derivative(activation: Activation, a: f64) -> f64 {
    match activation {
        Activation::Relu => f64::from(u8::from(a > 0.0)),
        Activation::ClippedRelu { cap } => f64::from(u8::from(a > 0.0 && a < cap)),
        Activation::Linear => 1.0,
    }
}

#[inline]
fn sign(w: f64) -> f64 {
    if w > 0.0 {
        1.0
    } else if w < 0.0 {
        -1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    /// `J(θ)` with fixed masks: the quantity whose gradient the backward pass computes.
    fn objective(
        mlp: &Mlp,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        masks: Option<&[Array2<f64>]>,
        penalties: Penalties,
    ) -> f64 {
        let pass = mlp.forward(x, masks);
        let mse = (pass.output() - &y).mapv(|e| e * e).sum() / y.len() as f64;
        let penalty: f64 = mlp
            .layers
            .iter()
            .flat_map(|l| l.weights.iter())
            .map(|w| penalties.l1 * w.abs() + penalties.l2 * w * w)
            .sum();
        mse + penalty
    }

    /// Entry `p` of a layer or of its gradient: weights in row-major order, then the bias.
    fn entry(layer: &mut Dense, p: usize) -> &mut f64 {
        let n_weights = layer.weights.len();
        if p < n_weights {
            &mut layer.weights.as_slice_mut().expect("standard layout")[p]
        } else {
            &mut layer.bias[p - n_weights]
        }
    }

    /// The rows `range` of each mask.
    fn mask_rows(
        masks: Option<&[Array2<f64>]>,
        range: std::ops::Range<usize>,
    ) -> Option<Vec<Array2<f64>>> {
        masks.map(|m| {
            m.iter()
                .map(|m| m.slice(ndarray::s![range.clone(), ..]).to_owned())
                .collect()
        })
    }

    /// Compares every analytic partial derivative with a central difference.
    fn check_gradient(activation: Activation, penalties: Penalties, dropout: f64) {
        let mut rng = Pcg64::seed_from_u64(17);
        let mut mlp = Mlp::he_initialised(&[3, 6, 5, 2], activation, &mut rng);
        for layer in &mut mlp.layers {
            layer.bias.mapv_inplace(|_| rng.random_range(-0.3..0.3));
        }
        let batch = 9;
        let x = Array2::from_shape_simple_fn((batch, 3), || rng.random_range(-1.0..1.0));
        let y = Array2::from_shape_simple_fn((batch, 2), || rng.random_range(-1.0..1.0));
        let masks = (dropout > 0.0).then(|| mlp.dropout_masks(batch, dropout, &mut rng));
        let masks = masks.as_deref();

        // In two chunks, as the trainer may split a batch across threads.
        let (_, mut grads) = mlp.data_gradient(
            x.slice(ndarray::s![..4, ..]),
            y.slice(ndarray::s![..4, ..]),
            mask_rows(masks, 0..4).as_deref(),
            batch,
        );
        let (_, rest) = mlp.data_gradient(
            x.slice(ndarray::s![4.., ..]),
            y.slice(ndarray::s![4.., ..]),
            mask_rows(masks, 4..batch).as_deref(),
            batch,
        );
        for (g, r) in grads.iter_mut().zip(&rest) {
            g.weights += &r.weights;
            g.bias += &r.bias;
        }
        mlp.add_penalty_gradient(&mut grads, penalties);

        let h = 1e-6;
        let mut worst: f64 = 0.0;
        let mut checked = 0;
        for (k, gradient) in grads.iter_mut().enumerate() {
            let count = gradient.weights.len() + gradient.bias.len();
            for p in 0..count {
                let original = *entry(&mut mlp.layers[k], p);
                let shifted = |delta: f64| {
                    let mut m = mlp.clone();
                    *entry(&mut m.layers[k], p) = original + delta;
                    objective(&m, x.view(), y.view(), masks, penalties)
                };
                let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
                let analytic = *entry(gradient, p);
                // Relative error, with an absolute floor for derivatives that are ~0.
                let error = (numeric - analytic).abs() / (numeric.abs() + analytic.abs()).max(1e-2);
                worst = worst.max(error);
                checked += 1;
            }
        }
        assert_eq!(checked, 3 * 6 + 6 + 6 * 5 + 5 + 5 * 2 + 2);
        assert!(worst < 1e-6, "worst relative error {worst:e}");
    }

    #[test]
    fn gradient_matches_finite_differences_plain_relu() {
        check_gradient(Activation::Relu, Penalties::default(), 0.0);
    }

    #[test]
    fn gradient_matches_finite_differences_with_l1_and_l2() {
        check_gradient(Activation::Relu, Penalties { l1: 0.01, l2: 0.03 }, 0.0);
    }

    #[test]
    fn gradient_matches_finite_differences_with_clipped_relu() {
        check_gradient(
            Activation::ClippedRelu { cap: 0.4 },
            Penalties { l1: 0.002, l2: 0.0 },
            0.0,
        );
    }

    #[test]
    fn gradient_matches_finite_differences_with_fixed_dropout_mask() {
        check_gradient(Activation::Relu, Penalties { l1: 0.0, l2: 0.01 }, 0.3);
        check_gradient(
            Activation::ClippedRelu { cap: 0.6 },
            Penalties::default(),
            0.5,
        );
    }

    #[test]
    fn clipped_relu_saturates_in_the_check() {
        // The clipped-ReLU check above is only meaningful if some units sit above the cap.
        let mut rng = Pcg64::seed_from_u64(17);
        let mlp = Mlp::he_initialised(
            &[3, 6, 5, 2],
            Activation::ClippedRelu { cap: 0.4 },
            &mut rng,
        );
        let x = Array2::from_shape_simple_fn((9, 3), || rng.random_range(-1.0..1.0));
        let pass = mlp.forward(x.view(), None);
        assert!(pass.preactivations[0].iter().any(|&a| a > 0.4));
        assert!(pass.preactivations[0].iter().any(|&a| a < 0.0));
    }

    #[test]
    fn dropout_masks_keep_the_expectation() {
        let mut rng = Pcg64::seed_from_u64(2);
        let mlp = Mlp::he_initialised(&[2, 50, 1], Activation::Relu, &mut rng);
        let masks = mlp.dropout_masks(400, 0.25, &mut rng);
        assert_eq!(masks.len(), 1);
        let m = &masks[0];
        let mean = m.mean().unwrap();
        assert!((mean - 1.0).abs() < 0.02, "{mean}");
        assert!(
            m.iter()
                .all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-15)
        );
        let without = mlp.forward(ndarray::array![[0.3, -0.2]].view(), None);
        assert_eq!(
            *without.output(),
            mlp.predict(ndarray::array![[0.3, -0.2]].view())
        );
    }
}
