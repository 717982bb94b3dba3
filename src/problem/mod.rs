//! Optimization problems over ReLU networks, not only one network over a box: one shared input
//! vector `x` in a box, one or more networks reading `x`, linear constraints over `x` and any
//! network's outputs, an optional linear objective (without one: a feasibility question), and
//! disjunctions of constraint sets (VNNLIB's `or`).
//!
//! The problem is
//!
//! ```text
//! min/max  Σ c·v          (or: find any feasible point)
//! s.t.     x ∈ box,  y⁽ᵏ⁾ = fₖ(x) for every network k,
//!          every constraint  Σ a·v  (≤ | ≥ | =)  rhs,
//!          and, if there are disjuncts, at least one disjunct d:  x ∈ box_d  and its constraints,
//! ```
//!
//! where each `v` is an input `xᵢ` or an output `yⱼ⁽ᵏ⁾`. Files: [`problem_file`] (reluscope's
//! JSON problem file) and [`vnnlib`] (the VNN-COMP property subset).

pub mod problem_file;
pub mod stack;
pub mod vnnlib;

use crate::network::{InputBox, Network};
use serde::Serialize;
use std::path::PathBuf;
use thiserror::Error;

/// What went wrong reading or checking a problem; every message names the file (and line)
/// where one is known.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProblemError {
    /// A VNNLIB file outside the supported subset, or malformed.
    #[error("{}:{line}: {message}", .file.display())]
    Vnnlib {
        /// The property file.
        file: PathBuf,
        /// 1-based line of the offending expression.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A problem file that does not follow the schema, or whose parts do not fit together.
    #[error("{}: {message}", .file.display())]
    File {
        /// The problem file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A problem whose parts do not fit together (dimensions, names, values).
    #[error("{0}")]
    Invalid(String),
    /// An alternative whose box does not meet the problem's: it holds no point.
    #[error("{0}")]
    EmptyAlternative(String),
}

/// One variable of a problem: an input `xᵢ` or output `j` of network `k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Variable {
    /// Input `xᵢ` (shared by every network).
    Input(usize),
    /// Output `output` of network `network` (index into [`Problem::networks`]).
    Output {
        /// The network's index.
        network: usize,
        /// The output's index.
        output: usize,
    },
}

/// `≤`, `≥` or `=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConstraintSense {
    /// `Σ a·v ≤ rhs`.
    #[serde(rename = "<=")]
    Le,
    /// `Σ a·v ≥ rhs`.
    #[serde(rename = ">=")]
    Ge,
    /// `Σ a·v = rhs`.
    #[serde(rename = "=")]
    Eq,
}

impl ConstraintSense {
    /// The symbol, `<=`, `>=` or `=`.
    pub fn symbol(self) -> &'static str {
        match self {
            ConstraintSense::Le => "<=",
            ConstraintSense::Ge => ">=",
            ConstraintSense::Eq => "=",
        }
    }
}

/// A linear constraint `Σ a·v (≤ | ≥ | =) rhs` over inputs and outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearConstraint {
    /// `(variable, coefficient)` pairs; a variable appears at most once.
    pub terms: Vec<(Variable, f64)>,
    /// The relation.
    pub sense: ConstraintSense,
    /// The right-hand side.
    pub rhs: f64,
    /// Where it came from, for messages (e.g. `prop.vnnlib:12` or `constraint 3`).
    pub origin: String,
}

impl LinearConstraint {
    /// `Σ a·v` at inputs `x` and the networks' outputs `outputs[k]`.
    pub fn lhs(&self, x: &[f64], outputs: &[Vec<f64>]) -> f64 {
        self.terms
            .iter()
            .map(|&(v, a)| a * Self::value_of(v, x, outputs))
            .sum()
    }

    /// The value of variable `v` at inputs `x` and outputs `outputs[k]`.
    fn value_of(v: Variable, x: &[f64], outputs: &[Vec<f64>]) -> f64 {
        match v {
            Variable::Input(i) => x[i],
            Variable::Output { network, output } => outputs[network][output],
        }
    }

    /// By how much the point violates the constraint (0 when it holds; `∞` when the left-hand
    /// side is not finite).
    pub fn violation(&self, x: &[f64], outputs: &[Vec<f64>]) -> f64 {
        let slack = self.slack(x, outputs);
        if slack.is_finite() {
            (-slack).max(0.0)
        } else {
            f64::INFINITY
        }
    }

