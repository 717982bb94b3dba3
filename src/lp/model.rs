//! A solver-independent sparse mixed-integer linear model.
//!
//! `min/max cᵀx  s.t.  row_lower ≤ A x ≤ row_upper,  col_lower ≤ x ≤ col_upper,
//! x_j ∈ ℤ for integer columns`. Rows are stored sparsely, row by row.

use serde::Serialize;

/// Direction of the objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sense {
    /// Minimise `cᵀx`.
    Minimize,
    /// Maximise `cᵀx`.
    Maximize,
}

impl Sense {
    /// `1` for minimising, `−1` for maximising: `sign · cᵀx` is always minimised.
    pub fn sign(self) -> f64 {
        match self {
            Sense::Minimize => 1.0,
            Sense::Maximize => -1.0,
        }
    }
}

/// Magnitude below which a coefficient counts as zero (HiGHS's `small_matrix_value`).
pub const NEGLIGIBLE: f64 = 1e-9;

/// Index of a column (variable) in a [`LinearModel`].
pub type Col = usize;

/// A sparse MILP, built row by row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearModel {
    /// Objective coefficient of each column.
    pub cost: Vec<f64>,
    /// Lower bound of each column (may be `-∞`).
    pub col_lower: Vec<f64>,
    /// Upper bound of each column (may be `+∞`).
    pub col_upper: Vec<f64>,
    /// Whether each column is integer.
    pub integer: Vec<bool>,
    /// Column names, for exports and logs.
    pub col_names: Vec<String>,
    /// Start of each row in `row_index`/`row_value`; one more entry than rows.
    pub row_start: Vec<usize>,
    /// Column of each nonzero, row by row.
    pub row_index: Vec<Col>,
    /// Value of each nonzero, row by row.
    pub row_value: Vec<f64>,
    /// Lower bound of each row (may be `-∞`).
    pub row_lower: Vec<f64>,
    /// Upper bound of each row (may be `+∞`).
    pub row_upper: Vec<f64>,
    /// Row names, for exports and logs.
    pub row_names: Vec<String>,
    /// Objective direction; `None` until an objective is set.
    pub sense: Option<Sense>,
}

/// Size of a model, as shown to users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ModelSize {
    /// Columns.
    pub variables: usize,
    /// Rows.
    pub constraints: usize,
    /// Integer columns.
    pub binaries: usize,
    /// Nonzeros of the constraint matrix.
    pub nonzeros: usize,
}

impl LinearModel {
    /// An empty model.
    pub fn new() -> Self {
        Self {
            row_start: vec![0],
            ..Self::default()
        }
    }

    /// Whether `other` starts with this model: the same columns (bounds, integrality) and the
    /// same rows, followed by more of either. Solvers warm from this model may then extend to
    /// `other`; anything else needs a fresh solver.
    pub fn is_prefix_of(&self, other: &LinearModel) -> bool {
        let (n, m) = (self.num_cols(), self.num_rows());
        if other.num_cols() < n || other.num_rows() < m {
            return false;
        }
        let columns_equal = self.col_lower[..] == other.col_lower[..n]
            && self.col_upper[..] == other.col_upper[..n]
            && self.integer[..] == other.integer[..n];
        let nonzeros = self.row_index.len();
        columns_equal
            && self.row_lower[..] == other.row_lower[..m]
            && self.row_upper[..] == other.row_upper[..m]
            && self.row_start[..] == other.row_start[..=m]
            && self.row_index[..] == other.row_index[..nonzeros]
            && self.row_value[..] == other.row_value[..nonzeros]
    }

    /// Adds a column `lower ≤ x ≤ upper` and returns its index.
    pub fn add_column(&mut self, name: String, lower: f64, upper: f64, integer: bool) -> Col {
        self.cost.push(0.0);
        self.col_lower.push(lower);
        self.col_upper.push(upper);
        self.integer.push(integer);
        self.col_names.push(name);
        self.cost.len() - 1
    }

    /// Adds a row `lower ≤ Σ coefᵢ xᵢ ≤ upper`; repeated columns are summed (solvers reject
    /// duplicate entries) and zero coefficients dropped.
    pub fn add_row(&mut self, name: String, lower: f64, upper: f64, terms: &[(Col, f64)]) {
        let distinct = {
            let mut seen: Vec<Col> = terms.iter().map(|&(c, _)| c).collect();
            seen.sort_unstable();
            seen.windows(2).all(|w| w[0] != w[1])
        };
        let merged;
        let terms = if distinct {
            terms
        } else {
            let mut sorted = terms.to_vec();
            sorted.sort_by_key(|&(c, _)| c);
            sorted.dedup_by(|next, kept| {
                let same = next.0 == kept.0;
                if same {
                    kept.1 += next.1;
                }
                same
            });
            merged = sorted;
            &merged
        };
        for &(col, value) in terms {
            if value != 0.0 {
                self.row_index.push(col);
                self.row_value.push(value);
            }
        }
        self.row_start.push(self.row_index.len());
        self.row_lower.push(lower);
        self.row_upper.push(upper);
        self.row_names.push(name);
    }

