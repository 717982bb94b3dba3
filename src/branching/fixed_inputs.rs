//! Branching over a box with zero-width sides (fixed inputs): the network of the free inputs.

use super::{BranchError, BranchOptions, solve_by_branching};
use crate::control::TaskControl;
use crate::milp::{Objective, SolveReport};
use crate::network::{InputBox, Network};

/// Branching over a box with zero-width sides: those inputs are constants, folded into the
/// first layer's bias (`b¹ + W¹_F x_F`), and the network of the free inputs is branched on
/// (regions reject a flat box); `x*` is lifted back and checked on the original network.
pub(super) fn solve_with_fixed_inputs(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    options: &BranchOptions,
    control: &TaskControl,
) -> Result<SolveReport, BranchError> {
    let (lo, hi) = (input_box.lower(), input_box.upper());
    let free: Vec<usize> = (0..lo.len()).filter(|&j| hi[j] > lo[j]).collect();
    let lift = |y: &[f64]| -> Vec<f64> {
        let mut x = lo.to_vec();
        free.iter().zip(y).for_each(|(&j, &v)| x[j] = v);
        x
    };
    let mut report = if free.is_empty() {
        // A single point: its value is the optimum.
        let x = lo.to_vec();
        let value = objective.value(&network.forward(&x));
        SolveReport {
            status: "optimal".into(),
            objective_description: objective.describe(),
            objective: Some(value),
            best_bound: Some(value),
            gap: Some(0.0),
            x: Some(x),
            ..SolveReport::default()
        }
    } else {
        let layers = network.layers();
        let first = &layers[0];
        let weights = first.weights.select(ndarray::Axis(1), &free);
        let mut bias = first.bias.clone();
        for (j, &v) in lo.iter().enumerate() {
            if hi[j] == v && v != 0.0 {
                bias.scaled_add(v, &first.weights.column(j));
            }
        }
        let mut reduced_layers = vec![crate::network::Layer::new(weights, bias, first.activation)];
        reduced_layers.extend(layers[1..].iter().cloned());
        let free_box = InputBox::new(
            free.iter().map(|&j| lo[j]).collect(),
            free.iter().map(|&j| hi[j]).collect(),
        )
        .map_err(|e| BranchError::Problem(e.to_string()))?;
        let reduced = Network::new(reduced_layers, Some(free_box.clone()))
            .map_err(|e| BranchError::Problem(e.to_string()))?;
        let mut r = solve_by_branching(&reduced, &free_box, objective, options, control)?;
        r.x = r.x.as_deref().map(lift);
        r
    };
    // The check on the original network, at the lifted point.
    if let Some(x) = report.x.clone() {
        let forward = objective.value(&network.forward(&x));
        report.forward_value = Some(forward);
        report.forward_difference = report.objective.map(|o| (forward - o).abs());
    }
    report.variables = network.input_dim();
    report.check_against(network, objective);
    Ok(report)
}