    /// How far inside the constraint the point is: `rhs − lhs` for `≤`, `lhs − rhs` for `≥`,
    /// `−|lhs − rhs|` for `=`; `−∞` when the left-hand side is not finite.
    pub fn slack(&self, x: &[f64], outputs: &[Vec<f64>]) -> f64 {
        let lhs = self.lhs(x, outputs);
        if !lhs.is_finite() {
            return f64::NEG_INFINITY;
        }
        match self.sense {
            ConstraintSense::Le => self.rhs - lhs,
            ConstraintSense::Ge => lhs - self.rhs,
            ConstraintSense::Eq => -(lhs - self.rhs).abs(),
        }
    }

    /// `Σ|aᵢvᵢ|` at the point: the scale the tolerance of [`LinearConstraint::holds`] is
    /// relative to.
    pub fn terms_magnitude(&self, x: &[f64], outputs: &[Vec<f64>]) -> f64 {
        self.terms
            .iter()
            .map(|&(v, a)| (a * Self::value_of(v, x, outputs)).abs())
            .sum()
    }

    /// Whether the point satisfies the constraint within
    /// [`crate::formulation::accepted_violation`]`(rhs, Σ|aᵢvᵢ|)`.
    pub fn holds(&self, x: &[f64], outputs: &[Vec<f64>]) -> bool {
        self.violation(x, outputs)
            <= crate::formulation::accepted_violation(self.rhs, self.terms_magnitude(x, outputs))
    }

    /// The constraint moved inward by `margin · (max|aᵢ| + |rhs|)` (`≤` and `≥`; an equality
    /// is left as it is): points that satisfy it satisfy the original with room to spare.
    pub fn tightened(&self, margin: f64) -> LinearConstraint {
        let scale = self.terms.iter().fold(0.0_f64, |m, &(_, a)| m.max(a.abs()));
        let shift = margin * (scale + self.rhs.abs());
        let rhs = match self.sense {
            ConstraintSense::Le => self.rhs - shift,
            ConstraintSense::Ge => self.rhs + shift,
            ConstraintSense::Eq => self.rhs,
        };
        LinearConstraint {
            rhs,
            ..self.clone()
        }
    }
}

/// One alternative of a disjunction: `x ∈ box` (when given) and every constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Disjunct {
    /// A box intersected with the problem's box, if the alternative restricts `x` further.
    pub input_box: Option<InputBox>,
    /// The alternative's constraints.
    pub constraints: Vec<LinearConstraint>,
    /// Where it came from, for messages.
    pub origin: String,
}

/// A linear objective `min/max Σ c·v`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemObjective {
    /// Minimise or maximise.
    pub sense: crate::lp::Sense,
    /// `(variable, coefficient)` pairs.
    pub terms: Vec<(Variable, f64)>,
}

/// A network of a problem, with the name constraints use for it (`f` in `f.y0`).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedNetwork {
    /// The name, unique within the problem.
    pub name: String,
    /// The network; its input dimension is the problem's.
    pub network: Network,
}

/// An optimization (or feasibility) problem over one or more networks; see the
/// [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The networks, all reading the same `x`.
    pub networks: Vec<NamedNetwork>,
    /// The box of `x`.
    pub input_box: InputBox,
    /// Constraints that always hold.
    pub constraints: Vec<LinearConstraint>,
    /// At least one of these holds (none: no disjunction).
    pub disjuncts: Vec<Disjunct>,
    /// What is optimised; `None` asks whether any feasible point exists.
    pub objective: Option<ProblemObjective>,
}

impl Problem {
    /// The plain problem: `network` over `input_box`, no constraints, no objective yet.
    pub fn single(network: Network, input_box: InputBox) -> Self {
        Self {
            networks: vec![NamedNetwork {
                name: network.name.clone(),
                network,
            }],
            input_box,
            constraints: Vec::new(),
            disjuncts: Vec::new(),
            objective: None,
        }
    }

    /// The input dimension.
    pub fn input_dim(&self) -> usize {
        self.input_box.dim()
    }

    /// How a variable is written in problem files: `x0`, or `f.y1` (`y1` when there is one
    /// network).
    pub fn variable_name(&self, v: Variable) -> String {
        match v {
            Variable::Input(i) => format!("x{i}"),
            Variable::Output { network, output } if self.networks.len() == 1 => {
                let _ = network;
                format!("y{output}")
            }
            Variable::Output { network, output } => {
                let name = self.networks.get(network).map_or("?", |n| n.name.as_str());
                format!("{name}.y{output}")
            }
        }
    }

