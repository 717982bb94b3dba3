//! Which neurons can split a cell, from bounds over the whole box. The patterns and their
//! affine maps live with the network ([`crate::network::pattern`]).

pub use crate::network::pattern::{ActivationPattern, AffinePiece, Phase};
pub(crate) use crate::network::pattern::{output_pieces, preactivation_map};

use crate::bounds::{LayerBounds, symbolic_bounds};
use crate::network::{Activation, InputBox, Network};

/// How one neuron is treated when a layer splits a cell, from bounds over the whole box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NeuronPlan {
    /// Stable over the box: every cell takes this phase.
    Fixed(Phase),
    /// Test the breakpoint `a = 0` (if `zero`), then `a = cap` on the cells above it (if
    /// `cap` is set).
    Split {
        /// Whether `a = 0` may cross the box.
        zero: bool,
        /// The cap whose level `a = cap` may cross the box (clipped ReLU).
        cap: Option<f64>,
    },
}

/// Plans for every hidden neuron from symbolic bounds over `input_box` (cheap, and tighter
/// than interval arithmetic beyond the first layer). A breakpoint is tested only if it lies
/// strictly inside `(L, U)`: a stable neuron cannot split any cell.
pub(crate) fn neuron_plans(network: &Network, input_box: &InputBox) -> Vec<Vec<NeuronPlan>> {
    neuron_plans_from(network, &symbolic_bounds(network, input_box).layers)
}

/// [`neuron_plans`] from those bounds computed already (`bounds[k]`: layer `k + 1`'s
/// pre-activations; the output layer's, if present, is not used).
pub(crate) fn neuron_plans_from(network: &Network, bounds: &[LayerBounds]) -> Vec<Vec<NeuronPlan>> {
    network
        .hidden_layers()
        .iter()
        .zip(bounds)
        .map(|(layer, b)| layer_plans(layer.activation, b))
        .collect()
}

fn layer_plans(activation: Activation, bounds: &LayerBounds) -> Vec<NeuronPlan> {
    bounds
        .lower
        .iter()
        .zip(&bounds.upper)
        .map(|(&l, &u)| plan(activation, l, u))
        .collect()
}

fn plan(activation: Activation, l: f64, u: f64) -> NeuronPlan {
    match activation {
        _ if u <= 0.0 => NeuronPlan::Fixed(Phase::Inactive),
        Activation::Relu | Activation::Linear if l >= 0.0 => NeuronPlan::Fixed(Phase::Active),
        Activation::Relu | Activation::Linear => NeuronPlan::Split {
            zero: true,
            cap: None,
        },
        Activation::ClippedRelu { cap } => {
            if l >= cap {
                NeuronPlan::Fixed(Phase::Saturated)
            } else if l >= 0.0 && u <= cap {
                NeuronPlan::Fixed(Phase::Active)
            } else {
                NeuronPlan::Split {
                    zero: l < 0.0,
                    cap: (u > cap).then_some(cap),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_follow_the_bounds() {
        let relu = Activation::Relu;
        let clipped = Activation::ClippedRelu { cap: 1.0 };
        assert_eq!(plan(relu, -2.0, 0.0), NeuronPlan::Fixed(Phase::Inactive));
        assert_eq!(plan(relu, 0.0, 3.0), NeuronPlan::Fixed(Phase::Active));
        assert_eq!(
            plan(relu, -1.0, 1.0),
            NeuronPlan::Split {
                zero: true,
                cap: None
            }
        );
        assert_eq!(plan(clipped, 1.0, 3.0), NeuronPlan::Fixed(Phase::Saturated));
        assert_eq!(plan(clipped, 0.2, 0.9), NeuronPlan::Fixed(Phase::Active));
        assert_eq!(
            plan(clipped, 0.2, 2.0),
            NeuronPlan::Split {
                zero: false,
                cap: Some(1.0)
            }
        );
        assert_eq!(
            plan(clipped, -1.0, 0.5),
            NeuronPlan::Split {
                zero: true,
                cap: None
            }
        );
    }
}
