//! A HiGHS instance kept alive to minimise many objectives over one feasible set.
//!
//! Bound tightening asks for `min cᵀx` over the same polytope for hundreds of `c`. Keeping
//! one HiGHS instance and changing only the costs lets the simplex start from the previous
//! optimal basis, which is several times faster than building a model per objective.
//!
//! The model is `!Send`: create the oracle on the thread that uses it. All oracles run with
//! `threads = 1`, one value everywhere, because HiGHS refuses different values on one thread.

use super::{HighsOptions, to_highs};
use crate::lp::{Col, LinearModel, LpBound, LpError, LpOracle};
use highs::HighsModelStatus;

impl LpOracle for ObjectiveOracle {
    fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError> {
        ObjectiveOracle::minimize(self, objective)
    }
}

/// Repeated minimisation of linear objectives over a fixed [`LinearModel`].
pub struct ObjectiveOracle {
    model: Option<highs::Model>,
    is_mip: bool,
    last_columns: Vec<Col>,
    /// Columns and rows loaded so far (see [`ObjectiveOracle::extend_to`]).
    num_cols: usize,
    num_rows: usize,
    /// Solves run so far.
    pub solves: usize,
    /// Simplex iterations run so far (LPs only).
    pub iterations: u64,
}

impl ObjectiveOracle {
    /// Loads `model` (its own objective is ignored) into a fresh HiGHS instance.
    ///
    /// `time_limit` applies to each minimisation (seconds); useful for MILPs.
    pub fn new(model: &LinearModel, time_limit: Option<f64>) -> Result<Self, LpError> {
        let mut zero_cost = model.clone();
        zero_cost.cost.iter_mut().for_each(|c| *c = 0.0);
        zero_cost.sense = None;
        let mut highs_model = to_highs(&zero_cost)?;
        let is_mip = model.integer.iter().any(|&i| i);
        HighsOptions::repeated(is_mip, time_limit).apply(&mut highs_model)?;
        Ok(Self {
            model: Some(highs_model),
            is_mip,
            num_cols: model.num_cols(),
            num_rows: model.num_rows(),
            last_columns: Vec::new(),
            solves: 0,
            iterations: 0,
        })
    }

    /// Limits each following minimisation to `seconds`.
    pub fn set_time_limit(&mut self, seconds: f64) -> Result<(), LpError> {
        let model = self
            .model
            .as_mut()
            .ok_or_else(|| LpError::Solver("the oracle lost its model after an error".into()))?;
        HighsOptions {
            time_limit: Some(seconds),
            ..HighsOptions::default()
        }
        .apply(model)
    }

