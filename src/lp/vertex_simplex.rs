//! A small active-set simplex for `max cᵀx s.t. Ax ≤ b` in low dimension, from a known point.
//!
//! Region splitting solves thousands of LPs with a handful of variables and a few dozen
//! rows. HiGHS spends a fixed ≈ 0.1 ms per run on such problems; this active-set (vertex)
//! simplex takes a few microseconds. It is exact in the usual floating-point sense — the
//! optimum is a vertex computed by solving the `d × d` system of its tight rows — and it is
//! tested against HiGHS on random LPs. Any failure (iteration limit, ill-conditioned vertex,
//! violated rows) is reported, and the caller then asks HiGHS instead.
//!
//! Method: from a feasible start, move along the objective projected on the null space of
//! the rows already tight until `d` independent rows are tight (a vertex). Then, while some
//! multiplier `λ` of `A_Wᵀλ = c` is negative, leave that row along the edge `A_W r = −e_j`
//! and enter the first row hit. Bland's rule (lowest index leaves, lowest index among ties
//! enters) prevents cycling at degenerate vertices. The polytope must be bounded (the box).

use super::{Col, LpBound, LpError, LpOracle};

/// The optimum of an LP with its maximiser.
#[derive(Debug, Clone, PartialEq)]
pub struct LpOptimum {
    /// `cᵀx*`.
    pub value: f64,
    /// A maximiser: a vertex of the polytope.
    pub x: Vec<f64>,
}

/// A row `a_i` with `a_i · r` below this is treated as parallel to the direction `r`
/// (rows have unit norm, directions too).
const PIVOT_TOLERANCE: f64 = 1e-11;
/// Multipliers above `−OPTIMALITY_TOLERANCE·‖c‖` count as non-negative.
const OPTIMALITY_TOLERANCE: f64 = 1e-11;
/// Largest accepted violation of a row by the start or the optimum, relative to `1 + |b_i|`.
const FEASIBILITY_TOLERANCE: f64 = 1e-9;

/// The polytope `{x : rows·x ≤ rhs}` (bounded, unit rows) as an [`LpOracle`], started from a
/// point the caller knows to be feasible.
#[derive(Debug, Clone)]
pub struct VertexSimplex {
    rows: Vec<f64>,
    rhs: Vec<f64>,
    dim: usize,
    start: Option<Vec<f64>>,
}

impl VertexSimplex {
    /// The polytope `rows·x ≤ rhs` (`rows` row-major with `dim` columns, each of unit norm).
    pub fn new(rows: Vec<f64>, rhs: Vec<f64>, dim: usize) -> Self {
        Self {
            rows,
            rhs,
            dim,
            start: None,
        }
    }

    /// The feasible point the next objectives start from (none: they fail with
    /// [`LpError::NoStart`]).
    pub fn set_start(&mut self, start: Option<Vec<f64>>) {
        self.start = start;
    }
}

impl LpOracle for VertexSimplex {
    fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError> {
        let start = self.start.as_deref().ok_or(LpError::NoStart(None))?;
        let mut c = vec![0.0; self.dim];
        for &(j, v) in objective {
            *c.get_mut(j)
                .ok_or_else(|| LpError::Unsupported(format!("no column {j}")))? -= v;
        }
        let opt = maximize_from(&self.rows, &self.rhs, self.dim, &c, start)?;
        Ok(LpBound {
            lower_bound: -opt.value,
            time_limited: false,
            minimizer: Some(opt.x),
        })
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Solves `M z = rhs` for a small square `M` (row-major `n × n`) by Gaussian elimination with
/// partial pivoting; `None` if `M` is numerically singular.
fn solve_square(mut m: Vec<f64>, mut rhs: Vec<f64>) -> Option<Vec<f64>> {
    let n = rhs.len();
    let scale = m.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&a, &b| m[a * n + col].abs().total_cmp(&m[b * n + col].abs()))?;
        if m[pivot * n + col].abs() <= 1e-13 * scale {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                m.swap(pivot * n + k, col * n + k);
            }
            rhs.swap(pivot, col);
        }
        let p = m[col * n + col];
        for r in col + 1..n {
            let f = m[r * n + col] / p;
            if f != 0.0 {
                for k in col..n {
                    m[r * n + k] -= f * m[col * n + k];
                }
                rhs[r] -= f * rhs[col];
            }
        }
    }
    let mut z = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| m[r * n + k] * z[k]).sum();
        z[r] = (rhs[r] - s) / m[r * n + r];
    }
    z.iter().all(|v| v.is_finite()).then_some(z)
}