    /// Errors unless the parts fit: at least one network, unique names, every network reading
    /// `input_dim()` inputs, every term naming an existing input or output with a finite
    /// coefficient, finite right-hand sides, disjunct boxes of the right dimension.
    pub fn check(&self) -> Result<(), ProblemError> {
        let invalid = |m: String| Err(ProblemError::Invalid(m));
        if self.networks.is_empty() {
            return invalid("the problem has no network".into());
        }
        for (k, n) in self.networks.iter().enumerate() {
            if self.networks[..k].iter().any(|m| m.name == n.name) {
                return invalid(format!("two networks are named '{}'", n.name));
            }
            if n.network.input_dim() != self.input_dim() {
                return invalid(format!(
                    "network '{}' reads {} input(s) but the box has {}",
                    n.name,
                    n.network.input_dim(),
                    self.input_dim()
                ));
            }
        }
        let check_terms = |terms: &[(Variable, f64)], origin: &str| -> Result<(), ProblemError> {
            for &(v, a) in terms {
                let exists = match v {
                    Variable::Input(i) => i < self.input_dim(),
                    Variable::Output { network, output } => self
                        .networks
                        .get(network)
                        .is_some_and(|n| output < n.network.output_dim()),
                };
                if !exists {
                    return invalid(format!(
                        "{origin}: {} does not exist",
                        self.variable_name(v)
                    ));
                }
                if !a.is_finite() {
                    return invalid(format!(
                        "{origin}: the coefficient {a} of {} is not finite",
                        self.variable_name(v)
                    ));
                }
            }
            Ok(())
        };
        let all = self
            .constraints
            .iter()
            .chain(self.disjuncts.iter().flat_map(|d| &d.constraints));
        for c in all {
            check_terms(&c.terms, &c.origin)?;
            if !c.rhs.is_finite() {
                return invalid(format!(
                    "{}: the right-hand side {} is not finite",
                    c.origin, c.rhs
                ));
            }
        }
        if let Some(o) = &self.objective {
            check_terms(&o.terms, "the objective")?;
        }
        for d in &self.disjuncts {
            if let Some(b) = &d.input_box
                && b.dim() != self.input_dim()
            {
                return invalid(format!(
                    "{}: a box of {} input(s) where the problem has {}",
                    d.origin,
                    b.dim(),
                    self.input_dim()
                ));
            }
        }
        Ok(())
    }