    /// Number of columns.
    pub fn num_cols(&self) -> usize {
        self.cost.len()
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// The nonzeros of row `r` as `(column, value)` pairs.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (Col, f64)> + '_ {
        let range = self.row_start[r]..self.row_start[r + 1];
        self.row_index[range.clone()]
            .iter()
            .copied()
            .zip(self.row_value[range].iter().copied())
    }

    /// Variables, constraints, binaries and nonzeros.
    pub fn size(&self) -> ModelSize {
        ModelSize {
            variables: self.num_cols(),
            constraints: self.num_rows(),
            binaries: self.integer.iter().filter(|&&i| i).count(),
            nonzeros: self.row_value.len(),
        }
    }

    /// The objective value `cᵀx` of a point.
    pub fn objective_value(&self, x: &[f64]) -> f64 {
        self.cost.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// The largest violation of any bound, row or integrality by `x` (0 if feasible).
    pub fn max_violation(&self, x: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for (j, &v) in x.iter().enumerate() {
            worst = worst.max(self.col_lower[j] - v).max(v - self.col_upper[j]);
            if self.integer[j] {
                worst = worst.max((v - v.round()).abs());
            }
        }
        for r in 0..self.num_rows() {
            let activity: f64 = self.row(r).map(|(c, a)| a * x[c]).sum();
            worst = worst
                .max(self.row_lower[r] - activity)
                .max(activity - self.row_upper[r]);
        }
        worst
    }

    /// Smallest and largest `|entry|` of the constraint matrix (entries below [`NEGLIGIBLE`]
    /// left out, as HiGHS drops them): the range that decides how well its tolerances hold.
    pub fn matrix_range(&self) -> Option<(f64, f64)> {
        magnitude_range(self.row_value.iter())
    }

    /// Smallest and largest `|coefficient|` over the matrix, finite column and row bounds and
    /// the objective: the model's numerical range. Values below [`NEGLIGIBLE`] are left out,
    /// as HiGHS drops such matrix entries itself.
    pub fn coefficient_range(&self) -> Option<(f64, f64)> {
        magnitude_range(
            self.row_value
                .iter()
                .chain(&self.cost)
                .chain(&self.col_lower)
                .chain(&self.col_upper)
                .chain(&self.row_lower)
                .chain(&self.row_upper),
        )
    }
}

/// Smallest and largest `|v|` over the finite values at least [`NEGLIGIBLE`] in magnitude.
fn magnitude_range<'a>(values: impl Iterator<Item = &'a f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite() && v.abs() >= NEGLIGIBLE)
        .map(|v| v.abs())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_has_the_same_columns_and_rows() {
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 1.0, false);
        m.add_row("r".into(), f64::NEG_INFINITY, 1.0, &[(x, 2.0)]);
        let mut longer = m.clone();
        let y = longer.add_column("y".into(), -1.0, 1.0, false);
        longer.add_row("s".into(), 0.0, 0.0, &[(x, 1.0), (y, -1.0)]);
        assert!(m.is_prefix_of(&longer) && m.is_prefix_of(&m));
        assert!(!longer.is_prefix_of(&m));
        // Same sizes, another row: not a prefix (a warm solver would optimise the wrong model).
        let mut other = LinearModel::new();
        let x2 = other.add_column("x".into(), 0.0, 1.0, false);
        other.add_row("r".into(), f64::NEG_INFINITY, 1.0, &[(x2, 3.0)]);
        assert!(!m.is_prefix_of(&other));
        let mut bounds = m.clone();
        bounds.col_upper[0] = 2.0;
        assert!(!m.is_prefix_of(&bounds));
    }

    #[test]
    fn tracks_rows_size_and_violation() {
        let mut m = LinearModel::new();
        let x = m.add_column("x".into(), 0.0, 2.0, false);
        let z = m.add_column("z".into(), 0.0, 1.0, true);
        m.add_row(
            "r".into(),
            f64::NEG_INFINITY,
            1.0,
            &[(x, 1.0), (z, -3.0), (z, 0.0)],
        );
        assert_eq!(
            m.size(),
            ModelSize {
                variables: 2,
                constraints: 1,
                binaries: 1,
                nonzeros: 2
            }
        );
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec![(0, 1.0), (1, -3.0)]);
        assert_eq!(m.max_violation(&[1.0, 0.0]), 0.0);
        assert_eq!(m.max_violation(&[2.0, 0.0]), 1.0);
        assert!((m.max_violation(&[0.0, 0.4]) - 0.4).abs() < 1e-12);
        assert_eq!(m.coefficient_range(), Some((1.0, 3.0)));
    }
}
