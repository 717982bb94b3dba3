//! Least-squares balancing of the MILP's coefficient magnitudes.
//!
//! Unknowns: `t` (one per hidden neuron, one per clipped-ReLU layer) and a common level `μ`.
//! Each nonzero coefficient `e` contributes a residual `gₑ + Σ aₑᵥ tᵥ − μ` with
//! `gₑ = log₂|value|` and `aₑ` holding `+1` for the neuron whose row it scales and `−1` for the
//! neuron whose column it scales. Minimising `Σ rₑ² + ε‖t‖²` (the small ridge `ε` pins the
//! factors of neurons no coefficient touches to 1) gives the normal equations
//! `(AᵀA + εI) [t; μ] = −Aᵀg`, solved by conjugate gradients without forming `AᵀA`.
//! Coefficients below [`NEGLIGIBLE`] are left out: HiGHS treats them as zero.

use crate::analysis::{NeuronState, neuron_state};
use crate::bounds::NetworkBounds;
use crate::milp::NEGLIGIBLE;
use crate::network::{Activation, Network};

/// Ridge weight keeping untouched factors at 1.
const RIDGE: f64 = 1e-6;

/// One residual: `g + Σ coef·x[var] − μ`.
struct Residual {
    g: f64,
    vars: [(usize, f64); 2],
}

/// The optimal `log₂` factors, rounded to integers, per hidden layer and neuron.
pub fn balanced_log2_factors(network: &Network, bounds: &NetworkBounds) -> Vec<Vec<i32>> {
    let hidden = network.hidden_layers();
    // Variable index of every hidden neuron (clipped layers share one variable).
    let mut var_of: Vec<Vec<usize>> = Vec::with_capacity(hidden.len());
    let mut n_vars = 0;
    for layer in hidden {
        match layer.activation {
            Activation::ClippedRelu { .. } => {
                var_of.push(vec![n_vars; layer.outputs()]);
                n_vars += 1;
            }
            _ => {
                var_of.push((n_vars..n_vars + layer.outputs()).collect());
                n_vars += layer.outputs();
            }
        }
    }
    let mu = n_vars;
    const NONE: (usize, f64) = (usize::MAX, 0.0);
    let mut residuals = Vec::new();
    // Entries HiGHS would drop as zero must not pull the fit (a 1e-30 weight is log₂ ≈ −100).
    let log = |v: f64| (v.abs() >= NEGLIGIBLE && v.is_finite()).then(|| v.abs().log2());
    for (k, layer) in network.layers().iter().enumerate() {
        let row_var = |i: usize| (k < hidden.len()).then(|| var_of[k][i]);
        let col_var = |j: usize| (k > 0).then(|| var_of[k - 1][j]);
        for ((i, j), &w) in layer.weights.indexed_iter() {
            if let Some(g) = log(w) {
                residuals.push(Residual {
                    g,
                    vars: [
                        row_var(i).map_or(NONE, |v| (v, 1.0)),
                        col_var(j).map_or(NONE, |v| (v, -1.0)),
                    ],
                });
            }
        }
        for (i, &b) in layer.bias.iter().enumerate() {
            if let Some(g) = log(b) {
                residuals.push(Residual {
                    g,
                    vars: [row_var(i).map_or(NONE, |v| (v, 1.0)), NONE],
                });
            }
        }
        if k < hidden.len() {
            let b = &bounds.layers[k];
            for ((&var, &l), &u) in var_of[k].iter().zip(&b.lower).zip(&b.upper) {
                // Only bounds that appear in the MILP count: none for inactive neurons.
                if neuron_state(layer.activation, l, u) == NeuronState::StablyInactive {
                    continue;
                }
                for v in [l, u] {
                    if let Some(g) = log(v) {
                        residuals.push(Residual {
                            g,
                            vars: [(var, 1.0), NONE],
                        });
                    }
                }
            }
        }
    }
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
