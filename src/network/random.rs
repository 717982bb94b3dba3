//! Seeded random networks, for benchmarks and tests that need many shapes.

use super::{Activation, InputBox, Layer, Network, NetworkError};
use ndarray::{Array1, Array2};
use rand::{Rng, SeedableRng};

/// A random dense network with layer widths `widths` (input first, output last), hidden
/// activation `hidden`, a linear output layer and the input box `[-1, 1]ⁿ`.
///
/// Weights are uniform in `±1.5·√(2/n_in)` (He-like, a little wider so that bounds grow with
/// depth as in trained networks) and biases uniform in `±0.5`; the same `seed` gives the same
/// network. Errors if there are fewer than two widths or a width is zero.
pub fn random_network(
    widths: &[usize],
    seed: u64,
    hidden: Activation,
) -> Result<Network, NetworkError> {
    if widths.len() < 2 {
        return Err(NetworkError::Empty);
    }
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let n = widths.len() - 1;
    let layers = (0..n)
        .map(|k| {
            let scale = 1.5 * (2.0 / widths[k].max(1) as f64).sqrt();
            let w = Array2::from_shape_fn((widths[k + 1], widths[k]), |_| {
                rng.random_range(-1.0..1.0) * scale
            });
            let b = Array1::from_shape_fn(widths[k + 1], |_| rng.random_range(-0.5..0.5));
            let activation = if k + 1 == n {
                Activation::Linear
            } else {
                hidden
            };
            Layer::new(w, b, activation)
        })
        .collect();
    let input_box = InputBox::new(vec![-1.0; widths[0]], vec![1.0; widths[0]])?;
    Network::new(layers, Some(input_box))
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
}
