//! HiGHS for the region LPs: the reference backend, and the fallback of the dense solver.
//!
//! HiGHS keeps one scheduler per OS thread and refuses a later model with another `threads`
//! value on the same thread, so every model here runs with `threads = 1`, like
//! [`ObjectiveOracle`], on whichever rayon worker builds it.

use super::RegionsError;
use super::dense_lp::LpOptimum;
use crate::milp::{LinearModel, ObjectiveOracle};
use highs::{HighsModelStatus, RowProblem, Sense};

fn solver_error(e: impl std::fmt::Debug) -> RegionsError {
    RegionsError::Solver(format!("HiGHS: {e:?}"))
}

/// `max cᵀx` over `{x ∈ [lower, upper] : rows·x ≤ rhs}` (`rows` row-major), with the
/// maximiser. Builds and solves one HiGHS model on the calling thread.
pub(crate) fn highs_maximize(
    lower: &[f64],
    upper: &[f64],
    rows: &[f64],
    rhs: &[f64],
    c: &[f64],
) -> Result<LpOptimum, RegionsError> {
    let d = lower.len();
    let mut problem = RowProblem::default();
    let cols: Vec<highs::Col> = (0..d)
        .map(|j| problem.add_column(c[j], lower[j]..=upper[j]))
        .collect();
    for (i, &b) in rhs.iter().enumerate() {
        let row = &rows[i * d..(i + 1) * d];
        problem.add_row(..=b, cols.iter().copied().zip(row.iter().copied()));
    }
    let mut model = problem
        .try_optimise(Sense::Maximise)
        .map_err(solver_error)?;
    model.try_set_option("threads", 1).map_err(solver_error)?;
    model
        .try_set_option("presolve", "off")
        .map_err(solver_error)?;
    model
        .try_set_option("output_flag", false)
        .map_err(solver_error)?;
    let solved = model.try_solve().map_err(solver_error)?;
    if solved.status() != HighsModelStatus::Optimal {
        return Err(RegionsError::Solver(format!(
            "HiGHS: LP not solved to optimality ({:?})",
            solved.status()
        )));
    }
    let x = solved.get_solution().columns().to_vec();
    // Report cᵀx of the returned point rather than HiGHS's objective, so value and point agree.
    let value = c.iter().zip(&x).map(|(a, b)| a * b).sum();
    Ok(LpOptimum { value, x })
}

/// A warm-started HiGHS instance for many objectives over one cell.
pub(crate) struct HighsCell {
    oracle: ObjectiveOracle,
}

impl HighsCell {
    /// Loads the cell `{x ∈ [lower, upper] : rows·x ≤ rhs}`.
    pub(crate) fn new(
        lower: &[f64],
        upper: &[f64],
        rows: &[f64],
        rhs: &[f64],
    ) -> Result<Self, RegionsError> {
        let d = lower.len();
        let mut model = LinearModel::new();
        for j in 0..d {
            model.add_column(format!("x{j}"), lower[j], upper[j], false);
        }
        for (i, &b) in rhs.iter().enumerate() {
            let terms: Vec<(usize, f64)> = rows[i * d..(i + 1) * d]
                .iter()
                .copied()
                .enumerate()
                .collect();
            model.add_row(format!("r{i}"), f64::NEG_INFINITY, b, &terms);
        }
        let oracle =
            ObjectiveOracle::new(&model, None).map_err(|e| RegionsError::Solver(e.to_string()))?;
        Ok(Self { oracle })
    }

    /// `max cᵀx` over the cell (the value only).
    pub(crate) fn maximize(&mut self, c: &[f64]) -> Result<f64, RegionsError> {
        let terms: Vec<(usize, f64)> = c.iter().map(|v| -v).enumerate().collect();
        let bound = self
            .oracle
            .minimize(&terms)
            .map_err(|e| RegionsError::Solver(e.to_string()))?;
        Ok(-bound.lower_bound)
    }
}
