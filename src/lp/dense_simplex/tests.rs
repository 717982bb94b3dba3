use super::*;
use crate::lp::ObjectiveOracle;
use rand::{Rng, SeedableRng};

/// A random layered polytope that always has a feasible start: every column lies in
/// `[−100, 100]` and is either defined by one row `y_c = b + wᵀy_<c` (`|b| ≤ 10`) or has
/// rows `y_c ≥ b + wᵀy_<c` (`|b| ≤ 10`) and `y_c ≤ b' + wᵀy_<c` (`b' ∈ [110, 130]`), with
/// `Σ|w| ≤ 0.5`; each row is scaled by a random nonzero factor (negative factors swap
/// the sides). `degenerate` puts every `b` at 0, the bounds at `[−1, 1]` and keeps only
/// the `≥` and `=` rows: every row passes through the origin.
fn random_model(n: usize, seed: u64, degenerate: bool) -> LinearModel {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut m = LinearModel::new();
    let big = if degenerate { 1.0 } else { 100.0 };
    let offset = |rng: &mut rand_pcg::Pcg64, range: std::ops::Range<f64>| {
        if degenerate {
            0.0
        } else {
            rng.random_range(range)
        }
    };
    for c in 0..n {
        m.add_column(format!("y{c}"), -big, big, false);
        let defined = rng.random_bool(0.2);
        let rows = if defined { 1 } else { rng.random_range(0..4) };
        for _ in 0..rows {
            let mut terms = vec![(c, 1.0)];
            let mut weights: Vec<(usize, f64)> = Vec::new();
            for k in 0..c {
                if rng.random_bool(0.6) {
                    weights.push((k, rng.random_range(-1.0..1.0)));
                }
            }
            let total: f64 = weights.iter().map(|w| w.1.abs()).sum::<f64>().max(1e-9);
            weights.iter_mut().for_each(|w| w.1 *= 0.5 / total);
            terms.extend(weights.iter().map(|&(k, w)| (k, -w)));
            let (lo, hi) = if defined {
                let b = offset(&mut rng, -10.0..10.0);
                (b, b)
            } else if degenerate || rng.random_bool(0.5) {
                (offset(&mut rng, -10.0..10.0), f64::INFINITY)
            } else {
                (f64::NEG_INFINITY, offset(&mut rng, 110.0..130.0))
            };
            let scale = rng.random_range(0.5..2.0) * if rng.random_bool(0.5) { -1.0 } else { 1.0 };
            let terms: Vec<_> = terms.iter().map(|&(k, v)| (k, v * scale)).collect();
            let (lo, hi) = if scale > 0.0 {
                (lo * scale, hi * scale)
            } else {
                (hi * scale, lo * scale)
            };
            m.add_row(format!("r{c}"), lo, hi, &terms);
        }
    }
    m
}

fn random_objective(rng: &mut impl Rng, n: usize) -> Vec<(Col, f64)> {
    let mut objective = Vec::new();
    for k in 0..n {
        if rng.random_bool(0.5) {
            objective.push((k, rng.random_range(-2.0..2.0)));
        }
    }
    objective
}

fn assert_agrees(dense: f64, highs: f64, what: &str) {
    assert!(
        (dense - highs).abs() <= 1e-7 * (1.0 + highs.abs()),
        "{what}: dense {dense} vs HiGHS {highs}"
    );
}

