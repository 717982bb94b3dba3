//! A linear constraint on a network's outputs, `lower ≤ wᵀf(x) ≤ upper`: what a problem's
//! constraints become once its networks are stacked into one (inputs carried through as
//! outputs), so that every solver takes them in one form.

use serde::Serialize;

/// Largest accepted violation of a constraint by a point's forward pass:
/// `CONSTRAINT_TOLERANCE · (1 + |bound|)`. A point that violates a constraint by more is not
/// feasible, whatever a solver said.
pub const CONSTRAINT_TOLERANCE: f64 = 1e-6;

/// `lower ≤ Σⱼ wⱼ yⱼ ≤ upper` over the outputs `y = f(x)`; one side may be infinite.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputConstraint {
    /// `w`, one weight per network output.
    pub weights: Vec<f64>,
    /// The lower side (`-∞` for none).
    pub lower: f64,
    /// The upper side (`+∞` for none).
    pub upper: f64,
    /// Where it came from, for messages (e.g. `prop.vnnlib:12`).
    pub origin: String,
}

impl OutputConstraint {
    /// `wᵀy`.
    pub fn value(&self, outputs: &[f64]) -> f64 {
        self.weights.iter().zip(outputs).map(|(w, y)| w * y).sum()
    }

    /// By how much `y` violates the constraint (0 when it holds; `∞` for NaN).
    pub fn violation(&self, outputs: &[f64]) -> f64 {
        let v = self.value(outputs);
        let excess = (self.lower - v).max(v - self.upper).max(0.0);
        if v.is_nan() { f64::INFINITY } else { excess }
    }

    /// Whether `y` satisfies the constraint within [`CONSTRAINT_TOLERANCE`]` · (1 + |bound|)`
    /// (the bound the violation is measured against).
    pub fn holds(&self, outputs: &[f64]) -> bool {
        let v = self.value(outputs);
        let below = self.lower - v;
        let above = v - self.upper;
        let tolerance =
            |b: f64| CONSTRAINT_TOLERANCE * (1.0 + if b.is_finite() { b.abs() } else { 0.0 });
        !v.is_nan() && below <= tolerance(self.lower) && above <= tolerance(self.upper)
    }

    /// Whether every constraint of `constraints` holds exactly (no tolerance) at `y`: for
    /// points that become incumbents, which must be feasible for any solver.
    pub fn all_hold_exactly(constraints: &[OutputConstraint], outputs: &[f64]) -> bool {
        constraints.iter().all(|c| {
            let v = c.value(outputs);
            v >= c.lower && v <= c.upper
        })
    }

    /// `lower ≤ … ≤ upper` as text, e.g. `1·y0 − 1·y1 ≤ 0`.
    pub fn describe(&self) -> String {
        let mut body = String::new();
        for (j, &w) in self.weights.iter().enumerate().filter(|(_, w)| **w != 0.0) {
            let sign = match (body.is_empty(), w < 0.0) {
                (true, true) => "−",
                (true, false) => "",
                (false, true) => " − ",
                (false, false) => " + ",
            };
            body.push_str(&format!("{sign}{}·y{j}", w.abs()));
        }
        if body.is_empty() {
            body.push('0');
        }
        match (self.lower.is_finite(), self.upper.is_finite()) {
            (true, true) if self.lower == self.upper => format!("{body} = {}", self.upper),
            (true, true) => format!("{} ≤ {body} ≤ {}", self.lower, self.upper),
            (true, false) => format!("{body} ≥ {}", self.lower),
            _ => format!("{body} ≤ {}", self.upper),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violation_and_tolerance() {
        let c = OutputConstraint {
            weights: vec![1.0, -1.0],
            lower: f64::NEG_INFINITY,
            upper: 0.0,
            origin: String::new(),
        };
        assert_eq!(c.violation(&[1.0, 2.0]), 0.0);
        assert_eq!(c.violation(&[3.0, 2.0]), 1.0);
        assert!(c.holds(&[2.0 + 5e-7, 2.0]));
        assert!(!c.holds(&[2.0 + 5e-6, 2.0]));
        assert!(!c.holds(&[f64::NAN, 2.0]));
        assert_eq!(c.violation(&[f64::NAN, 2.0]), f64::INFINITY);
        assert!(OutputConstraint::all_hold_exactly(
            std::slice::from_ref(&c),
            &[2.0, 2.0]
        ));
        assert!(!OutputConstraint::all_hold_exactly(
            std::slice::from_ref(&c),
            &[2.0 + 1e-12, 2.0]
        ));
        assert_eq!(c.describe(), "1·y0 − 1·y1 ≤ 0");
    }
}
