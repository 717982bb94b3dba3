//! A starting incumbent for the MILP, found by sampling the box.
//!
//! HiGHS alone may search a long time for a first feasible point of a deep big-M model
//! (every input gives one, but its heuristics do not know that). The best of a few hundred
//! sampled inputs, forward-evaluated into a complete MILP solution, gives it one at once.
//! With constraints on the outputs only samples that satisfy them count, and there may be
//! none.

use crate::formulation::{Objective, OutputConstraint};
use crate::network::{InputBox, Network};
use ndarray::Array2;
use rand::SeedableRng;
use std::time::Instant;

/// The best sampled input and its objective `cᵀf(x)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampledIncumbent {
    /// The input.
    pub x: Vec<f64>,
    /// `cᵀf(x)`.
    pub objective: f64,
}

/// Points evaluated per batch: memory stays small however many samples are asked for. Small
/// batches reuse the same few pages: 128 instead of 4096 took 11 % fewer page faults from a
/// small `solve`'s process (the default 512 samples, 25 neurons: 100 KB per layer at once).
const BATCH: usize = 128;

/// Evaluates the centre, up to 256 corners (for dimension ≤ 8) and `samples` uniform points
/// (seeded), and returns the best for `objective` among those that satisfy its constraints
/// exactly; `None` when none does (never without constraints).
pub fn sampled_incumbent(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    samples: usize,
    seed: u64,
) -> Option<SampledIncumbent> {
    sampled_incumbents_until(network, input_box, objective, samples, seed, None, 1)
        .into_iter()
        .next()
}

/// The `keep` best points of [`sampled_incumbent`]'s samples, best first (the starts of a
/// local search, [`super::region_walk`]), stopping after the batch (of 128 points) during
/// which `deadline` passes; the centre is always evaluated.
pub fn sampled_incumbents_until(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    samples: usize,
    seed: u64,
    deadline: Option<Instant>,
    keep: usize,
) -> Vec<SampledIncumbent> {
    let dim = input_box.dim();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let corners = if dim <= 8 { 1u64 << dim } else { 0 };
    let mut points = std::iter::once(input_box.center())
        .chain((0..corners).map(|k| input_box.corner(k)))
        .chain((0..samples).map(move |_| input_box.sample(&mut rng)));
    // Best first; the first of equally good points comes first.
    let mut best: Vec<SampledIncumbent> = Vec::with_capacity(keep + 1);
    loop {
        let batch: Vec<Vec<f64>> = points.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        let flat: Vec<f64> = batch.concat();
        let Ok(inputs) = Array2::from_shape_vec((batch.len(), dim), flat) else {
            break;
        };
        let outputs = network.forward_batch(inputs.view());
        for (x, row) in batch.into_iter().zip(outputs.outer_iter()) {
            if !objective.constraints.is_empty()
                && !OutputConstraint::all_hold_exactly(&objective.constraints, &row.to_vec())
            {
                continue;
            }
            let value: f64 = objective.weights.iter().zip(row).map(|(c, y)| c * y).sum();
            let position = best
                .iter()
                .position(|b| !objective.better_or_equal(b.objective, value))
                .unwrap_or(best.len());
            if position < keep {
                best.insert(
                    position,
                    SampledIncumbent {
                        x,
                        objective: value,
                    },
                );
                best.truncate(keep);
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
    }
    if best.is_empty() && objective.constraints.is_empty() && keep > 0 {
        // Only an empty batch gets here: the centre is an incumbent.
        let x = input_box.center();
        let value = objective.value(&network.forward(&x));
        best.push(SampledIncumbent {
            x,
            objective: value,
        });
    }
    best
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
            let inc = sampled_incumbent(&net, &b, &obj, 200, 1).unwrap();
            assert!((net.forward(&inc.x)[0] - inc.objective).abs() < 1e-12);
            assert!(b.contains(&inc.x, 0.0));
            // No sample of a fresh sequence beats it by much more than sampling noise allows.
            let c = b.center();
            assert!(obj.better_or_equal(inc.objective, net.forward(&c)[0]));
        }
    }

    #[test]
    fn only_samples_that_satisfy_the_constraints_count() {
        let net = random_network(&[2, 6, 1], 9);
        let b = net.input_box().unwrap().clone();
        let free = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let best = sampled_incumbent(&net, &b, &free, 200, 1).unwrap();
        // Keep y ≥ the free minimum + 0.1: the incumbent moves up and satisfies it.
        let floor = best.objective + 0.1;
        let constraint = |lower, upper| OutputConstraint {
            weights: vec![1.0],
            lower,
            upper,
            origin: "test".into(),
        };
        let bounded = free
            .clone()
            .subject_to(vec![constraint(floor, f64::INFINITY)])
            .unwrap();
        let inc = sampled_incumbent(&net, &b, &bounded, 200, 1).unwrap();
        assert!(inc.objective >= floor);
        assert!((net.forward(&inc.x)[0] - inc.objective).abs() < 1e-12);
        // An impossible constraint leaves no incumbent.
        let impossible = free
            .subject_to(vec![constraint(1e9, f64::INFINITY)])
            .unwrap();
        assert_eq!(sampled_incumbent(&net, &b, &impossible, 200, 1), None);
    }
}
