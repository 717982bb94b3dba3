//! What the MILP optimises: a linear combination `cᵀf(x)` of the network outputs, subject to
//! linear constraints on them.

use super::{FormulationError, OutputConstraint};
use crate::lp::Sense;
use serde::Serialize;

/// `min` or `max` of `Σⱼ cⱼ fⱼ(x)` over the input box, subject to `constraints` on `f(x)`.
///
/// With `c = 0` it is a feasibility question: any point satisfying the constraints is
/// optimal ([`Objective::feasibility`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// Minimise or maximise.
    pub sense: Sense,
    /// `c`, one weight per network output.
    pub weights: Vec<f64>,
    /// Linear constraints on the outputs (none for "the network over the box").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<OutputConstraint>,
}

impl Objective {
    /// Optimise output `j` alone (`c = e_j`); errors if `j` is out of range.
    pub fn output(sense: Sense, j: usize, outputs: usize) -> Result<Self, FormulationError> {
        if j >= outputs {
            return Err(FormulationError::Objective(format!(
                "output index {j} is out of range: the network has {outputs} output(s), \
                 numbered 0..{}",
                outputs.saturating_sub(1)
            )));
        }
        let mut weights = vec![0.0; outputs];
        weights[j] = 1.0;
        Ok(Self {
            sense,
            weights,
            constraints: Vec::new(),
        })
    }

    /// Optimise `Σ cⱼ fⱼ(x)`; errors if `c` has the wrong length or a non-finite entry.
    pub fn combination(
        sense: Sense,
        weights: Vec<f64>,
        outputs: usize,
    ) -> Result<Self, FormulationError> {
        if weights.len() != outputs {
            return Err(FormulationError::Objective(format!(
                "the combination has {} coefficient(s) but the network has {outputs} output(s)",
                weights.len()
            )));
        }
        if let Some(w) = weights.iter().find(|w| !w.is_finite()) {
            return Err(FormulationError::Objective(format!(
                "combination coefficient {w} is not finite"
            )));
        }
        Ok(Self {
            sense,
            weights,
            constraints: Vec::new(),
        })
    }

    /// The feasibility question "is there an `x` in the box whose outputs satisfy
    /// `constraints`?": `c = 0`, so every feasible point is optimal.
    pub fn feasibility(
        constraints: Vec<OutputConstraint>,
        outputs: usize,
    ) -> Result<Self, FormulationError> {
        Self {
            sense: Sense::Minimize,
            weights: vec![0.0; outputs],
            constraints: Vec::new(),
        }
        .subject_to(constraints)
    }

    /// The objective subject to `constraints` (added to those it has); errors if a
    /// constraint has the wrong length, a non-finite weight, a NaN side or `lower > upper`.
    pub fn subject_to(
        mut self,
        constraints: Vec<OutputConstraint>,
    ) -> Result<Self, FormulationError> {
        for c in &constraints {
            if c.weights.len() != self.weights.len() {
                return Err(FormulationError::Objective(format!(
                    "constraint {} has {} weight(s) but the network has {} output(s)",
                    c.origin,
                    c.weights.len(),
                    self.weights.len()
                )));
            }
            if c.weights.iter().any(|w| !w.is_finite())
                || c.lower.is_nan()
                || c.upper.is_nan()
                || c.lower == f64::INFINITY
                || c.upper == f64::NEG_INFINITY
            {
                return Err(FormulationError::Objective(format!(
                    "constraint {} has a non-finite weight or side",
                    c.origin
                )));
            }
            if c.lower > c.upper {
                return Err(FormulationError::Objective(format!(
                    "constraint {} has lower side {} above its upper side {}",
                    c.origin, c.lower, c.upper
                )));
            }
        }
        self.constraints.extend(constraints);
        Ok(self)
    }

    /// Whether this is a feasibility question (`c = 0`).
    pub fn is_feasibility(&self) -> bool {
        self.weights.iter().all(|&w| w == 0.0)
    }