    /// The problem of a VNNLIB property on `network`: the unsafe set, as a feasibility
    /// question. The box is the hull of the alternatives' boxes; each alternative keeps its
    /// own. A property without any alternative left (every one trivially false) becomes the
    /// constraint `0 ≥ 1`: infeasible, as it is.
    pub fn from_vnnlib(
        network: Network,
        property: vnnlib::VnnlibProperty,
        file: &std::path::Path,
    ) -> Result<Self, ProblemError> {
        let mismatch = |what: &str, declared: usize, has: usize| ProblemError::File {
            file: file.to_path_buf(),
            message: format!(
                "the property declares {declared} {what} but the network '{}' has {has}",
                network.name
            ),
        };
        if property.inputs != network.input_dim() {
            return Err(mismatch("inputs", property.inputs, network.input_dim()));
        }
        if property.outputs != network.output_dim() {
            return Err(mismatch("outputs", property.outputs, network.output_dim()));
        }
        let boxes: Vec<&InputBox> = property
            .disjuncts
            .iter()
            .filter_map(|d| d.input_box.as_ref())
            .collect();
        let d = network.input_dim();
        let input_box = if boxes.is_empty() {
            // No alternative: any box will do, the problem is infeasible anyway.
            match network.input_box() {
                Some(b) => b.clone(),
                None => InputBox::new(vec![0.0; d], vec![0.0; d])
                    .map_err(|e| ProblemError::Invalid(e.to_string()))?,
            }
        } else {
            let lower = (0..d)
                .map(|i| {
                    boxes
                        .iter()
                        .map(|b| b.lower()[i])
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            let upper = (0..d)
                .map(|i| {
                    boxes
                        .iter()
                        .map(|b| b.upper()[i])
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect();
            InputBox::new(lower, upper).map_err(|e| ProblemError::File {
                file: file.to_path_buf(),
                message: e.to_string(),
            })?
        };
        let constraints = if property.disjuncts.is_empty() {
            vec![LinearConstraint {
                terms: Vec::new(),
                sense: ConstraintSense::Ge,
                rhs: 1.0,
                origin: format!(
                    "{}: every alternative of the property is trivially false",
                    file.display()
                ),
            }]
        } else {
            Vec::new()
        };
        let problem = Self {
            networks: vec![NamedNetwork {
                name: network.name.clone(),
                network,
            }],
            input_box,
            constraints,
            disjuncts: property.disjuncts,
            objective: None,
        };
        problem.check()?;
        Ok(problem)
    }

    /// Which alternative `x` satisfies, by forward passes of the networks, within
    /// [`LinearConstraint::holds`]'s tolerance: `Some(None)` when there
    /// are no alternatives and every constraint holds, `Some(Some(d))` for the first
    /// alternative `d` that holds (with the problem's own constraints), `None` when `x` is
    /// not feasible (outside the box included).
    pub fn satisfied_alternative(&self, x: &[f64]) -> Option<Option<usize>> {
        if x.len() != self.input_dim() || !self.input_box.contains(x, 0.0) {
            return None;
        }
        let outputs: Vec<Vec<f64>> = self.networks.iter().map(|n| n.network.forward(x)).collect();
        let holds = |c: &LinearConstraint| c.holds(x, &outputs);
        if !self.constraints.iter().all(holds) {
            return None;
        }
        if self.disjuncts.is_empty() {
            return Some(None);
        }
        self.disjuncts
            .iter()
            .position(|d| {
                d.input_box.as_ref().is_none_or(|b| b.contains(x, 0.0))
                    && d.constraints.iter().all(holds)
            })
            .map(Some)
    }

    /// The problem with every inequality moved inward ([`LinearConstraint::tightened`]).
    pub fn tightened(&self, margin: f64) -> Problem {
        let tighten = |cs: &[LinearConstraint]| cs.iter().map(|c| c.tightened(margin)).collect();
        Problem {
            constraints: tighten(&self.constraints),
            disjuncts: self
                .disjuncts
                .iter()
                .map(|d| Disjunct {
                    constraints: tighten(&d.constraints),
                    ..d.clone()
                })
                .collect(),
            ..self.clone()
        }
    }

    /// One line per constraint (`f.y0 − 2·x1 <= 3`), per alternative (`or (2) x in [0, 1],
    /// [-1, 1], y0 >= 0.5`) and for the objective (`minimise f.y0 + g.y0`).
    pub fn describe_lines(&self) -> Vec<String> {
        use crate::numbers::format_number;
        let term = |terms: &[(Variable, f64)]| -> String {
            let mut text = String::new();
            for (k, &(v, a)) in terms.iter().enumerate() {
                let sign = match (k, a < 0.0) {
                    (0, true) => "−",
                    (0, false) => "",
                    (_, true) => " − ",
                    (_, false) => " + ",
                };
                let coefficient = if a.abs() == 1.0 {
                    String::new()
                } else {
                    format!("{}·", format_number(a.abs()))
                };
                text.push_str(&format!("{sign}{coefficient}{}", self.variable_name(v)));
            }
            if text.is_empty() { "0".into() } else { text }
        };
        let constraint = |c: &LinearConstraint| {
            format!(
                "{} {} {}",
                term(&c.terms),
                c.sense.symbol(),
                format_number(c.rhs)
            )
        };
        let mut lines: Vec<String> = self.constraints.iter().map(constraint).collect();
        for (d, alt) in self.disjuncts.iter().enumerate() {
            let mut parts: Vec<String> = alt.constraints.iter().map(constraint).collect();
            if let Some(b) = &alt.input_box {
                let sides: Vec<String> = b
                    .pairs()
                    .iter()
                    .map(|[l, u]| format!("[{}, {}]", format_number(*l), format_number(*u)))
                    .collect();
                parts.insert(0, format!("x in {}", sides.join(", ")));
            }
            lines.push(format!("or ({}) {}", d + 1, parts.join(", ")));
        }
        if let Some(o) = &self.objective {
            let verb = match o.sense {
                crate::lp::Sense::Minimize => "minimise",
                crate::lp::Sense::Maximize => "maximise",
            };
            lines.push(format!("{verb} {}", term(&o.terms)));
        }
        lines
    }

    /// The alternatives to solve: the index of each disjunct, or the single `None` when
    /// there is no disjunction.
    pub fn alternatives(&self) -> Vec<Option<usize>> {
        if self.disjuncts.is_empty() {
            vec![None]
        } else {
            (0..self.disjuncts.len()).map(Some).collect()
        }
    }
}