    /// Appends the columns and rows of `model` beyond those already loaded, keeping the basis.
    ///
    /// `model` must extend the loaded one: its first columns and rows are those loaded, in the
    /// same order (the big-M and triangle models of successive prefixes of a network do).
    /// New columns start nonbasic and new rows basic, so the simplex continues from the last
    /// optimum instead of starting cold. Integer columns cannot be appended.
    pub fn extend_to(&mut self, model: &LinearModel) -> Result<(), LpError> {
        if model.num_cols() < self.num_cols || model.num_rows() < self.num_rows {
            return Err(LpError::Solver(
                "the new model does not extend the loaded one".into(),
            ));
        }
        if model.integer[self.num_cols..].iter().any(|&i| i) {
            return Err(LpError::Solver(
                "integer columns cannot be appended to a loaded model".into(),
            ));
        }
        let highs_model = self
            .model
            .as_mut()
            .ok_or_else(|| LpError::Solver("the oracle lost its model after an error".into()))?;
        let ptr = highs_model.as_mut_ptr();
        let int = |v: usize| v as highs_sys::HighsInt;
        let new_cols = self.num_cols..model.num_cols();
        if !new_cols.is_empty() {
            let zeros = vec![0.0; new_cols.len()];
            let starts = vec![0; new_cols.len()];
            // SAFETY: valid instance; arrays have `new_cols.len()` entries; no nonzeros.
            let status = unsafe {
                highs_sys::Highs_addCols(
                    ptr,
                    int(new_cols.len()),
                    zeros.as_ptr(),
                    model.col_lower[new_cols.clone()].as_ptr(),
                    model.col_upper[new_cols.clone()].as_ptr(),
                    0,
                    starts.as_ptr(),
                    std::ptr::null(),
                    std::ptr::null(),
                )
            };
            if status == highs_sys::kHighsStatusError {
                return Err(LpError::Solver("HiGHS could not add columns".into()));
            }
        }
        let new_rows = self.num_rows..model.num_rows();
        if !new_rows.is_empty() {
            let first = model.row_start[new_rows.start];
            let starts: Vec<highs_sys::HighsInt> = model.row_start[new_rows.clone()]
                .iter()
                .map(|&s| int(s - first))
                .collect();
            let index: Vec<highs_sys::HighsInt> =
                model.row_index[first..].iter().map(|&c| int(c)).collect();
            // SAFETY: valid instance; `starts` has one entry per new row, `index`/`value` the
            // new rows' nonzeros with column indices below `model.num_cols()`, all loaded.
            let status = unsafe {
                highs_sys::Highs_addRows(
                    ptr,
                    int(new_rows.len()),
                    model.row_lower[new_rows.clone()].as_ptr(),
                    model.row_upper[new_rows.clone()].as_ptr(),
                    int(index.len()),
                    starts.as_ptr(),
                    index.as_ptr(),
                    model.row_value[first..].as_ptr(),
                )
            };
            if status == highs_sys::kHighsStatusError {
                return Err(LpError::Solver("HiGHS could not add rows".into()));
            }
        }
        self.num_cols = model.num_cols();
        self.num_rows = model.num_rows();
        Ok(())
    }

    /// A valid lower bound on `min Σ coef·x_col` over the model.
    pub fn minimize(&mut self, terms: &[(Col, f64)]) -> Result<LpBound, LpError> {
        let mut model = self
            .model
            .take()
            .ok_or_else(|| LpError::Solver("the oracle lost its model after an error".into()))?;
        let mut columns: Vec<highs_sys::HighsInt> = Vec::with_capacity(terms.len());
        let mut costs: Vec<f64> = Vec::with_capacity(terms.len());
        // Zero the previous objective's columns, then set the new ones (later entries win).
        for &c in &self.last_columns {
            columns.push(c as highs_sys::HighsInt);
            costs.push(0.0);
        }
        let mut merged: Vec<(Col, f64)> = terms.to_vec();
        merged.sort_by_key(|&(c, _)| c);
        merged.dedup_by(|next, kept| {
            if next.0 == kept.0 {
                kept.1 += next.1;
                true
            } else {
                false
            }
        });
        for &(c, v) in &merged {
            if let Some(pos) = columns.iter().position(|&x| x == c as highs_sys::HighsInt) {
                costs[pos] = v;
            } else {
                columns.push(c as highs_sys::HighsInt);
                costs.push(v);
            }
        }
        // SAFETY: valid instance; `columns` and `costs` have the same length and in-range
        // indices (they come from the model's own columns).
        unsafe {
            highs_sys::Highs_changeColsCostBySet(
                model.as_mut_ptr(),
                columns.len() as highs_sys::HighsInt,
                columns.as_ptr(),
                costs.as_ptr(),
            );
        }
        self.last_columns = merged.iter().map(|&(c, _)| c).collect();
        // HiGHS's run clock keeps counting across runs of one instance, and its time limit is
        // checked against it: without this, the limit would be shared by all the objectives.
        // SAFETY: valid instance pointer.
        unsafe {
            highs_sys::Highs_zeroAllClocks(model.as_mut_ptr());
        }
        let solved = model
            .try_solve()
            .map_err(|e| LpError::Solver(format!("HiGHS failed: {e:?}")))?;
        self.solves += 1;
        if !self.is_mip {
            self.iterations += solved.simplex_iteration_count().max(0) as u64;
        }
        let status = solved.status();
        let result = if self.is_mip {
            let bound = solved
                .double_info_value(c"mip_dual_bound")
                .unwrap_or(f64::NAN);
            match status {
                HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
                    if bound.is_finite() =>
                {
                    Ok(LpBound {
                        lower_bound: bound,
                        time_limited: status == HighsModelStatus::ReachedTimeLimit,
                        minimizer: None,
                    })
                }
                other => Err(LpError::Solver(format!(
                    "MILP bound not available: {other:?}"
                ))),
            }
        } else {
            match status {
                HighsModelStatus::Optimal => Ok(LpBound {
                    minimizer: Some(solved.get_solution().columns().to_vec()),
                    ..LpBound::value(solved.objective_value())
                }),
                HighsModelStatus::ReachedTimeLimit => Err(LpError::TimeLimit),
                other => Err(LpError::Solver(format!(
                    "LP not solved to optimality: {other:?}"
                ))),
            }
        };
        self.model = Some(solved.into());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_many_objectives_over_one_polytope() {
        // x, y ∈ [0, 1], x + y ≤ 1.5
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 1.0, false);
        let y = m.add_column("y".into(), 0.0, 1.0, false);
        m.add_row("r".into(), f64::NEG_INFINITY, 1.5, &[(x, 1.0), (y, 1.0)]);
        let mut oracle = ObjectiveOracle::new(&m, None).unwrap();
        let min = |o: &mut ObjectiveOracle, t: &[(Col, f64)]| o.minimize(t).unwrap().lower_bound;
        assert!((min(&mut oracle, &[(x, 1.0)]) - 0.0).abs() < 1e-9);
        assert!((min(&mut oracle, &[(x, -1.0), (y, -1.0)]) + 1.5).abs() < 1e-9);
        assert!(
            (min(&mut oracle, &[(y, -1.0)]) + 1.0).abs() < 1e-9,
            "x's cost was reset"
        );
        assert!(
            (min(&mut oracle, &[(y, -1.0), (y, -1.0)]) + 2.0).abs() < 1e-9,
            "duplicates add"
        );
        assert_eq!(oracle.solves, 4);
    }

