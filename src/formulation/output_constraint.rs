//! A linear constraint on a network's outputs, `lower ≤ wᵀf(x) ≤ upper`: what a problem's
//! constraints become once its networks are stacked into one (inputs carried through as
//! outputs), so that every solver takes them in one form.

use serde::Serialize;

/// Largest accepted relative violation of a constraint by a point's forward pass: the
/// violation of `wᵀy ≤ u` may be at most `CONSTRAINT_TOLERANCE · max(|u|, Σⱼ|wⱼyⱼ|)` — relative
/// to the magnitudes in the constraint itself, so that tiny coefficients or outputs cannot
/// hide a violation. A point that violates a constraint by more is not feasible, whatever a
/// solver said.
pub const CONSTRAINT_TOLERANCE: f64 = 1e-6;

/// `CONSTRAINT_TOLERANCE · max(|bound|, Σ|terms|)`: the accepted violation of a constraint whose
/// side is `bound` and whose terms `aᵢvᵢ` have absolute sum `terms` (see
/// [`CONSTRAINT_TOLERANCE`]).
pub fn accepted_violation(bound: f64, terms: f64) -> f64 {
    CONSTRAINT_TOLERANCE * bound.abs().max(terms)
}

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

    /// By how much `y` violates the constraint (0 when it holds; `∞` when `wᵀy` is not
    /// finite).
    pub fn violation(&self, outputs: &[f64]) -> f64 {
        let v = self.value(outputs);
        if !v.is_finite() {
            return f64::INFINITY;
        }
        (self.lower - v).max(v - self.upper).max(0.0)
    }

    /// Whether `y` satisfies the constraint within the accepted violation
    /// ([`accepted_violation`] of the side it is measured against and `Σ|wⱼyⱼ|`).
    pub fn holds(&self, outputs: &[f64]) -> bool {
        let v = self.value(outputs);
        if !v.is_finite() {
            return false;
        }
        let terms: f64 = self
            .weights
            .iter()
            .zip(outputs)
            .map(|(w, y)| (w * y).abs())
            .sum();
        let side = |b: f64| if b.is_finite() { b } else { 0.0 };
        self.lower - v <= accepted_violation(side(self.lower), terms)
            && v - self.upper <= accepted_violation(side(self.upper), terms)
    }

    /// The constraint divided by its largest `|wⱼ|` (unchanged when all weights are zero):
    /// the same set, in the form solvers' absolute tolerances treat evenly.
    pub fn normalized(&self) -> OutputConstraint {
        let s = self.weights.iter().fold(0.0_f64, |m, w| m.max(w.abs()));
        if !(s > 0.0 && s.is_finite()) {
            return self.clone();
        }
        OutputConstraint {
            weights: self.weights.iter().map(|w| w / s).collect(),
            lower: self.lower / s,
            upper: self.upper / s,
            origin: self.origin.clone(),
        }
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
        // Relative to Σ|wⱼyⱼ| = 4: up to 4e-6.
        assert!(c.holds(&[2.0 + 3e-6, 2.0]));
        assert!(!c.holds(&[2.0 + 5e-6, 2.0]));
        // Tiny outputs cannot hide a violation: y₀ ≥ 1e-6 at y₀ = 0 fails.
        let tiny = OutputConstraint {
            weights: vec![1.0],
            lower: 1e-6,
            upper: f64::INFINITY,
            origin: String::new(),
        };
        assert!(!tiny.holds(&[0.0]));
        assert!(tiny.holds(&[1e-6 * (1.0 - 1e-7)]));
        let scaled = OutputConstraint {
            weights: vec![1e-7, -2e-7],
            lower: f64::NEG_INFINITY,
            upper: 3e-7,
            origin: String::new(),
        }
        .normalized();
        assert_eq!(scaled.weights, vec![0.5, -1.0]);
        assert!((scaled.upper - 1.5).abs() < 1e-12);
        assert_eq!(c.violation(&[f64::INFINITY, 2.0]), f64::INFINITY);
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
