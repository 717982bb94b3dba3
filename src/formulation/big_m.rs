//! The big-M encoding of a ReLU: exact, with one binary per unstable neuron.
//!
//! For `h = max(a, 0)` with `a ∈ [L, U]`:
//!
//! - `U ≤ 0`: `h = 0`, no column (handled by the caller);
//! - `L ≥ 0`: `h = a` with `h ∈ [L, U]`;
//! - `L < 0 < U`: `h ≥ a`, `h ≤ a − L(1 − z)`, `h ≤ U z`, `h ≥ 0`, `z ∈ {0, 1}`.
//!
//! With `z = 1` the rows force `h = a ≥ 0`, with `z = 0` they force `h = 0 ≥ a`; the constants
//! `−L` and `U` are the "big-M" whose size decides how weak the LP relaxation is.
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::interval_bounds;
//! use reluscope::formulation::{NetworkModel, Objective};
//! use reluscope::lp::Sense;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // y = relu(x) for x ∈ [−1, 2]: one unstable neuron with L = −1, U = 2.
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0]], array![0.0], Activation::Relu),
//!         Layer::new(array![[1.0]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![-1.0], vec![2.0])?;
//! let bounds = interval_bounds(&net, &input_box);
//! let objective = Objective::output(Sense::Minimize, 0, 1)?;
//! let milp = NetworkModel::build(&net, &input_box, &bounds, &objective)?;
//! let size = milp.model.size();
//! // Columns x, h, z, y; rows h ≥ a, h ≤ a − L(1 − z), h ≤ U·z and y = h.
//! assert_eq!((size.variables, size.binaries, size.constraints), (4, 1, 4));
//! // Every input gives a feasible point (x, relu(x), [x > 0], relu(x)) of the MILP…
//! for x in [-1.0, -0.25, 0.0, 0.5, 2.0] {
//!     let point = milp.complete_solution(&net, &[x]);
//!     assert!(milp.model.max_violation(&point) < 1e-12);
//!     assert_eq!(milp.model.objective_value(&point), f64::max(x, 0.0));
//! }
//! // …and with z fixed, h is forced: h = 0 when z = 0.
//! let mut wrong = milp.complete_solution(&net, &[-0.5]);
//! wrong[1] = 0.3; // h
//! assert!(milp.model.max_violation(&wrong) > 0.1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::AffineExpr;
use super::network_model::{ColumnRole, NetworkModel, ReluUnit};
use crate::lp::Col;

/// Encodes `unit` (with `u > 0`) exactly; returns `h` and its binary `z` (none when stable).
pub(super) fn encode_relu(m: &mut NetworkModel, unit: &ReluUnit) -> (AffineExpr, Option<Col>) {
    let (l, u, rhs) = (unit.l, unit.u, unit.rhs());
    let role_args = (unit.layer, unit.neuron, unit.shift);
    if l >= 0.0 {
        let h = m.add_col(
            unit.name("h"),
            l,
            u,
            false,
            ColumnRole::Linear {
                layer: role_args.0,
                neuron: role_args.1,
                shift: role_args.2,
            },
        );
        let terms: Vec<_> = std::iter::once((h, 1.0)).chain(unit.minus_a()).collect();
        m.model.add_row(unit.name("act"), rhs, rhs, &terms);
        return (AffineExpr::column(h), None);
    }
    let h = m.add_col(
        unit.name("h"),
        0.0,
        u,
        false,
        ColumnRole::Relu {
            layer: role_args.0,
            neuron: role_args.1,
            shift: role_args.2,
        },
    );
    let z = m.add_col(
        unit.name("z"),
        0.0,
        1.0,
        true,
        ColumnRole::Indicator {
            layer: role_args.0,
            neuron: role_args.1,
            shift: role_args.2,
        },
    );
    // h ≥ a
    let ge: Vec<_> = std::iter::once((h, 1.0)).chain(unit.minus_a()).collect();
    m.model.add_row(unit.name("ge"), rhs, f64::INFINITY, &ge);
    // h ≤ a − L(1 − z)  ⇔  h − a − L z ≤ −L
    let mut le: Vec<_> = std::iter::once((h, 1.0)).chain(unit.minus_a()).collect();
    le.push((z, -l));
    m.model
        .add_row(unit.name("le"), f64::NEG_INFINITY, rhs - l, &le);
    // h ≤ U z
    m.model.add_row(
        unit.name("on"),
        f64::NEG_INFINITY,
        0.0,
        &[(h, 1.0), (z, -u)],
    );
    (AffineExpr::column(h), Some(z))
}
