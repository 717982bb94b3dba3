//! The partition-based encoding of a ReLU (Tsay et al. 2021, "Partition-based formulations for
//! mixed-integer optimization of trained ReLU neural networks"), between big-M and the convex
//! hull.
//!
//! Split the terms of `a = Σᵢ wᵢxᵢ + b` into `N` groups `S₁ … S_N` (sorted by weight, equal
//! sizes); each partial sum `sₙ = Σ_{i∈Sₙ} wᵢxᵢ` lies in `[Lₙ, Uₙ]` by interval arithmetic over
//! the inputs' column bounds. With a binary `z` and one column `vₙ` per group (the part of
//! `sₙ` that is "active"):
//!
//! - `h = Σₙ vₙ + b z`, `h ≥ 0`, `h ≥ a`;
//! - `Lₙ z ≤ vₙ ≤ Uₙ z` and `Lₙ (1 − z) ≤ sₙ − vₙ ≤ Uₙ (1 − z)`;
//! - and the big-M rows `h ≤ a − L(1 − z)`, `h ≤ U z` with the neuron's own bounds, which may be
//!   tighter than the groups' sum (after bound tightening).
//!
//! `z = 1` forces `vₙ = sₙ`, so `h = a ≥ 0`; `z = 0` forces `vₙ = 0`, so `h = 0 ≥ a`. With
//! `N = 1` the relaxation is the big-M one; with one group per input it is the convex hull of
//! the neuron over its input box (the ideal formulation). `N = 2` is the paper's usual choice.
//!
//! ```
//! use ndarray::array;
//! use reluscope::bounds::interval_bounds;
//! use reluscope::formulation::{Formulation, NetworkModel, Objective};
//! use reluscope::lp::Sense;
//! use reluscope::network::{Activation, InputBox, Layer, Network};
//!
//! // y = relu(x₀ + x₁ − 0.5) over [0, 1]².
//! let net = Network::new(
//!     vec![
//!         Layer::new(array![[1.0, 1.0]], array![-0.5], Activation::Relu),
//!         Layer::new(array![[1.0]], array![0.0], Activation::Linear),
//!     ],
//!     None,
//! )?;
//! let input_box = InputBox::new(vec![0.0, 0.0], vec![1.0, 1.0])?;
//! let bounds = interval_bounds(&net, &input_box);
//! let objective = Objective::output(Sense::Maximize, 0, 1)?;
//! let partition = Formulation::Partition { parts: 2 };
//! let milp = NetworkModel::build_with(&net, &input_box, &bounds, &objective, partition)?;
//! // Columns x₀, x₁, h, z, v₁, v₂, y: one more column per group than big-M.
//! assert_eq!((milp.model.size().variables, milp.model.size().binaries), (7, 1));
//! // Every input gives a feasible point with the network's value…
//! for x in [[0.0, 0.0], [1.0, 0.0], [0.2, 0.9], [1.0, 1.0]] {
//!     let point = milp.complete_solution(&net, &x);
//!     assert!(milp.model.max_violation(&point) < 1e-12);
//!     assert_eq!(milp.model.objective_value(&point), net.forward(&x)[0]);
//! }
//! // …and the relaxation excludes the point (x = (1, 0), z = ½, h = 0.75) that big-M allows:
//! // with the groups {x₀}, {x₁} (the convex hull) the rows force v₀ = z and v₁ = 0, so
//! // h = v₀ + v₁ − 0.5·z = z/2, and h ≥ a = 0.5 leaves only z = 1, h = 0.5 at this vertex.
//! let mut relaxation = milp.model.clone();
//! relaxation.integer.fill(false);
//! let fractional = [1.0, 0.0, 0.75, 0.5, 0.5, 0.0, 0.75];
//! assert!(relaxation.max_violation(&fractional) > 0.49);
//! let vertex = [1.0, 0.0, 0.5, 1.0, 1.0, 0.0, 0.5];
//! assert!(relaxation.max_violation(&vertex) < 1e-12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::AffineExpr;
use super::network_model::{ColumnRole, NetworkModel, ReluUnit};
use crate::lp::Col;