    #[test]
    fn extending_the_model_keeps_answers_exact() {
        // Start with x ∈ [0, 2]; then append y ∈ [0, 3] and the row x + y ≤ 2.5.
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 2.0, false);
        let mut oracle = ObjectiveOracle::new(&m, None).unwrap();
        assert!((oracle.minimize(&[(x, -1.0)]).unwrap().lower_bound + 2.0).abs() < 1e-9);
        let y = m.add_column("y".into(), 0.0, 3.0, false);
        m.add_row("r".into(), f64::NEG_INFINITY, 2.5, &[(x, 1.0), (y, 1.0)]);
        oracle.extend_to(&m).unwrap();
        let both = oracle
            .minimize(&[(x, -1.0), (y, -1.0)])
            .unwrap()
            .lower_bound;
        assert!((both + 2.5).abs() < 1e-9, "{both}");
        assert!((oracle.minimize(&[(y, -1.0)]).unwrap().lower_bound + 2.5).abs() < 1e-9);
        let shorter = LinearModel::new();
        assert!(oracle.extend_to(&shorter).is_err());
    }

    #[test]
    fn integer_models_give_their_dual_bound() {
        // max x + y over 2x + 2y ≤ 3 with x, y binary: LP says 1.5, MILP says 1.
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 1.0, true);
        let y = m.add_column("y".into(), 0.0, 1.0, true);
        m.add_row("r".into(), f64::NEG_INFINITY, 3.0, &[(x, 2.0), (y, 2.0)]);
        let mut oracle = ObjectiveOracle::new(&m, Some(10.0)).unwrap();
        let b = oracle.minimize(&[(x, -1.0), (y, -1.0)]).unwrap();
        assert!((b.lower_bound + 1.0).abs() < 1e-9, "{b:?}");
    }
}
