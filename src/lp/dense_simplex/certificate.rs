//! The weak-duality certificate of an optimum (see the module docs).

use super::*;

impl DenseSimplex {
    /// The weak-duality bound of the module docs, checked against the primal value.
    pub(super) fn certify(
        &mut self,
        objective: &[(usize, f64)],
        dense: &[f64],
        lambda: &[f64],
    ) -> Result<f64, LpError> {
        self.refresh_vertex();
        let n = self.num_cols();
        let infeasible = (0..n).any(|k| {
            relative_excess(self.col_lo[k] - self.y[k], self.col_lo[k])
                .max(relative_excess(self.y[k] - self.col_hi[k], self.col_hi[k]))
                > 10.0 * FEASIBILITY_TOLERANCE
        }) || (0..self.num_rows())
            .any(|r| self.row_violation(r) > 10.0 * FEASIBILITY_TOLERANCE);
        let primal: f64 = objective.iter().map(|&(k, v)| v * self.y[k]).sum();
        if infeasible {
            return Err(LpError::Uncertified(
                "the vertex violates a constraint".into(),
            ));
        }
        let mut residual = dense.to_vec();
        // Σ|terms| of every floating-point sum below, for the rounding allowance.
        let mut residual_magnitude: Vec<f64> = dense.iter().map(|v| v.abs()).collect();
        let mut dual = 0.0;
        let mut magnitude = 0.0;
        let mut terms = 0;
        for (q, active) in self.working.iter().enumerate() {
            let (lo, hi) = self.limits(active.constraint);
            let fixed = lo == hi;
            let l = match active.side {
                _ if fixed => lambda[q],
                Side::Upper => lambda[q].max(0.0),
                Side::Lower => lambda[q].min(0.0),
            };
            if l == 0.0 {
                continue;
            }
            let side = if l > 0.0 { l * hi } else { l * lo };
            dual += side;
            magnitude += side.abs();
            terms += 1;
            match active.constraint {
                Constraint::Bound(k) => {
                    residual[k] -= l;
                    residual_magnitude[k] += l.abs();
                }
                Constraint::Row(r) => {
                    for (k, v) in self.row(r) {
                        residual[k] -= l * v;
                        residual_magnitude[k] += (l * v).abs();
                    }
                }
            }
        }
        for (k, &rho) in residual.iter().enumerate() {
            // `f64::max` would drop a NaN (0·∞), so non-finite residuals are refused first.
            if !rho.is_finite() {
                return Err(LpError::Uncertified("a non-finite residual".into()));
            }
            let reach = self.col_lo[k].abs().max(self.col_hi[k].abs());
            let term = (rho * self.col_lo[k]).max(rho * self.col_hi[k]);
            dual += term;
            magnitude += term.abs() + residual_magnitude[k] * reach;
        }
        let gap = dual - primal;
        // Above: not optimal. Below: the primal value at a (slightly infeasible) vertex may
        // pass the dual bound by a little, but not by more than the later safety margin;
        // beyond that the arithmetic went wrong. NaN fails both.
        let scale = 1.0 + primal.abs();
        if !dual.is_finite()
            || !(-NEGATIVE_GAP_TOLERANCE * scale..=GAP_TOLERANCE * scale).contains(&gap)
        {
            return Err(LpError::Uncertified(format!("gap {gap:e}")));
        }
        // Weak duality holds in exact arithmetic; each sum of N terms is off by at most
        // N·ε·Σ|terms| (recursive summation), so this allowance keeps the returned value a
        // bound in floating point too (Neumaier–Shcherbina-style safe bound).
        let rounding = 2.0 * (terms + 2 * self.num_cols() + 2) as f64 * f64::EPSILON * magnitude;
        Ok(dual + rounding)
    }
}
