//! Minimising the range of the MILP's coefficient magnitudes (an LP).
//!
//! `min u − l` over `t` (one per hidden neuron, one per clipped-ReLU layer), `l` and `u`,
//! subject to `l ≤ gₑ + Σ aₑᵥ tᵥ ≤ u` for every coefficient `e` of [`log_coefficients`] and
//! `l ≤ log₂|c| ≤ u` for the coefficients rescaling cannot move (the 1s of every row, the box
//! bounds, the objective): the smallest possible `log₂(max|coefficient| / min|coefficient|)`,
//! which is what [`crate::lp::LinearModel::coefficient_range`] reports. Solved with HiGHS,
//! then rounded to integers (powers of two); rounding moves each log-coefficient by at most 1,
//! so the rounded range exceeds the optimum by at most a factor 4.

use super::coefficients::{LogCoefficients, NONE, log_coefficients};
use crate::bounds::NetworkBounds;
use crate::lp::{
    LinearModel, LpError, NEGLIGIBLE, Sense, SolveControl, SolveOptions, SolveStatus,
    solve_linear_model,
};
use crate::network::{InputBox, Network};

/// The `log₂` factors minimising the coefficient range, rounded to integers.
pub fn min_range_log2_factors(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
) -> Result<Vec<Vec<i32>>, LpError> {
    let LogCoefficients {
        terms,
        var_of,
        n_vars,
    } = log_coefficients(network, bounds);
    let mut lp = LinearModel::new();
    let t: Vec<usize> = (0..n_vars)
        .map(|v| lp.add_column(format!("t_{v}"), f64::NEG_INFINITY, f64::INFINITY, false))
        .collect();
    let low = lp.add_column("low".into(), f64::NEG_INFINITY, f64::INFINITY, false);
    let high = lp.add_column("high".into(), f64::NEG_INFINITY, f64::INFINITY, false);
    lp.cost[low] = -1.0;
    lp.cost[high] = 1.0;
    lp.sense = Some(Sense::Minimize);
    for (e, term) in terms.iter().enumerate() {
        let moved: Vec<(usize, f64)> = term
            .vars
            .iter()
            .filter(|&&v| v != NONE)
            .map(|&(v, c)| (t[v], c))
            .collect();
        // g + a·t − low ≥ 0  and  g + a·t − high ≤ 0
        let mut above = moved.clone();
        above.push((low, -1.0));
        lp.add_row(format!("above_{e}"), -term.g, f64::INFINITY, &above);
        let mut below = moved;
        below.push((high, -1.0));
        lp.add_row(format!("below_{e}"), f64::NEG_INFINITY, -term.g, &below);
    }
    // Coefficients that stay put: the unit entries of every row, the box and the objective.
    let fixed = input_box
        .lower()
        .iter()
        .chain(input_box.upper())
        .copied()
        .chain(std::iter::once(1.0))
        .filter(|v| v.abs() >= NEGLIGIBLE)
        .map(|v| v.abs().log2());
    for (e, g) in fixed.enumerate() {
        lp.add_row(
            format!("fixed_low_{e}"),
            f64::NEG_INFINITY,
            g,
            &[(low, 1.0)],
        );
        lp.add_row(format!("fixed_high_{e}"), g, f64::INFINITY, &[(high, 1.0)]);
    }
    let options = SolveOptions {
        mip_rel_gap: 0.0,
        ..SolveOptions::default()
    };
    let solution = solve_linear_model(&lp, None, &options, &SolveControl::default())?;
    let columns = match (solution.status, solution.columns) {
        (SolveStatus::Optimal, Some(columns)) => columns,
        (status, _) => {
            return Err(LpError::Solver(format!(
                "the coefficient-range LP ended with status {status}"
            )));
        }
    };
    Ok(var_of
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|&v| columns[t[v]].round() as i32)
                .collect()
        })
        .collect())
}
