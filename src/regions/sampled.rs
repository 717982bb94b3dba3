//! A lower bound for large inputs: distinct activation patterns over random samples.

use super::pattern::Phase;
use super::{CountMethod, RegionCount, RegionsError, StopReason, check_box};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use ndarray::Array2;
use rand::SeedableRng;
use rayon::prelude::*;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

/// Points evaluated per batch (between cancellation checks).
const BATCH: usize = 4096;

/// Counts the distinct activation patterns of `samples` points drawn uniformly from
/// `input_box` with the seeded generator `seed`: a LOWER bound on the number of regions
/// (regions no sample hits are missed), reported with `exact = false` and `samples = N`.
///
/// `per_layer[k]` counts distinct patterns of hidden layers `1..=k`. Patterns are compared by
/// 128-bit hashes: a collision could only merge two patterns, which keeps the bound valid.
/// Cancelling returns the bound over the samples evaluated so far.
pub fn sample_patterns(
    network: &Network,
    input_box: &InputBox,
    samples: usize,
    seed: u64,
    control: &TaskControl,
) -> Result<RegionCount, RegionsError> {
    let started = Instant::now();
    if samples == 0 {
        return Err(RegionsError::InvalidOption(
            "the sampled estimate needs at least one sample".into(),
        ));
    }
    check_box(network, input_box, 1.0)?;
    let hidden = network.hidden_layers().len();
    let mut seen: Vec<HashSet<u128>> = vec![HashSet::new(); hidden];
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let d = network.input_dim();
    let mut evaluated = 0;
    let mut stopped = None;
    while evaluated < samples {
        if control.is_cancelled() {
            stopped = Some(StopReason::Cancelled);
            break;
        }
        if control.past_deadline() {
            stopped = Some(StopReason::TimeLimit);
            break;
        }
        let n = BATCH.min(samples - evaluated);
        let mut points = Array2::<f64>::zeros((n, d));
        for mut row in points.outer_iter_mut() {
            let x = input_box.sample(&mut rng);
            row.iter_mut().zip(x).for_each(|(r, v)| *r = v);
        }
        let keys = batch_keys(network, &points);
        for (set, layer_keys) in seen.iter_mut().zip(keys) {
            set.extend(layer_keys);
        }
        evaluated += n;
        control.report(evaluated as f64 / samples as f64, "sampling patterns");
    }
    let per_layer: Vec<usize> = seen.iter().map(HashSet::len).collect();
    Ok(RegionCount {
        count: per_layer.last().copied().unwrap_or(1),
        exact: false,
        per_layer,
        method: CountMethod::Sampled,
        time_s: started.elapsed().as_secs_f64(),
        samples: Some(evaluated),
        stopped,
        tolerance: None,
        lps_solved: 0,
        lp_fallbacks: 0,
    })
}

/// For each hidden layer `k`, the hash of every point's pattern prefix (layers `1..=k`).
fn batch_keys(network: &Network, points: &Array2<f64>) -> Vec<Vec<u128>> {
    let pre = network.preactivations_batch(points.view());
    let hidden = network.hidden_layers();
    let n = points.nrows();
    // Each point's running hash, extended layer by layer (in parallel over points).
    let mut states: Vec<(u64, u64)> = vec![(0x9e37_79b9, 0x85eb_ca6b); n];
    let mut out = Vec::with_capacity(hidden.len());
    for (layer, a) in hidden.iter().zip(&pre) {
        let act = layer.activation;
        states
            .par_iter_mut()
            .zip(a.outer_iter().collect::<Vec<_>>().into_par_iter())
            .for_each(|(state, row)| {
                let phases: Vec<Phase> = row.iter().map(|&v| Phase::of(act, v)).collect();
                let mut h1 = DefaultHasher::new();
                (state.0, &phases).hash(&mut h1);
                let mut h2 = DefaultHasher::new();
                (state.1, 0x5bd1_e995_u64, &phases).hash(&mut h2);
                *state = (h1.finish(), h2.finish());
            });
        out.push(
            states
                .iter()
                .map(|&(a, b)| ((a as u128) << 64) | b as u128)
                .collect(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::random_network;

    #[test]
    fn is_reproducible_and_labelled_as_a_bound() {
        let net = random_network(&[3, 8, 8, 1], 4);
        let b = net.input_box().unwrap().clone();
        let control = TaskControl::default();
        let a = sample_patterns(&net, &b, 5000, 1, &control).unwrap();
        let again = sample_patterns(&net, &b, 5000, 1, &control).unwrap();
        assert_eq!(a.per_layer, again.per_layer);
        assert!(!a.exact);
        assert_eq!(a.samples, Some(5000));
        assert!(a.per_layer[0] <= a.per_layer[1]);
        assert!(sample_patterns(&net, &b, 0, 1, &control).is_err());
    }
}