    /// Whether the outputs `y` satisfy every constraint within
    /// [`super::CONSTRAINT_TOLERANCE`]; the largest violation otherwise.
    pub fn check_constraints(&self, outputs: &[f64]) -> Result<(), (f64, &OutputConstraint)> {
        match self
            .constraints
            .iter()
            .filter(|c| !c.holds(outputs))
            .map(|c| (c.violation(outputs), c))
            .max_by(|a, b| a.0.total_cmp(&b.0))
        {
            Some(worst) => Err(worst),
            None => Ok(()),
        }
    }

    /// Errors unless there is one weight per network output (in the objective and in every
    /// constraint).
    pub fn check_fits(&self, outputs: usize) -> Result<(), FormulationError> {
        if let Some(c) = self.constraints.iter().find(|c| c.weights.len() != outputs) {
            return Err(FormulationError::Objective(format!(
                "constraint {} has {} weight(s) but the network has {outputs} output(s)",
                c.origin,
                c.weights.len()
            )));
        }
        if self.weights.len() == outputs {
            return Ok(());
        }
        Err(FormulationError::Objective(format!(
            "the objective has {} weight(s) but the network has {outputs} output(s)",
            self.weights.len()
        )))
    }

    /// `cᵀy` for network outputs `y`.
    pub fn value(&self, outputs: &[f64]) -> f64 {
        self.weights.iter().zip(outputs).map(|(c, y)| c * y).sum()
    }

    /// Whether `a` is at least as good as `b` for this sense.
    pub fn better_or_equal(&self, a: f64, b: f64) -> bool {
        match self.sense {
            Sense::Minimize => a <= b,
            Sense::Maximize => a >= b,
        }
    }

    /// A short description such as `minimise output 0`, `maximise 1·y0 − 2·y1`, with
    /// ` subject to N constraint(s)` when there are constraints, or `find a point satisfying N
    /// constraint(s)` for a feasibility question.
    pub fn describe(&self) -> String {
        let n = self.constraints.len();
        let plural = if n == 1 { "" } else { "s" };
        match (n, self.is_feasibility()) {
            (0, _) => self.describe_objective(),
            (_, true) => format!("find a point satisfying {n} constraint{plural}"),
            (_, false) => format!(
                "{} subject to {n} constraint{plural}",
                self.describe_objective()
            ),
        }
    }

    fn describe_objective(&self) -> String {
        let verb = match self.sense {
            Sense::Minimize => "minimise",
            Sense::Maximize => "maximise",
        };
        let nonzero: Vec<(usize, f64)> = self
            .weights
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| *c != 0.0)
            .collect();
        match nonzero.as_slice() {
            [(j, c)] if *c == 1.0 => format!("{verb} output {j}"),
            [] => format!("{verb} 0"),
            terms => {
                let mut body = String::new();
                for (k, (j, c)) in terms.iter().enumerate() {
                    let sign = match (k, *c < 0.0) {
                        (0, true) => "−",
                        (0, false) => "",
                        (_, true) => " − ",
                        (_, false) => " + ",
                    };
                    body.push_str(&format!("{sign}{}·y{j}", c.abs()));
                }
                format!("{verb} {body}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_indices_and_lengths() {
        assert!(Objective::output(Sense::Minimize, 0, 1).is_ok());
        let err = Objective::output(Sense::Minimize, 3, 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("output index 3 is out of range"), "{err}");
        assert!(Objective::combination(Sense::Maximize, vec![1.0], 2).is_err());
        assert!(Objective::combination(Sense::Maximize, vec![1.0, f64::NAN], 2).is_err());
        let o = Objective::combination(Sense::Maximize, vec![2.0, -1.0], 2).unwrap();
        assert_eq!(o.value(&[1.0, 3.0]), -1.0);
        assert_eq!(o.describe(), "maximise 2·y0 − 1·y1");
        assert_eq!(
            Objective::output(Sense::Minimize, 1, 2).unwrap().describe(),
            "minimise output 1"
        );
    }
}
