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
//! - [`ILL_CONDITIONED_RANGE`] (10⁹) and [`LARGE_BIG_M`] (10⁶): a MILP whose matrix entries span
//!   more than this ratio, or whose big-M exceeds this, is solved but flagged as
//!   ill-conditioned, with the rescaling (`--scale range`) and LP bounds as the remedy; its
//!   optimum is forward-checked like every other.

/// Largest accepted magnitude of a weight, bias, cap, box bound or MILP bound.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// Matrix range (largest over smallest |entry|) above which a MILP is flagged as
/// ill-conditioned.
pub const ILL_CONDITIONED_RANGE: f64 = 1e9;

/// Big-M above which a MILP is flagged as ill-conditioned: the integrality tolerance (10⁻⁶)
/// times the big-M is the error a "binary" of `10⁻⁶` lets through.
pub const LARGE_BIG_M: f64 = 1e6;

/// Whether `v` is finite and within [`MAX_MAGNITUDE`].
pub fn admissible(v: f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Activation, InputBox, Layer, Network, NetworkError};
    use ndarray::array;

    fn one_layer(w: f64, b: f64, activation: Activation) -> Result<Network, NetworkError> {
        Network::new(
            vec![
                Layer::new(array![[1.0, w]], array![b], activation),
                Layer::new(array![[1.0]], array![0.0], Activation::Linear),
            ],
            None,
        )
    }

    #[test]
    fn values_beyond_the_limit_are_refused_with_their_place() {
        assert!(one_layer(MAX_MAGNITUDE, -MAX_MAGNITUDE, Activation::Relu).is_ok());
        let err = one_layer(2f64.powi(60), 0.0, Activation::Relu).unwrap_err();
        assert!(
            matches!(err, NetworkError::TooLarge { layer: 1, .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("weight [0, 1] (neuron 0, input 1)"), "{text}");
        assert!(text.contains("exceeds 1e12"), "{text}");
        let err = one_layer(1.0, -1e300, Activation::Relu).unwrap_err();
        assert!(err.to_string().contains("bias [0]"), "{err}");
        let err = one_layer(1.0, 0.0, Activation::ClippedRelu { cap: 1e13 }).unwrap_err();
        assert!(err.to_string().contains("cap"), "{err}");
        assert!(!admissible(f64::NAN) && !admissible(f64::INFINITY) && admissible(-1e12));
    }

    #[test]
    fn boxes_beyond_the_limit_are_refused_not_sampled() {
        let err = InputBox::parse("-9e307,9e307;-1,1")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("input 0") && err.contains("exceed 1e12"),
            "{err}"
        );
        assert!(InputBox::new(vec![-1e12], vec![1e12]).is_ok());
    }
}
