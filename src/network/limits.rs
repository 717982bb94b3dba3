//! The magnitudes reluscope accepts, and why.
//!
//! HiGHS solves to absolute tolerances of about 10⁻⁷ (primal feasibility) and 10⁻⁶
//! (integrality), and f64 resolves about 16 significant digits. A number `v` therefore carries
//! meaningful digits at the MILP's tolerances only while `|v|·2⁻⁵² ≪ 10⁻⁷`, i.e. `|v| ≲ 10⁹`;
//! HiGHS itself refuses matrix entries above 10¹⁵ and reads bounds from 10²⁰ on as infinite.
//!
//! - [`MAX_MAGNITUDE`] (10¹²): every weight, bias, clipped-ReLU cap and box bound must stay
//!   within it, or the file is refused with the layer, neuron and input named. Beyond it the
//!   last bit of a value is ≥ 10⁻⁴ and products overflow within a few layers.
//! - The same limit applies to every pre-activation bound a MILP or LP is built from (the
//!   big-M constants): a network whose bounds exceed it over the chosen box is refused for
//!   optimisation (analysis still shows the bounds), naming the first such neuron.
//! - [`ILL_CONDITIONED_RANGE`] (10⁹) and [`LARGE_BIG_M`] (10⁶): a MILP whose coefficients span
//!   more than this ratio, or whose big-M exceeds this, is solved but flagged as
//!   ill-conditioned, with the rescaling (`--scale range`) and LP bounds as the remedy; its
//!   optimum is forward-checked like every other.

/// Largest accepted magnitude of a weight, bias, cap, box bound or MILP bound.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// Coefficient range (largest over smallest |coefficient|) above which a MILP is flagged as
/// ill-conditioned.
pub const ILL_CONDITIONED_RANGE: f64 = 1e9;

/// Big-M above which a MILP is flagged as ill-conditioned: the integrality tolerance (10⁻⁶)
/// times the big-M is the error a "binary" of `10⁻⁶` lets through.
pub const LARGE_BIG_M: f64 = 1e6;

/// Whether `v` is finite and within [`MAX_MAGNITUDE`].
pub fn admissible(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}