/// `max cᵀx s.t. rows·x ≤ rhs` (`rows` row-major with `dim` columns, each of unit norm), from
/// the feasible point `start`. The polytope must be bounded.
pub fn maximize_from(
    rows: &[f64],
    rhs: &[f64],
    dim: usize,
    c: &[f64],
    start: &[f64],
) -> Result<LpOptimum, LpError> {
    let m = rhs.len();
    let d = dim;
    if rows.len() != m * d || c.len() != d || start.len() != d || d == 0 {
        return Err(LpError::Unsupported("inconsistent dimensions".into()));
    }
    let row = |i: usize| &rows[i * d..(i + 1) * d];
    let violation = |x: &[f64]| {
        (0..m)
            .map(|i| (dot(row(i), x) - rhs[i]) / (1.0 + rhs[i].abs()))
            .fold(0.0_f64, f64::max)
    };
    if violation(start) > FEASIBILITY_TOLERANCE {
        return Err(LpError::NoStart(None));
    }
    let c_norm = norm(c);
    let mut x = start.to_vec();
    let mut active: Vec<usize> = Vec::with_capacity(d);
    // An orthonormal basis of the span of the active rows, for projections.
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(d);
    let project_out = |basis: &[Vec<f64>], v: &[f64]| -> Vec<f64> {
        let mut r = v.to_vec();
        for q in basis {
            let s = dot(q, &r);
            r.iter_mut().zip(q).for_each(|(ri, qi)| *ri -= s * qi);
        }
        r
    };

    // Phase 1: walk to a vertex, improving the objective whenever it is not orthogonal to
    // the free directions.
    while active.len() < d {
        let mut r = project_out(&basis, c);
        if norm(&r) <= 1e-9 * c_norm.max(f64::MIN_POSITIVE) || c_norm == 0.0 {
            // The objective is constant on the free directions: any of them will do.
            r = (0..d)
                .map(|j| {
                    let mut e = vec![0.0; d];
                    e[j] = 1.0;
                    project_out(&basis, &e)
                })
                .max_by(|a, b| norm(a).total_cmp(&norm(b)))
                .ok_or(LpError::Singular)?;
        }
        let rn = norm(&r);
        if rn == 0.0 {
            return Err(LpError::Singular);
        }
        r.iter_mut().for_each(|v| *v /= rn);
        let mut best: Option<(f64, usize)> = None;
        for i in (0..m).filter(|i| !active.contains(i)) {
            let ar = dot(row(i), &r);
            if ar > PIVOT_TOLERANCE {
                let t = (rhs[i] - dot(row(i), &x)).max(0.0) / ar;
                if best.is_none_or(|(bt, _)| t < bt) {
                    best = Some((t, i));
                }
            }
        }
        let (t, entering) = best.ok_or(LpError::Unbounded)?;
        x.iter_mut().zip(&r).for_each(|(xi, ri)| *xi += t * ri);
        let mut q = project_out(&basis, row(entering));
        let qn = norm(&q);
        q.iter_mut().for_each(|v| *v /= qn);
        basis.push(q);
        active.push(entering);
    }
    snap_to_vertex(rows, rhs, d, &active, &mut x);

    // Phase 2: simplex pivots over vertices.
    let max_iterations = 50 * (m + d) + 100;
    for _ in 0..max_iterations {
        let matrix: Vec<f64> = active
            .iter()
            .flat_map(|&i| row(i).iter().copied())
            .collect();
        let mut transposed = vec![0.0; d * d];
        for r in 0..d {
            for k in 0..d {
                transposed[k * d + r] = matrix[r * d + k];
            }
        }
        let lambda = solve_square(transposed, c.to_vec()).ok_or(LpError::Singular)?;
        let leaving = (0..d)
            .filter(|&j| lambda[j] < -OPTIMALITY_TOLERANCE * c_norm)
            .min_by_key(|&j| active[j]);
        let Some(j) = leaving else {
            if violation(&x) > FEASIBILITY_TOLERANCE {
                return Err(LpError::Uncertified("the optimum violates a row".into()));
            }
            return Ok(LpOptimum {
                value: dot(c, &x),
                x,
            });
        };
        let mut e = vec![0.0; d];
        e[j] = -1.0;
        let r = solve_square(matrix, e).ok_or(LpError::Singular)?;
        let rn = norm(&r);
        let mut best: Option<(f64, usize)> = None;
        for i in (0..m).filter(|i| !active.contains(i)) {
            let ar = dot(row(i), &r);
            if ar > PIVOT_TOLERANCE * rn {
                let t = (rhs[i] - dot(row(i), &x)).max(0.0) / ar;
                // Ties keep the lowest index (Bland), as `i` increases.
                if best.is_none_or(|(bt, _)| t < bt) {
                    best = Some((t, i));
                }
            }
        }
        let (t, entering) = best.ok_or(LpError::Unbounded)?;
        x.iter_mut().zip(&r).for_each(|(xi, ri)| *xi += t * ri);
        active[j] = entering;
        snap_to_vertex(rows, rhs, d, &active, &mut x);
    }
    Err(LpError::PivotLimit(max_iterations))
}

