//! A small dense LP solver for `max cᵀx s.t. Ax ≤ b` in low dimension.
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

/// The optimum of an LP.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LpOptimum {
    /// `cᵀx*`.
    pub value: f64,
    /// A maximiser: a vertex of the polytope.
    pub x: Vec<f64>,
}

/// Why the dense solver gave up (the caller falls back to HiGHS).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LpFailure(pub String);

/// A row `a_i` with `a_i · r` below this is treated as parallel to the direction `r`
/// (rows have unit norm, directions too).
const PARALLEL: f64 = 1e-11;
/// Multipliers above `−MULTIPLIER_TOL·‖c‖` count as non-negative.
const MULTIPLIER_TOL: f64 = 1e-11;
/// Largest accepted violation of a row by the start or the optimum.
const FEASIBILITY_TOL: f64 = 1e-9;

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
pub(crate) fn maximize_dense(
    rows: &[f64],
    rhs: &[f64],
    dim: usize,
    c: &[f64],
    start: &[f64],
) -> Result<LpOptimum, LpFailure> {
    let m = rhs.len();
    let d = dim;
    if rows.len() != m * d || c.len() != d || start.len() != d || d == 0 {
        return Err(LpFailure("inconsistent dimensions".into()));
    }
    let row = |i: usize| &rows[i * d..(i + 1) * d];
    let violation = |x: &[f64]| {
        (0..m)
            .map(|i| (dot(row(i), x) - rhs[i]) / (1.0 + rhs[i].abs()))
            .fold(0.0_f64, f64::max)
    };
    if violation(start) > FEASIBILITY_TOL {
        return Err(LpFailure("the start point is infeasible".into()));
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
                .ok_or_else(|| LpFailure("no free direction".into()))?;
        }
        let rn = norm(&r);
        if rn == 0.0 {
            return Err(LpFailure("no free direction".into()));
        }
        r.iter_mut().for_each(|v| *v /= rn);
        let mut best: Option<(f64, usize)> = None;
        for i in (0..m).filter(|i| !active.contains(i)) {
            let ar = dot(row(i), &r);
            if ar > PARALLEL {
                let t = (rhs[i] - dot(row(i), &x)).max(0.0) / ar;
                if best.is_none_or(|(bt, _)| t < bt) {
                    best = Some((t, i));
                }
            }
        }
        let (t, entering) = best.ok_or_else(|| LpFailure("unbounded direction".into()))?;
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
        let lambda = solve_square(transposed, c.to_vec())
            .ok_or_else(|| LpFailure("singular vertex".into()))?;
        let leaving = (0..d)
            .filter(|&j| lambda[j] < -MULTIPLIER_TOL * c_norm)
            .min_by_key(|&j| active[j]);
        let Some(j) = leaving else {
            if violation(&x) > FEASIBILITY_TOL {
                return Err(LpFailure("the optimum violates a row".into()));
            }
            return Ok(LpOptimum {
                value: dot(c, &x),
                x,
            });
        };
        let mut e = vec![0.0; d];
        e[j] = -1.0;
        let r = solve_square(matrix, e).ok_or_else(|| LpFailure("singular vertex".into()))?;
        let rn = norm(&r);
        let mut best: Option<(f64, usize)> = None;
        for i in (0..m).filter(|i| !active.contains(i)) {
            let ar = dot(row(i), &r);
            if ar > PARALLEL * rn {
                let t = (rhs[i] - dot(row(i), &x)).max(0.0) / ar;
                // Ties keep the lowest index (Bland), as `i` increases.
                if best.is_none_or(|(bt, _)| t < bt) {
                    best = Some((t, i));
                }
            }
        }
        let (t, entering) = best.ok_or_else(|| LpFailure("unbounded edge".into()))?;
        x.iter_mut().zip(&r).for_each(|(xi, ri)| *xi += t * ri);
        active[j] = entering;
        snap_to_vertex(rows, rhs, d, &active, &mut x);
    }
    Err(LpFailure("iteration limit".into()))
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
    use crate::regions::highs_lp::highs_maximize;
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
        let opt = maximize_dense(&rows, &rhs, 2, &[1.0, 2.0], &[0.1, 0.1]).unwrap();
        assert!((opt.value - 2.5).abs() < 1e-12, "{opt:?}");
        assert!((opt.x[0] - 0.5).abs() < 1e-12 && (opt.x[1] - 1.0).abs() < 1e-12);
        // A zero objective returns a feasible vertex.
        let zero = maximize_dense(&rows, &rhs, 2, &[0.0, 0.0], &[0.1, 0.1]).unwrap();
        assert_eq!(zero.value, 0.0);
        assert!(maximize_dense(&rows, &rhs, 2, &[1.0, 0.0], &[2.0, 0.0]).is_err());
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
            let dense = maximize_dense(&rows, &rhs, d, &c, &center).unwrap();
            let extra_rows = &rows[2 * d * d..];
            let extra_rhs = &rhs[2 * d..];
            let highs = highs_maximize(&lower, &upper, extra_rows, extra_rhs, &c).unwrap();
            assert!(
                (dense.value - highs.value).abs() <= 1e-8 * (1.0 + highs.value.abs()),
                "trial {trial} (d = {d}): dense {} vs HiGHS {}",
                dense.value,
                highs.value
            );
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
        let opt = maximize_dense(&rows, &rhs, 2, &[1.0, 0.0], &[-0.5, 0.0]).unwrap();
        assert!((opt.value - 1.0).abs() < 1e-12, "{opt:?}");
        assert!(opt.x[1].abs() < 1e-12);
    }
}
