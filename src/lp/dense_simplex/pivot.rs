//! The pivots: multipliers, steepest-edge choice of the leaving constraint, the ratio test
//! and the rank-one update of `B = A_W⁻¹` (recomputed from scratch now and then).

use super::kernels::{add_squares, axpy};
use super::*;

impl DenseSimplex {
    pub(super) fn recompute_activity(&mut self) {
        self.activity = (0..self.num_rows())
            .map(|r| self.row(r).map(|(k, v)| v * self.y[k]).sum())
            .collect();
    }

    pub(super) fn recompute_edge_norms(&mut self) {
        let n = self.num_cols();
        self.edge_norm2 = vec![0.0; n];
        for i in 0..n {
            add_squares(&mut self.edge_norm2, &self.inverse[i * n..(i + 1) * n]);
        }
    }

    /// Recomputes `B = A_W⁻¹` by Gauss–Jordan elimination with partial pivoting, then the
    /// vertex `y = B b_W`, the activities and the edge norms.
    pub(super) fn refactor(&mut self) -> Result<(), LpError> {
        let n = self.num_cols();
        let mut a = vec![0.0; n * n];
        for (q, active) in self.working.iter().enumerate() {
            match active.constraint {
                Constraint::Bound(k) => a[q * n + k] = 1.0,
                Constraint::Row(r) => {
                    for (k, v) in self.row(r) {
                        a[q * n + k] += v;
                    }
                }
            }
        }
        // Solve A X = I; X is B.
        let mut x = vec![0.0; n * n];
        for q in 0..n {
            x[q * n + q] = 1.0;
        }
        for col in 0..n {
            let pivot = (col..n)
                .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
                .ok_or(LpError::Singular)?;
            let p = a[pivot * n + col];
            if p.abs() < 1e-12 {
                return Err(LpError::Singular);
            }
            if pivot != col {
                for k in 0..n {
                    a.swap(pivot * n + k, col * n + k);
                    x.swap(pivot * n + k, col * n + k);
                }
            }
            let inv = 1.0 / p;
            for k in 0..n {
                a[col * n + k] *= inv;
                x[col * n + k] *= inv;
            }
            for i in 0..n {
                if i == col {
                    continue;
                }
                let f = a[i * n + col];
                if f == 0.0 {
                    continue;
                }
                for k in 0..n {
                    a[i * n + k] -= f * a[col * n + k];
                    x[i * n + k] -= f * x[col * n + k];
                }
            }
        }
        // A_W B = I with A_W's rows = working positions: B = X, rows = variables.
        self.inverse = x;
        self.refresh_vertex();
        self.recompute_edge_norms();
        self.pivots_since_refactor = 0;
        Ok(())
    }

    /// `y = B b_W` and `Ay`, removing drift of the incremental updates.
    pub(super) fn refresh_vertex(&mut self) {
        let n = self.num_cols();
        let rhs: Vec<f64> = self.working.iter().map(|&a| self.target(a)).collect();
        for i in 0..n {
            let row = &self.inverse[i * n..(i + 1) * n];
            self.y[i] = row.iter().zip(&rhs).map(|(b, t)| b * t).sum();
        }
        self.recompute_activity();
    }

    /// `λ = Bᵀc` for a sparse `c`.
    pub(super) fn multipliers(&self, objective: &[(usize, f64)]) -> Vec<f64> {
        let n = self.num_cols();
        let mut lambda = vec![0.0; n];
        for &(k, ck) in objective {
            axpy(&mut lambda, ck, &self.inverse[k * n..(k + 1) * n]);
        }
        lambda
    }

    /// The gain per unit of leaving position `q` (positive: improving).
    pub(super) fn gain(&self, q: usize, lambda: &[f64]) -> f64 {
        self.leave_sign[q] * lambda[q]
    }

    /// `gain = sign · λ_q`: +1 at a lower side, −1 at an upper side, 0 for an equality (it
    /// never leaves).
    pub(super) fn leave_sign(&self, active: Active) -> f64 {
        if self.is_fixed(active.constraint) {
            return 0.0;
        }
        match active.side {
            Side::Upper => -1.0,
            Side::Lower => 1.0,
        }
    }

    pub(super) fn set_working(&mut self, q: usize, active: Active) {
        self.working[q] = active;
        self.leave_sign[q] = self.leave_sign(active);
    }

