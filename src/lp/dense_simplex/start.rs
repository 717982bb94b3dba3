//! Starting vertices: the polytope is layered, so a vertex is built column by column, and
//! the model may grow by placing the new columns after the old vertex.

use super::kernels::axpy;
use super::*;

impl DenseSimplex {
    /// Loads the columns and rows of `model` beyond those already loaded, keeping the vertex.
    ///
    /// `model` must extend the loaded one (same first columns and rows), have finite column
    /// bounds, and every new row must involve at most one column that is newer than all its
    /// others' (its "own" column) — true of the layered relaxations of a network. The model's
    /// objective and integrality are ignored.
    pub fn extend_to(&mut self, model: &LinearModel) -> Result<(), LpError> {
        self.usable()?;
        let (old_n, old_m) = (self.num_cols(), self.num_rows());
        let (n, m) = (model.num_cols(), model.num_rows());
        if n < old_n || m < old_m || !self.is_prefix_of(model) {
            return Err(LpError::Unsupported(
                "the new model does not extend the loaded one".into(),
            ));
        }
        for k in old_n..n {
            let (lo, hi) = (model.col_lower[k], model.col_upper[k]);
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(LpError::Unsupported(format!(
                    "column {k} has bounds [{lo}, {hi}]; finite bounds are needed"
                )));
            }
        }
        // Cleared only when the extension succeeds: any early return below leaves the
        // arrays inconsistent (e.g. edge norms of the old size).
        self.poisoned = true;
        self.col_lo.extend_from_slice(&model.col_lower[old_n..]);
        self.col_hi.extend_from_slice(&model.col_upper[old_n..]);
        // New rows, grouped by their own (newest) column.
        self.own_rows.resize(n, Vec::new());
        let mut old_rows = Vec::new();
        for r in old_m..m {
            let mut newest = None;
            let mut scale: f64 = 0.0;
            for (c, v) in model.row(r) {
                self.row_index.push(c);
                self.row_value.push(v);
                scale = scale.max(v.abs());
                newest = newest.max(Some(c));
            }
            self.row_start.push(self.row_index.len());
            self.row_lo.push(model.row_lower[r]);
            self.row_hi.push(model.row_upper[r]);
            self.row_scale.push(scale);
            self.row_active.push(false);
            match newest {
                Some(c) if c >= old_n => self.own_rows[c].push(r),
                _ => old_rows.push(r),
            }
        }
        self.bound_active.resize(n, false);
        self.y.resize(n, 0.0);
        self.grow_inverse(old_n, n);
        self.layered &= old_rows.is_empty();
        let placeholder = Active {
            constraint: Constraint::Bound(0),
            side: Side::Lower,
        };
        self.working.resize(n, placeholder);
        self.leave_sign.resize(n, 0.0);
        let mut placed = true;
        for c in old_n..n {
            match self.place_column(c, 0.0) {
                Ok((active, value)) => {
                    self.y[c] = value;
                    self.bound_or_row_flag(active.constraint, true);
                    self.set_working(c, active);
                    self.extend_inverse_row(c);
                }
                Err(_) => {
                    placed = false;
                    break;
                }
            }
        }
        if !placed {
            // The last vertex cannot be extended (the new bounds cut it off, e.g. bounds
            // tighter than this relaxation from MILP-OBBT): start over column by column.
            self.rebuild(&vec![0.0; n])?;
        }
        self.recompute_activity();
        for r in old_rows.into_iter().chain(old_m..m) {
            if self.row_violation(r) > FEASIBILITY_TOLERANCE {
                return Err(LpError::NoStart(Some(n.saturating_sub(1))));
            }
        }
        self.recompute_edge_norms();
        self.poisoned = false;
        Ok(())
    }

    /// Whether the loaded columns and rows are exactly the first ones of `model`: the
    /// certificate is only valid for the polytope actually loaded, so a caller that changed
    /// an old bound or row must start afresh.
    pub(super) fn is_prefix_of(&self, model: &LinearModel) -> bool {
        let (n, m) = (self.num_cols(), self.num_rows());
        (0..n).all(|k| model.col_lower[k] == self.col_lo[k] && model.col_upper[k] == self.col_hi[k])
            && (0..m).all(|r| {
                model.row_lower[r] == self.row_lo[r]
                    && model.row_upper[r] == self.row_hi[r]
                    && model.row(r).eq(self.row(r))
            })
    }

    pub(super) fn usable(&self) -> Result<(), LpError> {
        if self.poisoned {
            return Err(LpError::Unsupported(
                "an earlier extension failed; load the model into a new solver".into(),
            ));
        }
        Ok(())
    }

    /// The constraint that defines column `c` from the earlier columns' current values, and
    /// the value it gives: among the column's bounds and its own rows made tight, the feasible
    /// candidate with the largest value (`preference > 0`), the smallest (`< 0`), or the least
    /// violation (`0`, and when no candidate is feasible).
    pub(super) fn place_column(
        &mut self,
        c: usize,
        preference: f64,
    ) -> Result<(Active, f64), LpError> {
        // Activity of each own row without column c, and c's coefficient in it.
        let mut parts = std::mem::take(&mut self.scratch_parts);
        parts.clear();
        for &r in &self.own_rows[c] {
            let (mut rest, mut coef) = (0.0, 0.0);
            for (k, v) in self.row(r) {
                if k == c {
                    coef += v;
                } else {
                    rest += v * self.y[k];
                }
            }
            parts.push((r, rest, coef));
        }
        let violation = |v: f64| {
            let mut worst = relative_excess(self.col_lo[c] - v, self.col_lo[c])
                .max(relative_excess(v - self.col_hi[c], self.col_hi[c]));
            for &(r, rest, coef) in &parts {
                let act = rest + coef * v;
                worst = worst
                    .max(relative_excess(self.row_lo[r] - act, self.row_lo[r]))
                    .max(relative_excess(act - self.row_hi[r], self.row_hi[r]));
            }
            worst
        };
        let mut preferred: Option<(Active, f64)> = None;
        let mut least: Option<(Active, f64, f64)> = None;
        let mut consider = |active: Active, value: f64| {
            // Violations within the tolerance are rounding: they must not decide between two
            // feasible candidates (the first feasible one is the forward pass of a network).
            let worst = match violation(value) {
                w if w <= FEASIBILITY_TOLERANCE => 0.0,
                w => w,
            };
            if preference != 0.0
                && worst <= FEASIBILITY_TOLERANCE
                && preferred.is_none_or(|(_, v)| preference * value >= preference * v)
            {
                preferred = Some((active, value));
            }
            if least.is_none_or(|(_, _, w)| worst < w) {
                least = Some((active, value, worst));
            }
        };
        for (side, value) in [(Side::Lower, self.col_lo[c]), (Side::Upper, self.col_hi[c])] {
            let active = Active {
                constraint: Constraint::Bound(c),
                side,
            };
            consider(active, value);
        }
        for &(r, rest, coef) in &parts {
            if coef.abs() <= PIVOT_TOLERANCE * self.row_scale[r] {
                continue;
            }
            for (side, bound) in [(Side::Lower, self.row_lo[r]), (Side::Upper, self.row_hi[r])] {
                if bound.is_finite() {
                    let active = Active {
                        constraint: Constraint::Row(r),
                        side,
                    };
                    consider(active, (bound - rest) / coef);
                }
            }
        }
        self.scratch_parts = parts;
        if let Some(found) = preferred {
            return Ok(found);
        }
        match least {
            Some((active, value, worst)) if worst <= FEASIBILITY_TOLERANCE => Ok((active, value)),
            _ => Err(LpError::NoStart(Some(c))),
        }
    }

    /// Restarts from a vertex built for the objective: going backward through the columns,
    /// each is placed on the own constraint that pushes it the way its effective cost
    /// (`c_k` plus what it contributes through the later columns' defining rows) wants;
    /// then forward, the values. For a network relaxation this is the greedy choice of a
    /// backward bound pass (upper line where the coefficient is positive, lower where
    /// negative), and the simplex then needs far fewer pivots than from the last optimum.
    /// Returns `false` (and changes nothing) when the model is not layered.
    pub(super) fn crash(&mut self, objective: &[f64]) -> Result<bool, LpError> {
        if !self.layered {
            return Ok(false);
        }
        let n = self.num_cols();
        let mut effective = objective.to_vec();
        let mut preference = vec![0.0; n];
        for c in (0..n).rev() {
            let e = effective[c];
            preference[c] = if e > 0.0 {
                1.0
            } else if e < 0.0 {
                -1.0
            } else {
                0.0
            };
            // A column with no feasible placement here is left to the forward pass.
            if e != 0.0
                && let Ok((active, _)) = self.place_column(c, preference[c])
                && let Constraint::Row(r) = active.constraint
            {
                let own: f64 = self.row(r).filter(|&(k, _)| k == c).map(|(_, v)| v).sum();
                let range = self.row_start[r]..self.row_start[r + 1];
                for idx in range {
                    let k = self.row_index[idx];
                    if k != c {
                        effective[k] -= self.row_value[idx] / own * e;
                    }
                }
            }
        }
        if self.rebuild(&preference).is_err() {
            self.rebuild(&vec![0.0; n])?;
        }
        Ok(true)
    }

    /// Places every column in order on one of its own constraints (see
    /// [`DenseSimplex::place_column`], with `preference[c]`) and recomputes `B`, the
    /// activities and the edge norms. With all preferences 0 and the inputs at their lower
    /// bounds this is a forward pass of the network through the relaxation, feasible
    /// whenever the bounds are valid for the network itself.
    pub(super) fn rebuild(&mut self, preference: &[f64]) -> Result<(), LpError> {
        self.bound_active.iter_mut().for_each(|a| *a = false);
        self.row_active.iter_mut().for_each(|a| *a = false);
        self.inverse.iter_mut().for_each(|b| *b = 0.0);
        for (c, &prefer) in preference.iter().enumerate() {
            let (active, value) = self.place_column(c, prefer)?;
            self.y[c] = value;
            self.bound_or_row_flag(active.constraint, true);
            self.set_working(c, active);
            self.extend_inverse_row(c);
        }
        self.recompute_activity();
        self.recompute_edge_norms();
        self.pivots_since_refactor = 0;
        Ok(())
    }

    /// Re-lays `B` from `old × old` to `new × new`, zero-filled.
    pub(super) fn grow_inverse(&mut self, old: usize, new: usize) {
        if old == new {
            return;
        }
        let mut grown = vec![0.0; new * new];
        for i in 0..old {
            grown[i * new..i * new + old].copy_from_slice(&self.inverse[i * old..(i + 1) * old]);
        }
        self.inverse = grown;
    }

    /// Fills row `c` of `B` for a new column defined by working-set position `c` (its own
    /// constraint involves only `c` and earlier columns):
    /// `B_c = (e_c − Σ_{k<c} a_k B_k) / a_c`.
    pub(super) fn extend_inverse_row(&mut self, c: usize) {
        let n = self.num_cols();
        let mut new_row = vec![0.0; n];
        new_row[c] = 1.0;
        let mut own = 1.0;
        if let Constraint::Row(r) = self.working[c].constraint {
            own = 0.0;
            let range = self.row_start[r]..self.row_start[r + 1];
            for idx in range {
                let (k, v) = (self.row_index[idx], self.row_value[idx]);
                if k == c {
                    own += v;
                } else {
                    axpy(&mut new_row, -v, &self.inverse[k * n..(k + 1) * n]);
                }
            }
        }
        new_row.iter_mut().for_each(|x| *x /= own);
        self.inverse[c * n..(c + 1) * n].copy_from_slice(&new_row);
    }
}
