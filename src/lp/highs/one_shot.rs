//! One LP solved from scratch by HiGHS, with its minimiser.

use super::{HighsOptions, to_highs};
use crate::lp::{Col, LinearModel, LpBound, LpError, LpOracle, Sense};
use highs::HighsModelStatus;

/// Solves each objective over `model` on a fresh HiGHS instance and returns the minimiser.
///
/// The slowest way to ask HiGHS (no warm basis), and the most robust: the last resort of
/// the region LPs. The returned value is `cᵀx` at the returned point, so value and point
/// agree exactly (HiGHS's objective may differ from it by its tolerances).
#[derive(Debug, Clone)]
pub struct OneShotHighs {
    model: LinearModel,
}

impl OneShotHighs {
    /// The polytope of `model` (its objective is replaced by each call's).
    pub fn new(model: LinearModel) -> Self {
        Self { model }
    }

    /// `min cᵀx` over the polytope and a minimiser, or `None` when HiGHS proves the polytope
    /// empty (an error for [`LpOracle::minimize`], an answer here).
    pub fn minimize_if_feasible(
        &mut self,
        objective: &[(Col, f64)],
    ) -> Result<Option<LpBound>, LpError> {
        let mut model = self.model.clone();
        model.cost.iter_mut().for_each(|c| *c = 0.0);
        for &(c, v) in objective {
            let cost = model
                .cost
                .get_mut(c)
                .ok_or_else(|| LpError::Unsupported(format!("no column {c}")))?;
            *cost += v;
        }
        model.sense = Some(Sense::Minimize);
        let mut highs_model = to_highs(&model)?;
        HighsOptions::one_shot().apply(&mut highs_model)?;
        let solved = highs_model
            .try_solve()
            .map_err(|e| LpError::Solver(format!("HiGHS: {e:?}")))?;
        if solved.status() == HighsModelStatus::Infeasible {
            return Ok(None);
        }
        if solved.status() != HighsModelStatus::Optimal {
            return Err(LpError::Solver(format!(
                "HiGHS: LP not solved to optimality ({:?})",
                solved.status()
            )));
        }
        let x = solved.get_solution().columns().to_vec();
        let value = model.cost.iter().zip(&x).map(|(a, b)| a * b).sum();
        Ok(Some(LpBound {
            lower_bound: value,
            time_limited: false,
            minimizer: Some(x),
        }))
    }
}

impl LpOracle for OneShotHighs {
    fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError> {
        self.minimize_if_feasible(objective)?
            .ok_or_else(|| LpError::Solver("HiGHS: the LP is infeasible".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_minimiser_and_its_value() {
        // x, y ∈ [0, 1], x + y ≥ 0.5: min x + 2y at (0.5, 0).
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 1.0, false);
        let y = m.add_column("y".into(), 0.0, 1.0, false);
        m.add_row("r".into(), 0.5, f64::INFINITY, &[(x, 1.0), (y, 1.0)]);
        let mut lp = OneShotHighs::new(m);
        let b = lp.minimize(&[(x, 1.0), (y, 2.0)]).unwrap();
        let point = b.minimizer.unwrap();
        assert!(
            (point[0] - 0.5).abs() < 1e-9 && point[1].abs() < 1e-9,
            "{point:?}"
        );
        assert_eq!(b.lower_bound, point[0] + 2.0 * point[1]);
        assert!(
            lp.minimize(&[(5, 1.0)]).is_err(),
            "a column the model lacks"
        );
        // x + y ≥ 0.5 and x + y ≤ 0.25 leave nothing.
        let mut empty = lp.model.clone();
        empty.add_row("s".into(), f64::NEG_INFINITY, 0.25, &[(x, 1.0), (y, 1.0)]);
        let mut lp = OneShotHighs::new(empty);
        assert_eq!(lp.minimize_if_feasible(&[(x, 1.0)]).unwrap(), None);
        assert!(lp.minimize(&[(x, 1.0)]).is_err());
    }
}