/// Encodes `unit` (with `u > 0`) with `parts` groups; returns `h` and its binary `z` (none
/// when stable, written as big-M writes it).
pub(super) fn encode_relu(
    m: &mut NetworkModel,
    unit: &ReluUnit,
    parts: usize,
) -> (AffineExpr, Option<Col>) {
    let (h, z) = super::big_m::encode_relu(m, unit);
    let Some(z) = z else {
        return (h, None);
    };
    let Some(&(h_col, _)) = h.terms.first() else {
        return (h, Some(z));
    };
    // b of the rows: the constant of `a − shift`.
    let b = unit.rhs();
    let mut terms: Vec<(Col, f64)> = unit
        .a
        .terms
        .iter()
        .copied()
        .filter(|t| t.1 != 0.0)
        .collect();
    terms.sort_by(|x, y| x.1.total_cmp(&y.1));
    let parts = parts.clamp(1, terms.len().max(1));
    let size = terms.len().div_ceil(parts);
    // h − Σ vₙ − b z = 0
    let mut definition = vec![(h_col, 1.0), (z, -b)];
    for (n, group) in terms.chunks(size.max(1)).enumerate() {
        let (mut lo, mut hi) = (0.0, 0.0);
        for &(c, w) in group {
            let (a, b) = (w * m.model.col_lower[c], w * m.model.col_upper[c]);
            lo += a.min(b);
            hi += a.max(b);
        }
        let v = m.add_col(
            format!("{}_{n}", unit.name("v")),
            lo.min(0.0),
            hi.max(0.0),
            false,
            ColumnRole::ActivePart {
                group: m.active_parts.len(),
            },
        );
        m.active_parts.push((z, group.to_vec()));
        definition.push((v, -1.0));
        // Lₙ z ≤ vₙ ≤ Uₙ z
        m.model.add_row(
            format!("{}_{n}", unit.name("von")),
            0.0,
            f64::INFINITY,
            &[(v, 1.0), (z, -lo)],
        );
        m.model.add_row(
            format!("{}_{n}", unit.name("vup")),
            f64::NEG_INFINITY,
            0.0,
            &[(v, 1.0), (z, -hi)],
        );
        // Lₙ(1 − z) ≤ sₙ − vₙ ≤ Uₙ(1 − z)  ⇔  Lₙ ≤ sₙ − vₙ + Lₙ z  and  sₙ − vₙ + Uₙ z ≤ Uₙ
        let rest = |bound: f64| -> Vec<(Col, f64)> {
            group
                .iter()
                .copied()
                .chain([(v, -1.0), (z, bound)])
                .collect()
        };
        m.model.add_row(
            format!("{}_{n}", unit.name("offlo")),
            lo,
            f64::INFINITY,
            &rest(lo),
        );
        m.model.add_row(
            format!("{}_{n}", unit.name("offup")),
            f64::NEG_INFINITY,
            hi,
            &rest(hi),
        );
    }
    m.model.add_row(unit.name("split"), 0.0, 0.0, &definition);
    (h, Some(z))
}

#[cfg(test)]
mod tests {
    use crate::bounds::interval_bounds;
    use crate::formulation::{Formulation, NetworkModel, Objective};
    use crate::lp::Sense;
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use rand::SeedableRng;

    /// Every input gives a feasible point of the partition MILP with the network's value, for
    /// any number of groups (more groups than inputs included), both activations.
    #[test]
    fn forward_points_are_feasible_for_every_number_of_groups() {
        for (seed, act) in [
            (1, Activation::Relu),
            (2, Activation::ClippedRelu { cap: 0.6 }),
        ] {
            let net = random_network_with(&[3, 8, 8, 1], seed, act);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
            let big_m = NetworkModel::build(&net, &b, &bounds, &objective).unwrap();
            for parts in [1, 2, 3, 50] {
                let formulation = Formulation::Partition { parts };
                let m =
                    NetworkModel::build_with(&net, &b, &bounds, &objective, formulation).unwrap();
                assert_eq!(m.model.size().binaries, big_m.model.size().binaries);
                assert!(m.model.num_cols() > big_m.model.num_cols());
                let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
                for _ in 0..200 {
                    let x = b.sample(&mut rng);
                    let point = m.complete_solution(&net, &x);
                    assert!(m.model.max_violation(&point) < 1e-9, "{act:?} {parts}");
                    let y = net.forward(&x)[0];
                    assert!((m.model.objective_value(&point) - y).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn formulations_are_named_on_the_command_line() {
        for f in [
            Formulation::BigM,
            Formulation::Partition { parts: 1 },
            Formulation::Partition { parts: 7 },
        ] {
            assert_eq!(Formulation::parse(&f.key()), Ok(f));
        }
        assert_eq!(
            Formulation::parse("partition"),
            Ok(Formulation::Partition { parts: 2 })
        );
        for bad in ["partition:0", "partition:x", "bigM", "partition:2000", ""] {
            assert!(Formulation::parse(bad).is_err(), "{bad}");
        }
    }
}
