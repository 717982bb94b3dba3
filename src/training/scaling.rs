//! Input and output scaling during training, and its folding into the final network.
//!
//! Training sees `x̃ᵢ = (xᵢ − mᵢ)/sᵢ` (the box mapped to `[-1, 1]`) and `ỹ = (y − μ)/σ` (the
//! training outputs standardised), which keeps Adam's step size meaningful whatever the
//! units. The returned network must map raw `x` to raw `y`, so the scaling is folded into
//! the first and last layers: `W¹' = W¹ diag(1/s)`, `b¹' = b¹ − W¹ (m/s)`, and
//! `W^L' = σ W^L`, `b^L' = σ b^L + μ`. Both are exact: the first fold leaves every hidden
//! pre-activation unchanged, whatever the activation, and the last layer is linear.

use super::mlp::{Dense, Mlp};
use crate::network::{Activation, InputBox, Layer, Network, NetworkError};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// The affine maps between raw and training units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scaling {
    input_center: Array1<f64>,
    input_half_width: Array1<f64>,
    output_mean: f64,
    output_std: f64,
}

impl Scaling {
    /// Maps `input_box` to `[-1, 1]ᵈ` and standardises `targets`.
    ///
    /// A degenerate side or constant targets get scale 1, so nothing is divided by zero.
    pub fn new(input_box: &InputBox, targets: ArrayView1<f64>) -> Self {
        let input_center = Array1::from(input_box.center());
        let input_half_width = input_box
            .lower()
            .iter()
            .zip(input_box.upper())
            .map(|(lo, hi)| nonzero_scale(0.5 * (hi - lo)))
            .collect();
        let output_mean = targets.mean().unwrap_or(0.0);
        let output_std = nonzero_scale(targets.std(0.0));
        Self {
            input_center,
            input_half_width,
            output_mean,
            output_std,
        }
    }

    /// `x̃ = (x − m)/s` for every row.
    pub fn inputs(&self, raw: ArrayView2<f64>) -> Array2<f64> {
        (&raw - &self.input_center.view().insert_axis(Axis(0)))
            / self.input_half_width.view().insert_axis(Axis(0))
    }

    /// `ỹ = (y − μ)/σ` as a one-column matrix.
    pub fn targets(&self, raw: ArrayView1<f64>) -> Array2<f64> {
        raw.mapv(|y| (y - self.output_mean) / self.output_std)
            .insert_axis(Axis(1))
    }

    /// `σ²`: multiplies a mean squared error in training units into raw units.
    pub fn output_variance(&self) -> f64 {
        self.output_std * self.output_std
    }

    /// The network on raw inputs and outputs that `mlp` is in training units.
    pub fn fold(&self, mlp: &Mlp, input_box: InputBox) -> Result<Network, NetworkError> {
        let last = mlp.layers.len() - 1;
        let layers = mlp
            .layers
            .iter()
            .enumerate()
            .map(|(k, dense)| {
                let mut folded = dense.clone();
                if k == 0 {
                    self.fold_inputs(&mut folded);
                }
                let activation = if k == last {
                    self.fold_outputs(&mut folded);
                    Activation::Linear
                } else {
                    mlp.hidden_activation
                };
                Layer::new(folded.weights, folded.bias, activation)
            })
            .collect();
        Network::new(layers, Some(input_box))
    }

    /// `W' = W diag(1/s)`, `b' = b − W' m`.
    fn fold_inputs(&self, first: &mut Dense) {
        first.weights /= &self.input_half_width.view().insert_axis(Axis(0));
        first.bias -= &first.weights.dot(&self.input_center);
    }

    /// `W' = σ W`, `b' = σ b + μ`.
    fn fold_outputs(&self, last: &mut Dense) {
        last.weights *= self.output_std;
        last.bias
            .mapv_inplace(|b| self.output_std * b + self.output_mean);
    }
}

fn nonzero_scale(scale: f64) -> f64 {
    if scale > 0.0 && scale.is_finite() {
        scale
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::sampling::latin_hypercube;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    #[test]
    fn folded_network_equals_the_scaled_training_model() {
        let input_box = InputBox::parse("-5,3;10,10.5;0,2").unwrap();
        let mut rng = Pcg64::seed_from_u64(8);
        let targets = Array1::from_shape_simple_fn(40, || rng.random_range(100.0..140.0));
        let scaling = Scaling::new(&input_box, targets.view());
        for activation in [Activation::Relu, Activation::ClippedRelu { cap: 0.7 }] {
            let mut mlp = Mlp::he_initialised(&[3, 7, 4, 1], activation, &mut rng);
            for layer in &mut mlp.layers {
                layer.bias.mapv_inplace(|_| rng.random_range(-0.5..0.5));
            }
            let network = scaling.fold(&mlp, input_box.clone()).unwrap();
            assert_eq!(network.input_box(), Some(&input_box));
            assert_eq!(network.layers()[1].activation, activation);
            let raw = latin_hypercube(&input_box, 200, &mut rng);
            let scaled = mlp.predict(scaling.inputs(raw.view()).view());
            let expected = scaled.mapv(|y| y * scaling.output_std + scaling.output_mean);
            let folded = network.forward_batch(raw.view());
            let worst = (&folded - &expected)
                .iter()
                .fold(0.0_f64, |w, d| w.max(d.abs()));
            assert!(worst < 1e-10, "{activation:?}: {worst:e}");
        }
    }

    #[test]
    fn scales_the_box_to_the_unit_cube_and_standardises_targets() {
        let input_box = InputBox::parse("-5,3;2,2").unwrap();
        let targets = ndarray::array![1.0, 3.0, 5.0];
        let s = Scaling::new(&input_box, targets.view());
        let x = s.inputs(ndarray::array![[-5.0, 2.0], [3.0, 2.0], [-1.0, 2.0]].view());
        assert_eq!(x, ndarray::array![[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]);
        let y = s.targets(targets.view());
        assert!((y.mean().unwrap()).abs() < 1e-15);
        assert!((y.std(0.0) - 1.0).abs() < 1e-12);
        let constant = Scaling::new(&input_box, ndarray::array![4.0, 4.0].view());
        assert_eq!(constant.output_variance(), 1.0);
    }
}
