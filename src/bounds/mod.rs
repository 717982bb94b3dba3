//! Pre-activation bounds `L ≤ aᵏᵢ ≤ U` for every neuron of every layer over the input box:
//! the bound types, the methods that need no LP (interval arithmetic, the symbolic backward
//! relaxation) and what bounds say about a neuron ([`neuron_state`]).
//!
//! Every method returns a [`NetworkBounds`]: one [`LayerBounds`] per layer, hidden layers
//! first and the output layer last, in the network's own (unscaled) coordinates. The
//! LP-based methods live in [`crate::tightening`], which also dispatches on [`BoundMethod`].

mod interval;
mod optimised_objective;
mod relaxation;
mod stability;
mod symbolic;

pub use interval::{interval_bounds, interval_layer};
pub(crate) use optimised_objective::finite_or_minus_infinity;
pub use optimised_objective::{ObjectiveBound, SlopeSearch, Slopes, optimised_objective_bound};
pub use relaxation::{Line, LineFamily, Relaxation, line_families, relaxation};
pub use stability::{NeuronState, big_m, binaries_needed, neuron_state};
pub use symbolic::{objective_relaxation, symbolic_bounds, symbolic_layer};

use crate::network::Activation;
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// Why bounds could not be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BoundsError {
    /// The user stopped the computation.
    #[error("bound computation cancelled")]
    Cancelled,
    /// An LP/MILP solve failed.
    #[error("bound tightening failed: {0}")]
    Solver(String),
}

/// Pre-activation bounds of the neurons of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerBounds {
    /// `Lᵢ`.
    pub lower: Vec<f64>,
    /// `Uᵢ`.
    pub upper: Vec<f64>,
}

impl LayerBounds {
    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// Whether the layer has no neuron.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// The bounds `[σ(L), σ(U)]` of the layer's outputs (`σ` is monotone).
    pub fn activated(&self, activation: Activation) -> (Vec<f64>, Vec<f64>) {
        self.lower
            .iter()
            .zip(&self.upper)
            .map(|(&l, &u)| activation.apply_interval(l, u))
            .unzip()
    }

    /// Intersects with `other` (bounds of the same neurons, both valid): `[max(l, l'), min(u,
    /// u')]`. Rounding can cross the two ends by an ulp on a degenerate neuron; the pair is
    /// kept ordered.
    pub fn intersect(&mut self, other: &LayerBounds) {
        let pairs = self.lower.iter_mut().zip(self.upper.iter_mut());
        for ((l, u), (&ol, &ou)) in pairs.zip(other.lower.iter().zip(&other.upper)) {
            let (a, b) = (l.max(ol), u.min(ou));
            (*l, *u) = (a.min(b), b.max(a));
        }
    }

    /// Whether `a` lies in the bounds, with `tol` of slack relative to the bound magnitude.
    pub fn contains(&self, a: &[f64], tol: f64) -> bool {
        a.iter()
            .zip(self.lower.iter().zip(&self.upper))
            .all(|(&v, (&l, &u))| {
                let slack = tol * (1.0 + l.abs().max(u.abs()));
                v >= l - slack && v <= u + slack
            })
    }
}

/// How a set of bounds was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundMethod {
    /// Interval arithmetic from the box.
    Interval,
    /// Backward linear relaxation (CROWN / DeepPoly style).
    Symbolic,
    /// LP-based optimization-based bound tightening.
    LpObbt,
    /// LP-OBBT, then MILP-based OBBT on the neurons it leaves unstable.
    MilpObbt,
}

impl BoundMethod {
    /// Every method, cheapest first.
    pub const ALL: [BoundMethod; 4] = [
        BoundMethod::Interval,
        BoundMethod::Symbolic,
        BoundMethod::LpObbt,
        BoundMethod::MilpObbt,
    ];

    /// The short name used on the command line and in JSON (`ia`, …).
    pub fn key(self) -> &'static str {
        match self {
            BoundMethod::Interval => "ia",
            BoundMethod::Symbolic => "symbolic",
            BoundMethod::LpObbt => "lp",
            BoundMethod::MilpObbt => "milp",
        }
    }

    /// The method with the short name `key` (`ia`, …).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }

    /// A human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            BoundMethod::Interval => "interval arithmetic",
            BoundMethod::Symbolic => "symbolic (backward linear relaxation)",
            BoundMethod::LpObbt => "LP-based OBBT",
            BoundMethod::MilpObbt => "MILP-based OBBT",
        }
    }
}

impl BoundMethod {
    /// One sentence on what the method does and costs, for tooltips and help.
    pub fn description(self) -> &'static str {
        match self {
            BoundMethod::Interval => {
                "Interval arithmetic: propagates the box layer by layer; instant, exact for the \
                 first layer, widths grow roughly by ||W|| per layer."
            }
            BoundMethod::Symbolic => {
                "Backward linear relaxation (CROWN/DeepPoly): bounds each neuron by linear \
                 functions of the input; milliseconds, much tighter than intervals on deep networks."
            }
            BoundMethod::LpObbt => {
                "LP-based OBBT: two LPs per neuron over the relaxed MILP of the earlier layers; \
                 tighter still, costs one LP per bound."
            }
            BoundMethod::MilpObbt => {
                "MILP-based OBBT: after the LPs, a MILP with a time limit per neuron still \
                 unstable; the tightest, and the slowest."
            }
        }
    }
}

impl fmt::Display for BoundMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Bounds for every layer and what they cost.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkBounds {
    /// The method that produced them.
    pub method: BoundMethod,
    /// One entry per layer: hidden layers, then the output layer.
    pub layers: Vec<LayerBounds>,
    /// Wall-clock time spent.
    pub time: Duration,
    /// Number of LPs (or MILPs) solved; 0 for interval arithmetic.
    pub lps_solved: usize,
    /// Simplex iterations of those LPs (MILPs not counted).
    pub lp_iterations: u64,
    /// LPs the dense simplex could not certify, solved by HiGHS instead (LP-OBBT only).
    pub lps_by_highs: usize,
    /// Why the computation stopped before the end (a time limit), leaving looser but valid
    /// bounds; `None` when it ran to the end.
    pub stopped: Option<String>,
}

impl NetworkBounds {
    /// Bounds of the hidden layers only.
    pub fn hidden(&self) -> &[LayerBounds] {
        &self.layers[..self.layers.len() - 1]
    }

    /// Bounds of the output layer.
    pub fn output(&self) -> &LayerBounds {
        &self.layers[self.layers.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::LayerBounds;

    #[test]
    fn intersecting_keeps_the_tighter_end_and_the_order() {
        let mut a = LayerBounds {
            lower: vec![-1.0, 0.0, 2.0],
            upper: vec![1.0, 5.0, 2.0 + 1e-16],
        };
        let b = LayerBounds {
            lower: vec![-2.0, 1.0, 2.0 + 4e-16],
            upper: vec![0.5, 3.0, 3.0],
        };
        a.intersect(&b);
        assert_eq!(a.lower[..2], [-1.0, 1.0]);
        assert_eq!(a.upper[..2], [0.5, 3.0]);
        // Crossed by rounding: still ordered.
        assert!(a.lower[2] <= a.upper[2]);
    }
}
