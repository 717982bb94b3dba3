//! A starting incumbent for the MILP, found by sampling the box.
//!
//! HiGHS alone may search a long time for a first feasible point of a deep big-M model
//! (every input gives one, but its heuristics do not know that). The best of a few hundred
//! sampled inputs, forward-evaluated into a complete MILP solution, gives it one at once.

use crate::formulation::Objective;
use crate::network::{InputBox, Network};
use ndarray::Array2;
use rand::SeedableRng;

/// The best sampled input and its objective `cᵀf(x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledIncumbent {
    /// The input.
    pub x: Vec<f64>,
    /// `cᵀf(x)`.
    pub objective: f64,
}

/// Evaluates the centre, up to 256 corners (for dimension ≤ 8) and `samples` uniform points
/// (seeded), and returns the best for `objective`.
pub fn sampled_incumbent(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    samples: usize,
    seed: u64,
) -> SampledIncumbent {
    let dim = input_box.dim();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let corners = if dim <= 8 { 1u64 << dim } else { 0 };
    let mut points: Vec<Vec<f64>> = Vec::with_capacity(samples + 1 + corners as usize);
    points.push(input_box.center());
    points.extend((0..corners).map(|k| input_box.corner(k)));
    points.extend((0..samples).map(|_| input_box.sample(&mut rng)));
    let flat: Vec<f64> = points.concat();
    let batch = Array2::from_shape_vec((points.len(), dim), flat).expect("rows of equal length");
    let outputs = network.forward_batch(batch.view());
    let mut best = 0;
    let mut best_value = f64::NAN;
    for (i, row) in outputs.outer_iter().enumerate() {
        let value: f64 = objective.weights.iter().zip(row).map(|(c, y)| c * y).sum();
        if i == 0 || !objective.better_or_equal(best_value, value) {
            best = i;
            best_value = value;
        }
    }
    SampledIncumbent {
        x: points.swap_remove(best),
        objective: best_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::milp::Sense;
    use crate::network::tests::random_network;

    #[test]
    fn returns_the_best_sample_and_its_true_value() {
        let net = random_network(&[2, 6, 1], 9);
        let b = net.input_box().unwrap().clone();
        for sense in [Sense::Minimize, Sense::Maximize] {
            let obj = Objective::output(sense, 0, 1).unwrap();
            let inc = sampled_incumbent(&net, &b, &obj, 200, 1);
            assert!((net.forward(&inc.x)[0] - inc.objective).abs() < 1e-12);
            assert!(b.contains(&inc.x, 0.0));
            // No sample of a fresh sequence beats it by much more than sampling noise allows.
            let c = b.center();
            assert!(obj.better_or_equal(inc.objective, net.forward(&c)[0]));
        }
    }
}