    /// Moves off working-set position `p` to the first constraint hit (or to the other side
    /// of `p` itself) and updates `B` and the multipliers `λ = Bᵀc`.
    pub(super) fn pivot(&mut self, p: usize, lambda: &mut [f64]) -> Result<(), LpError> {
        let n = self.num_cols();
        let leaving = self.working[p];
        let sigma = match leaving.side {
            Side::Upper => -1.0,
            Side::Lower => 1.0,
        };
        let direction: Vec<f64> = (0..n).map(|i| sigma * self.inverse[i * n + p]).collect();
        let r_scale = direction.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
        // Rows in the working set stay tight (A_W r = σ e_p), so only the others are priced.
        let mut row_change: Vec<f64> = self
            .row_start
            .windows(2)
            .zip(&self.row_active)
            .map(|(w, &active)| {
                if active {
                    return 0.0;
                }
                let (idx, val) = (&self.row_index[w[0]..w[1]], &self.row_value[w[0]..w[1]]);
                idx.iter().zip(val).map(|(&k, v)| v * direction[k]).sum()
            })
            .collect();
        if let Constraint::Row(r) = leaving.constraint {
            row_change[r] = sigma;
        }
        // Two-pass (Harris) ratio test over the column bounds and rows not in the working set,
        // plus the leaving constraint's own other side (its value moves at rate σ).
        let ratio = |d: f64, lo: f64, hi: f64, value: f64, slack: bool| -> Option<f64> {
            let (bound, tol) = if d > 0.0 {
                (hi, FEASIBILITY_TOLERANCE * (1.0 + hi.abs()))
            } else {
                (lo, FEASIBILITY_TOLERANCE * (1.0 + lo.abs()))
            };
            if !bound.is_finite() {
                return None;
            }
            let room = if slack {
                (bound - value) + d.signum() * tol
            } else {
                bound - value
            };
            Some((room / d).max(0.0))
        };
        let (own_lo, own_hi) = self.limits(leaving.constraint);
        let own_value = self.target(leaving);
        let bound_tol = PIVOT_TOLERANCE * r_scale;
        let this = &*self;
        let priced_bounds = || {
            direction
                .iter()
                .enumerate()
                .filter(move |&(k, d)| !this.bound_active[k] && d.abs() > bound_tol)
        };
        let priced_rows = || {
            row_change.iter().enumerate().filter(move |&(r, d)| {
                !this.row_active[r] && d.abs() > bound_tol * this.row_scale[r]
            })
        };
        // Pass 1: the longest step that violates nothing by more than the tolerance.
        let mut longest = ratio(sigma, own_lo, own_hi, own_value, true).unwrap_or(f64::INFINITY);
        for (k, &d) in priced_bounds() {
            if let Some(t) = ratio(d, self.col_lo[k], self.col_hi[k], self.y[k], true) {
                longest = longest.min(t);
            }
        }
        for (r, &d) in priced_rows() {
            if let Some(t) = ratio(d, self.row_lo[r], self.row_hi[r], self.activity[r], true) {
                longest = longest.min(t);
            }
        }
        if !longest.is_finite() {
            return Err(LpError::Unbounded);
        }
        // Pass 2: among the constraints hit within that step, the most stable pivot (largest
        // rate of change relative to the row's scale).
        // (constraint, rate, step, weight)
        let mut chosen: Option<(Constraint, f64, f64, f64)> = None;
        let mut consider =
            |c: Constraint, d: f64, (lo, hi): (f64, f64), value: f64, weight: f64| {
                if let Some(t) = ratio(d, lo, hi, value, false)
                    && t <= longest
                    && chosen.is_none_or(|(_, _, _, w)| weight > w)
                {
                    chosen = Some((c, d, t, weight));
                }
            };
        let own_weight = 1.0 / self.scale_of(leaving.constraint);
        consider(
            leaving.constraint,
            sigma,
            (own_lo, own_hi),
            own_value,
            own_weight,
        );
        for (k, &d) in priced_bounds() {
            let limits = (self.col_lo[k], self.col_hi[k]);
            consider(Constraint::Bound(k), d, limits, self.y[k], d.abs());
        }
        for (r, &d) in priced_rows() {
            let (limits, weight) = (
                (self.row_lo[r], self.row_hi[r]),
                d.abs() / self.row_scale[r],
            );
            consider(Constraint::Row(r), d, limits, self.activity[r], weight);
        }
        let (entering, d, step, _) = chosen.ok_or(LpError::Unbounded)?;
        for (yk, dk) in self.y.iter_mut().zip(&direction) {
            *yk += step * dk;
        }
        for (act, dr) in self.activity.iter_mut().zip(&row_change) {
            *act += step * dr;
        }
        self.iterations += 1;
        let entering_side = if d > 0.0 { Side::Upper } else { Side::Lower };
        if entering == leaving.constraint {
            let flipped = Active {
                constraint: entering,
                side: entering_side,
            };
            self.set_working(p, flipped);
            return Ok(());
        }
        // rowv = a_jᵀ B; α = rowv_p = a_jᵀ B e_p.
        let mut rowv = vec![0.0; n];
        match entering {
            Constraint::Bound(k) => rowv.copy_from_slice(&self.inverse[k * n..(k + 1) * n]),
            Constraint::Row(r) => {
                let range = self.row_start[r]..self.row_start[r + 1];
                for idx in range {
                    let (k, v) = (self.row_index[idx], self.row_value[idx]);
                    axpy(&mut rowv, v, &self.inverse[k * n..(k + 1) * n]);
                }
            }
        }
        let alpha = rowv[p];
        if alpha.abs() < PIVOT_TOLERANCE * r_scale.max(1.0) * self.scale_of(entering) {
            return Err(LpError::Singular);
        }
        let column: Vec<f64> = (0..n).map(|i| self.inverse[i * n + p]).collect();
        for (i, &col_i) in column.iter().enumerate() {
            // Rows of B with a zero in column p are unchanged (often most of them: later
            // layers do not influence earlier variables).
            if col_i == 0.0 {
                continue;
            }
            let f = col_i / alpha;
            let row = &mut self.inverse[i * n..(i + 1) * n];
            axpy(row, -f, &rowv);
            row[p] = f;
        }
        // λ' = B'ᵀc = λ − (λ_p/α)(rowv − e_p), as cᵀB e_p = λ_p.
        let ratio_p = lambda[p] / alpha;
        axpy(lambda, -ratio_p, &rowv);
        lambda[p] = ratio_p;
        self.pivots_since_refactor += 1;
        // Exact edge norms every few pivots; in between only position p's is refreshed.
        // Stale weights only change which improving edge is taken, never correctness.
        if self.pivots_since_refactor.is_multiple_of(NORMS_EVERY) {
            self.recompute_edge_norms();
        } else {
            self.edge_norm2[p] = column.iter().map(|c| c * c).sum::<f64>() / (alpha * alpha);
        }
        self.bound_or_row_flag(leaving.constraint, false);
        self.bound_or_row_flag(entering, true);
        self.set_working(
            p,
            Active {
                constraint: entering,
                side: entering_side,
            },
        );
        Ok(())
    }
}
