//! The triangle relaxation of a ReLU: the convex hull of `h = max(a, 0)` on `[L, U]`.
//!
//! For `a ∈ [L, U]` with `L < 0 < U`: `h ≥ 0`, `h ≥ a`, `h ≤ U(a − L)/(U − L)` — the big-M
//! rows with `z ∈ [0, 1]` projected onto `(a, h)` (eliminate `z`), so it has the same LP
//! optimum with one column and two rows fewer per neuron. A stably active neuron (`L ≥ 0`) is
//! the expression `a` itself (no column), a stably inactive one is `0`. `a` is never a column:
//! each row carries `wᵀh + b`, which keeps the model at the columns `x` and the unstable `h`.
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::interval_bounds;
//! use reluscope::formulation::{Encoding, NetworkModel};
//! use reluscope::lp::DenseSimplex;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // h = relu(x) for x ∈ [−1, 2], then the output y = h − x.
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0]], array![0.0], Activation::Relu),
//!         Layer::new(array![[1.0]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![-1.0], vec![2.0])?;
//! let bounds = interval_bounds(&net, &input_box);
//! let lp = NetworkModel::build_prefix(&net, &input_box, bounds.hidden(), Encoding::Triangle)?;
//! // Columns x and h; rows h ≥ x and h ≤ (2/3)(x + 1); h ≥ 0 is h's lower bound.
//! let size = lp.model.size();
//! assert_eq!((size.variables, size.binaries, size.constraints), (2, 0, 2));
//! // The triangle is the convex hull of the graph of relu on [−1, 2], so for one neuron the
//! // LP answers are the network's own: max relu(x) − x = 1 (at x = −1), max relu(x) = 2.
//! // With more neurons the hulls are taken one neuron at a time and the LP is weaker.
//! let (x, h) = (lp.input_columns()[0], 1);
//! let mut dense = DenseSimplex::new();
//! dense.extend_to(&lp.model)?;
//! assert!((dense.maximize(&[(h, 1.0), (x, -1.0)])? - 1.0).abs() < 1e-9);
//! assert!((dense.maximize(&[(h, 1.0)])? - 2.0).abs() < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::AffineExpr;
use super::network_model::{NetworkModel, ReluUnit};

/// Encodes `unit` (with `u > 0`) by its triangle; returns `h`.
pub(super) fn encode_relu(m: &mut NetworkModel, unit: &ReluUnit) -> AffineExpr {
    let (l, u, rhs) = (unit.l, unit.u, unit.rhs());
    if l >= 0.0 {
        // Linear on the whole interval: h is the expression itself, no column needed.
        return AffineExpr {
            terms: unit.a.terms.clone(),
            constant: rhs,
        };
    }
    // h ≥ a − shift, 0 ≤ h ≤ u
    let h = super::one_sided::epigraph(m, unit);
    // h ≤ λ(a − shift − l) with λ = u / (u − l)
    let lambda = u / (u - l);
    let le: Vec<_> = std::iter::once((h, 1.0))
        .chain(unit.a.terms.iter().map(|&(c, v)| (c, -lambda * v)))
        .collect();
    m.model
        .add_row(unit.name("tri"), f64::NEG_INFINITY, lambda * (rhs - l), &le);
    AffineExpr::column(h)
}
