//! Adam (Kingma & Ba 2015).

use super::mlp::Dense;
use ndarray::{ArrayViewMut, Dimension, Zip};

/// Adam's moment estimates for every parameter.
///
/// Step `t` with gradient `g`: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η m̂ / (√v̂ + ε)` with the bias corrections `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`.
#[derive(Debug, Clone)]
pub(crate) struct Adam {
    learning_rate: f64,
    step: i32,
    first_moment: Vec<Dense>,
    second_moment: Vec<Dense>,
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPSILON: f64 = 1e-8;

impl Adam {
    /// Zero moments shaped like `parameters`.
    pub fn new(learning_rate: f64, parameters: &[Dense]) -> Self {
        let zeros: Vec<Dense> = parameters.iter().map(Dense::zeros_like).collect();
        Self {
            learning_rate,
            step: 0,
            first_moment: zeros.clone(),
            second_moment: zeros,
        }
    }

    /// One update of `parameters` along `gradients`.
    pub fn step(&mut self, parameters: &mut [Dense], gradients: &[Dense]) {
        self.step = self.step.saturating_add(1);
        let rate = self.learning_rate * (1.0 - BETA2.powi(self.step)).sqrt()
            / (1.0 - BETA1.powi(self.step));
        for (((p, g), m), v) in parameters
            .iter_mut()
            .zip(gradients)
            .zip(&mut self.first_moment)
            .zip(&mut self.second_moment)
        {
            update(
                p.weights.view_mut(),
                g.weights.view(),
                m.weights.view_mut(),
                v.weights.view_mut(),
                rate,
            );
            update(
                p.bias.view_mut(),
                g.bias.view(),
                m.bias.view_mut(),
                v.bias.view_mut(),
                rate,
            );
        }
    }
}

/// The element-wise Adam update with the bias corrections folded into `rate`
/// (`η √(1−β₂ᵗ)/(1−β₁ᵗ)`, the form of the original paper's section 2).
fn update<D: Dimension>(
    parameter: ArrayViewMut<f64, D>,
    gradient: ndarray::ArrayView<f64, D>,
    first: ArrayViewMut<f64, D>,
    second: ArrayViewMut<f64, D>,
    rate: f64,
) {
    Zip::from(parameter)
        .and(gradient)
        .and(first)
        .and(second)
        .for_each(|p, &g, m, v| {
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *p -= rate * *m / (v.sqrt() + EPSILON);
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, array};

    #[test]
    fn first_step_moves_each_parameter_by_the_learning_rate() {
        // With m̂ = g and v̂ = g², the first step is η·sign(g) (up to ε).
        let mut params = vec![Dense {
            weights: array![[1.0, -2.0]],
            bias: array![0.5],
        }];
        let grads = vec![Dense {
            weights: array![[3.0, -0.01]],
            bias: array![1e-3],
        }];
        let mut adam = Adam::new(0.1, &params);
        adam.step(&mut params, &grads);
        assert!((params[0].weights[[0, 0]] - 0.9).abs() < 1e-6);
        assert!((params[0].weights[[0, 1]] + 1.9).abs() < 1e-5);
        assert!((params[0].bias[0] - 0.4).abs() < 1e-4);
    }

    #[test]
    fn minimises_a_quadratic() {
        // f(θ) = Σ (θᵢ − cᵢ)², gradient 2(θ − c).
        let target = array![[1.5, -3.0]];
        let mut params = vec![Dense {
            weights: array![[0.0, 0.0]],
            bias: Array1::zeros(1),
        }];
        let mut adam = Adam::new(0.05, &params);
        for _ in 0..2000 {
            let grads = vec![Dense {
                weights: (&params[0].weights - &target) * 2.0,
                bias: Array1::zeros(1),
            }];
            adam.step(&mut params, &grads);
        }
        assert!(
            (&params[0].weights - &target)
                .iter()
                .all(|d| d.abs() < 1e-3)
        );
    }
}
