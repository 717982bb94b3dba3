//! Least-squares balancing of the MILP's coefficient magnitudes.
//!
//! Unknowns: `t` (one per hidden neuron, one per clipped-ReLU layer) and a common level `μ`.
//! Each coefficient `e` of [`log_coefficients`] contributes a residual `gₑ + Σ aₑᵥ tᵥ − μ`.
//! Minimising `Σ rₑ² + ε‖t‖²` (the small ridge `ε` pins the factors of neurons no coefficient
//! touches to 1) gives the normal equations `(AᵀA + εI) [t; μ] = −Aᵀg`, solved by conjugate
//! gradients without forming `AᵀA`.

use super::coefficients::{LogCoefficients, log_coefficients};
use crate::bounds::NetworkBounds;
use crate::network::Network;

/// Ridge weight keeping untouched factors at 1.
const RIDGE: f64 = 1e-6;

/// The optimal `log₂` factors, rounded to integers, per hidden layer and neuron.
pub fn balanced_log2_factors(network: &Network, bounds: &NetworkBounds) -> Vec<Vec<i32>> {
    let LogCoefficients {
        terms: residuals,
        var_of,
        n_vars,
    } = log_coefficients(network, bounds);
    let mu = n_vars;
    let n = n_vars + 1;
    // y = (AᵀA + εI_t) x, with the μ column −1 in every residual.
    let apply = |x: &[f64]| -> Vec<f64> {
        let mut y = vec![0.0; n];
        for r in &residuals {
            let mut ax = -x[mu];
            for &(v, c) in &r.vars {
                if v != usize::MAX {
                    ax += c * x[v];
                }
            }
            for &(v, c) in &r.vars {
                if v != usize::MAX {
                    y[v] += c * ax;
                }
            }
            y[mu] -= ax;
        }
        for (yi, xi) in y.iter_mut().zip(x).take(n_vars) {
            *yi += RIDGE * xi;
        }
        y
    };
    let mut rhs = vec![0.0; n];
    for r in &residuals {
        for &(v, c) in &r.vars {
            if v != usize::MAX {
                rhs[v] -= c * r.g;
            }
        }
        rhs[mu] += r.g;
    }
    let x = conjugate_gradient(apply, &rhs, 1e-10, 20 * n + 100);
    var_of
        .iter()
        .map(|layer| layer.iter().map(|&v| x[v].round() as i32).collect())
        .collect()
}

/// Solves `M x = b` for symmetric positive (semi)definite `M` given as a product.
fn conjugate_gradient(
    apply: impl Fn(&[f64]) -> Vec<f64>,
    b: &[f64],
    tolerance: f64,
    max_iterations: usize,
) -> Vec<f64> {
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut x = vec![0.0; b.len()];
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut rr = dot(&r, &r);
    let stop = tolerance * tolerance * rr.max(1e-300);
    for _ in 0..max_iterations {
        if rr <= stop {
            break;
        }
        let mp = apply(&p);
        let pmp = dot(&p, &mp);
        if pmp <= 0.0 {
            break;
        }
        let alpha = rr / pmp;
        x.iter_mut().zip(&p).for_each(|(x, p)| *x += alpha * p);
        r.iter_mut().zip(&mp).for_each(|(r, m)| *r -= alpha * m);
        let rr_next = dot(&r, &r);
        let beta = rr_next / rr;
        p.iter_mut().zip(&r).for_each(|(p, r)| *p = r + beta * *p);
        rr = rr_next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conjugate_gradient_solves_a_small_system() {
        // [[4, 1], [1, 3]] x = [1, 2] → x = [1/11, 7/11]
        let m = |x: &[f64]| vec![4.0 * x[0] + x[1], x[0] + 3.0 * x[1]];
        let x = conjugate_gradient(m, &[1.0, 2.0], 1e-12, 50);
        assert!((x[0] - 1.0 / 11.0).abs() < 1e-10 && (x[1] - 7.0 / 11.0).abs() < 1e-10);
    }
}