#[test]
fn agrees_with_highs_on_random_polytopes_and_objectives() {
    for (seed, zero) in (0..24).map(|s| (s, s % 3 == 0)) {
        let n = 5 + (seed as usize * 7) % 40;
        let model = random_model(n, seed, zero);
        let mut dense = DenseSimplex::new();
        // Both starts: from the objective's crash vertex and from the last optimum.
        dense.crash_start = seed % 2 == 0;
        dense.extend_to(&model).unwrap();
        let mut highs = ObjectiveOracle::new(&model, None).unwrap();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(1000 + seed);
        for t in 0..30 {
            let objective = random_objective(&mut rng, n);
            let expected = highs.minimize(&objective).unwrap().lower_bound;
            let found = dense.minimize(&objective).unwrap();
            assert_agrees(found, expected, &format!("seed {seed} objective {t} min"));
            let negated: Vec<_> = objective.iter().map(|&(k, v)| (k, -v)).collect();
            let expected = -highs.minimize(&negated).unwrap().lower_bound;
            let found = dense.maximize(&objective).unwrap();
            assert_agrees(found, expected, &format!("seed {seed} objective {t} max"));
        }
        assert_eq!(dense.solves, 60);
    }
}

#[test]
fn growing_the_model_keeps_answers_exact() {
    let full = random_model(30, 7, false);
    // The first 12 columns and their rows form a prefix model that `full` extends.
    let mut prefix = LinearModel::new();
    for c in 0..12 {
        prefix.add_column(format!("y{c}"), full.col_lower[c], full.col_upper[c], false);
    }
    for r in 0..full.num_rows() {
        let terms: Vec<_> = full.row(r).collect();
        if terms.iter().all(|&(c, _)| c < 12) {
            prefix.add_row(
                format!("r{r}"),
                full.row_lower[r],
                full.row_upper[r],
                &terms,
            );
        } else {
            break;
        }
    }
    let mut dense = DenseSimplex::new();
    dense.extend_to(&prefix).unwrap();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(3);
    let objective = random_objective(&mut rng, 12);
    let mut highs = ObjectiveOracle::new(&prefix, None).unwrap();
    assert_agrees(
        dense.minimize(&objective).unwrap(),
        highs.minimize(&objective).unwrap().lower_bound,
        "prefix",
    );
    dense.extend_to(&full).unwrap();
    let mut highs = ObjectiveOracle::new(&full, None).unwrap();
    for t in 0..20 {
        let objective = random_objective(&mut rng, 30);
        assert_agrees(
            dense.minimize(&objective).unwrap(),
            highs.minimize(&objective).unwrap().lower_bound,
            &format!("extended, objective {t}"),
        );
    }
}

#[test]
fn rows_that_cut_off_the_vertex_are_handled_by_starting_over() {
    // x ∈ [0, 1]: max x ends at x = 1. Then h ∈ [0, 0.5] with h ≥ x cuts that vertex off.
    let mut m = LinearModel::new();
    let x = m.add_column("x".into(), 0.0, 1.0, false);
    let mut dense = DenseSimplex::new();
    dense.extend_to(&m).unwrap();
    let v = dense.maximize(&[(x, 1.0)]).unwrap();
    assert!((1.0..1.0 + 1e-14).contains(&v), "{v}");
    let h = m.add_column("h".into(), 0.0, 0.5, false);
    m.add_row("ge".into(), 0.0, f64::INFINITY, &[(h, 1.0), (x, -1.0)]);
    dense.extend_to(&m).unwrap();
    assert!((dense.maximize(&[(x, 1.0)]).unwrap() - 0.5).abs() < 1e-12);
    assert!((dense.minimize(&[(h, 1.0), (x, -2.0)]).unwrap() + 0.5).abs() < 1e-12);
}

#[test]
fn unsupported_or_infeasible_models_are_errors() {
    let mut m = LinearModel::new();
    m.add_column("free".into(), f64::NEG_INFINITY, 1.0, false);
    assert!(matches!(
        DenseSimplex::new().extend_to(&m),
        Err(LpError::Unsupported(_))
    ));
    let mut m = LinearModel::new();
    let y = m.add_column("y".into(), 0.0, 1.0, false);
    m.add_row("too high".into(), 2.0, f64::INFINITY, &[(y, 1.0)]);
    assert_eq!(
        DenseSimplex::new().extend_to(&m),
        Err(LpError::NoStart(Some(0)))
    );
    let mut dense = DenseSimplex::new();
    dense.extend_to(&random_model(4, 1, false)).unwrap();
    assert!(matches!(
        dense.extend_to(&LinearModel::new()),
        Err(LpError::Unsupported(_))
    ));
    assert!(matches!(
        dense.maximize(&[(9, 1.0)]),
        Err(LpError::Unsupported(_))
    ));
}

