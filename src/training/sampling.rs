//! Seeded sampling: Latin hypercube designs and the independent random streams of a run.

use crate::network::InputBox;
use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// `n` points of a Latin hypercube design in `input_box`, one point per row.
///
/// Each side `[loᵢ, hiᵢ]` is cut into `n` equal strata and every stratum holds exactly one
/// point: `xᵢ = loᵢ + (πᵢ(k) + u) (hiᵢ − loᵢ) / n` with `πᵢ` a random permutation of
/// `0..n` and `u ~ U[0, 1)`. This covers each input evenly, which plain uniform sampling
/// does not for small `n`.
pub fn latin_hypercube<R: Rng + ?Sized>(
    input_box: &InputBox,
    n: usize,
    rng: &mut R,
) -> Array2<f64> {
    let dim = input_box.dim();
    let mut points = Array2::zeros((n, dim));
    let mut strata: Vec<usize> = (0..n).collect();
    for i in 0..dim {
        let (lo, hi) = (input_box.lower()[i], input_box.upper()[i]);
        strata.shuffle(rng);
        for (k, &stratum) in strata.iter().enumerate() {
            let u: f64 = rng.random();
            // `min` guards against `(n − 1 + u) / n` rounding up to exactly 1.
            let t = ((stratum as f64 + u) / n as f64).min(1.0);
            points[[k, i]] = lo + t * (hi - lo);
        }
    }
    points
}

/// The purposes that draw random numbers during one training run.
///
/// Each gets its own generator derived from the run's seed, so that e.g. changing the
/// dropout rate does not change the initial weights or the data split.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    Split = 1,
    Initialisation = 2,
    Shuffle = 3,
    Dropout = 4,
}

/// The generator for `purpose` in the run seeded with `seed`.
pub(crate) fn stream(seed: u64, purpose: Stream) -> Pcg64 {
    // Multiplying by an odd constant spreads consecutive purposes over the whole seed space.
    Pcg64::seed_from_u64(seed ^ (purpose as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A standard normal draw by the Box–Muller transform `√(−2 ln u₁) cos(2π u₂)`.
pub(crate) fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // `1 − u` lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dimension_has_one_point_per_stratum() {
        let b = InputBox::parse("-2,2;-5,5;0,1").unwrap();
        let mut rng = Pcg64::seed_from_u64(11);
        for n in [1, 7, 100, 1000] {
            let points = latin_hypercube(&b, n, &mut rng);
            assert_eq!(points.dim(), (n, 3));
            for i in 0..3 {
                let (lo, hi) = (b.lower()[i], b.upper()[i]);
                let mut seen = vec![false; n];
                for &x in points.column(i) {
                    assert!(lo <= x && x <= hi);
                    let stratum = (((x - lo) / (hi - lo)) * n as f64).floor() as usize;
                    let stratum = stratum.min(n - 1);
                    assert!(
                        !seen[stratum],
                        "dimension {i}: stratum {stratum} twice (n = {n})"
                    );
                    seen[stratum] = true;
                }
                assert!(seen.iter().all(|&s| s));
            }
        }
    }

    #[test]
    fn same_seed_same_design_and_degenerate_sides_are_fixed() {
        let b = InputBox::parse("-1,1;3,3").unwrap();
        let a = latin_hypercube(&b, 50, &mut Pcg64::seed_from_u64(5));
        let again = latin_hypercube(&b, 50, &mut Pcg64::seed_from_u64(5));
        let other = latin_hypercube(&b, 50, &mut Pcg64::seed_from_u64(6));
        assert_eq!(a, again);
        assert_ne!(a, other);
        assert!(a.column(1).iter().all(|&x| x == 3.0));
    }

    #[test]
    fn streams_differ_by_purpose_and_normals_have_unit_variance() {
        let mut a = stream(1, Stream::Shuffle);
        let mut b = stream(1, Stream::Dropout);
        assert_ne!(a.random::<u64>(), b.random::<u64>());
        let mut rng = stream(3, Stream::Initialisation);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }
}