/// Replaces `x` by the exact intersection of its `d` tight rows when that system is well
/// posed and its solution is close (walking accumulates rounding; the vertex does not).
fn snap_to_vertex(rows: &[f64], rhs: &[f64], d: usize, active: &[usize], x: &mut [f64]) {
    let matrix: Vec<f64> = active
        .iter()
        .flat_map(|&i| rows[i * d..(i + 1) * d].iter().copied())
        .collect();
    let b: Vec<f64> = active.iter().map(|&i| rhs[i]).collect();
    if let Some(v) = solve_square(matrix, b) {
        let scale = 1.0 + norm(x);
        let moved = v
            .iter()
            .zip(x.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        if moved <= 1e-6 * scale {
            x.copy_from_slice(&v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lp::{LinearModel, OneShotHighs};
    use rand::{Rng, SeedableRng};

    fn unit_rows(rows: &mut [f64], rhs: &mut [f64], d: usize) {
        for (i, b) in rhs.iter_mut().enumerate() {
            let r = &mut rows[i * d..(i + 1) * d];
            let n = norm(r);
            r.iter_mut().for_each(|v| *v /= n);
            *b /= n;
        }
    }

    #[test]
    fn solves_a_square() {
        // x, y ∈ [0, 1], x + y ≤ 1.5: max x + 2y = 0.5 + 2 = 2.5 at (0.5, 1).
        let mut rows = vec![1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0, 1.0, 1.0];
        let mut rhs = vec![1.0, 0.0, 1.0, 0.0, 1.5];
        unit_rows(&mut rows, &mut rhs, 2);
        let opt = maximize_from(&rows, &rhs, 2, &[1.0, 2.0], &[0.1, 0.1]).unwrap();
        assert!((opt.value - 2.5).abs() < 1e-12, "{opt:?}");
        assert!((opt.x[0] - 0.5).abs() < 1e-12 && (opt.x[1] - 1.0).abs() < 1e-12);
        // A zero objective returns a feasible vertex.
        let zero = maximize_from(&rows, &rhs, 2, &[0.0, 0.0], &[0.1, 0.1]).unwrap();
        assert_eq!(zero.value, 0.0);
        assert!(maximize_from(&rows, &rhs, 2, &[1.0, 0.0], &[2.0, 0.0]).is_err());
    }

    /// Random polytopes (a box cut by random half-spaces through the neighbourhood of a
    /// known interior point) in dimensions 1–6: the dense optimum equals HiGHS's.
    #[test]
    fn agrees_with_highs_on_random_lps() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(11);
        let mut checked = 0;
        for trial in 0..300 {
            let d = 1 + trial % 6;
            let lower = vec![-1.0; d];
            let upper = vec![1.0; d];
            let center: Vec<f64> = (0..d).map(|_| rng.random_range(-0.3..0.3)).collect();
            let mut rows = Vec::new();
            let mut rhs = Vec::new();
            for j in 0..d {
                let mut e = vec![0.0; d];
                e[j] = 1.0;
                rows.extend_from_slice(&e);
                rhs.push(upper[j]);
                e[j] = -1.0;
                rows.extend_from_slice(&e);
                rhs.push(-lower[j]);
            }
            for _ in 0..rng.random_range(0..25) {
                let a: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
                let n = norm(&a);
                if n < 1e-3 {
                    continue;
                }
                let a: Vec<f64> = a.iter().map(|v| v / n).collect();
                // Keep the centre strictly inside.
                let b = dot(&a, &center) + rng.random_range(0.01..0.8);
                rows.extend_from_slice(&a);
                rhs.push(b);
            }
            let c: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
            let dense = maximize_from(&rows, &rhs, d, &c, &center).unwrap();
            let mut cell = LinearModel::new();
            for j in 0..d {
                cell.add_column(format!("x{j}"), lower[j], upper[j], false);
            }
            for (i, &b) in rhs.iter().enumerate().skip(2 * d) {
                let terms: Vec<(Col, f64)> = rows[i * d..(i + 1) * d]
                    .iter()
                    .copied()
                    .enumerate()
                    .collect();
                cell.add_row(format!("r{i}"), f64::NEG_INFINITY, b, &terms);
            }
            let negated: Vec<(Col, f64)> = c.iter().map(|v| -v).enumerate().collect();
            let highs = -OneShotHighs::new(cell)
                .minimize(&negated)
                .unwrap()
                .lower_bound;
            assert!(
                (dense.value - highs).abs() <= 1e-8 * (1.0 + highs.abs()),
                "trial {trial} (d = {d}): dense {} vs HiGHS {highs}",
                dense.value,
            );
            // The maximiser is a feasible point that attains the value.
            assert_eq!(dense.value, dot(&c, &dense.x), "trial {trial}");
            for (i, &b) in rhs.iter().enumerate() {
                let excess = dot(&rows[i * d..(i + 1) * d], &dense.x) - b;
                assert!(
                    excess <= 1e-9 * (1.0 + b.abs()),
                    "trial {trial}: row {i} by {excess}"
                );
            }
            // The same LP through the oracle interface: the minimum of −cᵀx, with the point.
            let mut oracle = VertexSimplex::new(rows.clone(), rhs.clone(), d);
            assert!(oracle.minimize(&negated).is_err(), "no start point yet");
            oracle.set_start(Some(center.clone()));
            let bound = oracle.minimize(&negated).unwrap();
            assert_eq!(bound.lower_bound, -dense.value);
            assert_eq!(bound.minimizer.as_deref(), Some(dense.x.as_slice()));
            checked += 1;
        }
        assert!(checked >= 290);
    }

    #[test]
    fn handles_degenerate_vertices() {
        // A pyramid apex where four rows meet in 2-D (degenerate), objective towards it.
        let mut rows = vec![
            1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0, 1.0, 1.0, 1.0, -1.0, 2.0, 1.0, 2.0, -1.0,
        ];
        let mut rhs = vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0];
        unit_rows(&mut rows, &mut rhs, 2);
        let opt = maximize_from(&rows, &rhs, 2, &[1.0, 0.0], &[-0.5, 0.0]).unwrap();
        assert!((opt.value - 1.0).abs() < 1e-12, "{opt:?}");
        assert!(opt.x[1].abs() < 1e-12);
    }
}