#[test]
fn the_answer_is_a_bound_even_on_a_degenerate_vertex() {
    // max x + y on the unit square cut by x + y ≤ 1, with a redundant copy of that row and
    // a row x + 3y ≤ 1 through the same vertex (1, 0).
    let mut m = LinearModel::new();
    let x = m.add_column("x".into(), 0.0, 1.0, false);
    let y = m.add_column("y".into(), 0.0, 1.0, false);
    m.add_row("cut".into(), f64::NEG_INFINITY, 1.0, &[(x, 1.0), (y, 1.0)]);
    m.add_row(
        "twice".into(),
        f64::NEG_INFINITY,
        2.0,
        &[(x, 2.0), (y, 2.0)],
    );
    m.add_row(
        "steep".into(),
        f64::NEG_INFINITY,
        1.0,
        &[(x, 1.0), (y, 3.0)],
    );
    let mut dense = DenseSimplex::new();
    dense.extend_to(&m).unwrap();
    let v = dense.maximize(&[(x, 1.0), (y, 1.0)]).unwrap();
    assert!((v - 1.0).abs() < 1e-12 && v >= 1.0 - 1e-15, "{v}");
    let v = dense.maximize(&[(y, 1.0)]).unwrap();
    assert!((v - 1.0 / 3.0).abs() < 1e-12, "{v}");
}

#[test]
fn a_changed_prefix_or_a_failed_extension_is_refused() {
    let mut m = LinearModel::new();
    let x = m.add_column("x".into(), 0.0, 1.0, false);
    let mut dense = DenseSimplex::new();
    dense.extend_to(&m).unwrap();
    // The caller tightened an old bound: the loaded polytope is not the caller's any more.
    let mut changed = LinearModel::new();
    changed.add_column("x".into(), 0.0, 0.5, false);
    assert!(matches!(
        dense.extend_to(&changed),
        Err(LpError::Unsupported(_))
    ));
    assert!(dense.maximize(&[(x, 1.0)]).unwrap() >= 1.0);
    // A new row that no vertex satisfies leaves the solver half-grown: refused from then on.
    let h = m.add_column("h".into(), 0.0, 1.0, false);
    m.add_row(
        "impossible".into(),
        3.0,
        f64::INFINITY,
        &[(h, 1.0), (x, 1.0)],
    );
    assert!(dense.extend_to(&m).is_err());
    assert!(matches!(
        dense.maximize(&[(x, 1.0)]),
        Err(LpError::Unsupported(_))
    ));
    assert!(matches!(dense.extend_to(&m), Err(LpError::Unsupported(_))));
}

#[test]
fn the_certificate_covers_its_own_rounding() {
    // max Σ y_k over [0, 0.1]ⁿ with n = 1000: the exact optimum is 1000·fl(0.1) =
    // 100.0000000000000055…, but adding fl(0.1) a thousand times in f64 gives
    // 99.9999999999986 — below it. The returned bound must not be.
    let n = 1000;
    let mut m = LinearModel::new();
    let cols: Vec<_> = (0..n)
        .map(|k| m.add_column(format!("y{k}"), 0.0, 0.1, false))
        .collect();
    let mut dense = DenseSimplex::new();
    dense.extend_to(&m).unwrap();
    let terms: Vec<_> = cols.iter().map(|&c| (c, 1.0)).collect();
    let v = dense.maximize(&terms).unwrap();
    let exact = 100.0;
    assert!(v >= exact && v - exact < 1e-9, "{v} vs {exact}");
}
