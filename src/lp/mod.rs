//! Linear programs: one model type, the solvers that answer it, and how they stand in for
//! each other.
//!
//! - [`LinearModel`]: a solver-independent sparse (MI)LP, `min/max cᵀx` subject to
//!   `row_lower ≤ Ax ≤ row_upper`, `col_lower ≤ x ≤ col_upper`, some `x_j` integer;
//! - [`LpOracle`]: the one small trait of this module, "minimise `cᵀx` over the loaded
//!   polytope", answered by a valid lower bound (and a minimiser where the solver has one);
//! - [`DenseSimplex`]: a dense primal simplex with certified answers, for the many LPs of
//!   bound tightening (tens to a few hundred columns);
//! - [`VertexSimplex`]: a small active-set simplex for the LPs of region splitting (a handful
//!   of columns, unit rows, a known feasible start);
//! - [`highs`]: the one HiGHS wrapper — every option reluscope sets, the warm-started
//!   [`ObjectiveOracle`], one-shot LPs with a minimiser, MILP solves with progress and
//!   Cancel, and model export;
//! - [`Fallback`]: "ask the fast solver, and HiGHS when it cannot answer", for any two oracles.
//!
//! Why two hand-written solvers: HiGHS spends a fixed ≈ 25 µs per pivot and ≈ 0.1 ms per run
//! on problems this small, which dominates when a computation solves thousands of them. The
//! dense simplex keeps an explicit inverse and is sized for ~100–300 columns; the vertex
//! simplex solves `d × d` systems for `d ≲ 10` and needs no phase 1 (the regions' cells come
//! with a point inside). Measured: LP-OBBT 3–4× faster on the dense simplex than on HiGHS
//! (`reluscope bench bounds`); the exact region count ≈ 30× faster on the vertex simplex than
//! on warm-started HiGHS (`reluscope regions NET --exact --lp dense|highs`, release build:
//! peaks_25x3 sample 0.05 s vs 1.4 s, reference peaks_25x2 0.015 s vs 0.48 s).
//!
//! Tolerances are named alike in both solvers: `FEASIBILITY_TOLERANCE` (largest accepted
//! row violation), `OPTIMALITY_TOLERANCE` (multipliers or gains that count as zero),
//! `PIVOT_TOLERANCE` (directions that count as parallel).

mod dense_simplex;
mod fallback;
pub mod highs;
mod model;
mod oracle;
mod vertex_simplex;

pub use dense_simplex::DenseSimplex;
pub use fallback::{Fallback, OnPrimaryError};
pub use highs::{
    LinearSolution, LogObserver, ObjectiveOracle, OneShotHighs, SolveControl, SolveObserver,
    SolveOptions, SolveProgress, SolveStatus, solve_linear_model, write_model,
};
pub use model::{Col, LinearModel, ModelSize, NEGLIGIBLE, Sense};
pub use oracle::{LpBound, LpOracle};
pub use vertex_simplex::{VertexSimplex, maximize_from};

use thiserror::Error;

/// Why an LP (or MILP) was not answered.
///
/// The first variants are the hand-written solvers giving up (the caller then asks HiGHS);
/// `Solver` is HiGHS itself failing; `Write` a failed export.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LpError {
    /// The model is not of the form the solver supports, or the arguments do not fit it.
    #[error("unsupported model: {0}")]
    Unsupported(String),
    /// No feasible starting point: none was given or found (`column` names where).
    #[error("no feasible start{}", .0.map(|c| format!(" for column {c}")).unwrap_or_default())]
    NoStart(Option<usize>),
    /// The working set became numerically singular.
    #[error("singular working set")]
    Singular,
    /// An unbounded direction (cannot happen with finite column bounds).
    #[error("unbounded direction")]
    Unbounded,
    /// The pivot limit was reached (cycling or stalling).
    #[error("no optimum after {0} pivots")]
    PivotLimit(usize),
    /// The answer failed its own check: the gap between primal and dual values, or the
    /// violation of a row by the optimum.
    #[error("optimality not certified ({0})")]
    Uncertified(String),
    /// The solve reached its time limit before an answer.
    #[error("time limit reached")]
    TimeLimit,
    /// HiGHS failed or reported a status other than the one asked for.
    #[error("solver: {0}")]
    Solver(String),
    /// Writing a model failed.
    #[error("export: {0}")]
    Write(String),
}
