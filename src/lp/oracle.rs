//! The one LP interface: minimise a linear objective over a loaded polytope.

use super::{Col, LpError};

/// What one minimisation proved.
#[derive(Debug, Clone, PartialEq)]
pub struct LpBound {
    /// A valid lower bound on `min cᵀx`: the LP optimum (certified by the dense simplex), or
    /// the MILP's dual bound.
    pub lower_bound: f64,
    /// Whether the solve was stopped by its time limit (the bound is then weaker).
    pub time_limited: bool,
    /// A minimiser, from the solvers that give one (the vertex simplex, HiGHS on an LP).
    pub minimizer: Option<Vec<f64>>,
}

impl LpBound {
    /// An optimum `value` without a point.
    pub fn value(value: f64) -> Self {
        Self {
            lower_bound: value,
            time_limited: false,
            minimizer: None,
        }
    }
}

/// Minimises linear objectives over one feasible set, one after another.
///
/// `objective` lists `(column, coefficient)` pairs; repeated columns add up. Implementations
/// may keep state between calls (a warm basis); an error leaves it to the caller whether to
/// trust the oracle again (see [`super::Fallback`]).
pub trait LpOracle {
    /// A valid lower bound on `min Σ coef·x_col` (for an LP, its optimum).
    fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError>;
}
