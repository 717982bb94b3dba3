//! Formulations: a network and its bounds written as the columns and rows of a
//! [`LinearModel`](crate::lp::LinearModel) — the exact big-M MILP and its LP relaxation.
//!
//! Inputs `x ∈ [lo, hi]`. For a hidden neuron with pre-activation `a = wᵀh + b ∈ [L, U]`:
//!
//! | state | [`Encoding::BigM`] (exact, [`big_m`]) | [`Encoding::Triangle`] (LP relaxation, [`triangle`]) |
//! |---|---|---|
//! | stably inactive, `U ≤ 0` | `h = 0` (no column) | `h = 0` (no column) |
//! | stably active, `L ≥ 0` | `h = a`, `h ∈ [L, U]` | `h` is the expression `a` (no column) |
//! | unstable | `h ≥ a`, `h ≤ a − L(1 − z)`, `h ≤ U z`, `h ≥ 0`, `z ∈ {0, 1}` | `h ≥ 0`, `h ≥ a`, `h ≤ U(a − L)/(U − L)` |
//!
//! A clipped ReLU `min(max(a, 0), c)` is the difference of two ReLUs,
//! `clip(a) = relu(a) − relu(a − c)`, each encoded by the table with bounds `[L, U]` and
//! `[L − c, U − c]`, plus `z_q ≤ z_p` when both need a binary (`a ≥ c` implies `a ≥ 0`); a
//! saturated neuron (`L ≥ c`) is the constant `c` ([`NetworkModel`]). The outputs are free
//! columns `y = Wh + b`, the [`Objective`] is `cᵀy`, and each of its
//! [`OutputConstraint`]s `lower ≤ wᵀy ≤ upper` is one more row.
//!
//! The triangle is the big-M relaxation (`z ∈ [0, 1]`) projected onto `(x, h)`: the same LP
//! optimum with fewer rows and columns, and no pre-activation columns — the form the many LPs
//! of bound tightening want.
//!
//! Two ways to a tighter exact MILP: the [`partition`] encoding ([`Formulation::Partition`],
//! between big-M and the convex hull of each neuron), and the cuts of [`ideal_cuts`], which
//! a root cut loop adds to the big-M (or partition) model.

pub mod big_m;
pub mod ideal_cuts;
mod network_model;
mod objective;
pub mod one_sided;
mod output_constraint;
pub mod partition;
pub mod triangle;

pub use ideal_cuts::{IdealCut, IdealCuts};
pub use network_model::{AffineExpr, Encoding, Formulation, NetworkModel, UnstableUnit};
pub use objective::Objective;
pub use one_sided::one_sided_neurons;
pub use output_constraint::{CONSTRAINT_TOLERANCE, OutputConstraint, accepted_violation};

use crate::network::NetworkError;
use thiserror::Error;

/// Why a formulation could not be built.
#[derive(Debug, Error)]
pub enum FormulationError {
    /// The objective does not fit the network.
    #[error("{0}")]
    Objective(String),
    /// The bounds do not have the network's shape.
    #[error("bounds do not fit the network: {0}")]
    BoundsShape(String),
    /// The network or its box is unusable.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// A bound the model would be built from is beyond what HiGHS's tolerances can honour.
    #[error(
        "layer {layer}, neuron {neuron}: the pre-activation bound {value:e} exceeds {max:e} in \
         magnitude, beyond which the MILP's tolerances are below f64's precision; narrow the \
         box, tighten the bounds (--bounds lp) or rescale the data",
        max = crate::network::limits::MAX_MAGNITUDE
    )]
    BoundTooLarge {
        /// 1-based layer index.
        layer: usize,
        /// 0-based neuron index.
        neuron: usize,
        /// The bound.
        value: f64,
    },
}
