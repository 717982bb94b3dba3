//! Solving the MILP that embeds a network: build the big-M model from bounds, hand HiGHS a
//! starting incumbent found by sampling the box, solve, and check the optimum by a forward
//! pass of the network.
//!
//! [`solve_network`] is the one-call entry point. The types a caller needs with it are
//! re-exported here: the [`Objective`], and HiGHS's [`SolveOptions`], [`SolveControl`] and
//! [`SolveStatus`].

mod incumbent;

pub use crate::formulation::Objective;
pub use crate::lp::{
    LogObserver, Sense, SolveControl, SolveObserver, SolveOptions, SolveProgress, SolveStatus,
};
pub use incumbent::{SampledIncumbent, sampled_incumbent};

use crate::bounds::NetworkBounds;
use crate::formulation::{FormulationError, NetworkModel};
use crate::lp::{LpError, solve_linear_model};
use crate::network::{InputBox, Network};
use serde::Serialize;
use std::time::Instant;
use thiserror::Error;

/// What can go wrong building or solving a network's MILP.
#[derive(Debug, Error)]
pub enum MilpError {
    /// The formulation could not be built (objective, bounds or box do not fit the network).
    #[error(transparent)]
    Formulation(#[from] FormulationError),
    /// HiGHS failed.
    #[error(transparent)]
    Lp(#[from] LpError),
}

/// Everything a user wants to know about one solve; field names are the stable JSON keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SolveReport {
    /// `optimal`, `time_limit`, `cancelled`, `infeasible`, `unbounded` or `other`.
    pub status: String,
    /// HiGHS's status text for `other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    /// What was optimised, e.g. `minimise output 0`.
    pub objective_description: String,
    /// Objective of the best point found.
    pub objective: Option<f64>,
    /// Best proven bound on the objective.
    pub best_bound: Option<f64>,
    /// Relative gap `|objective − best_bound| / |objective|`.
    pub gap: Option<f64>,
    /// Branch-and-bound nodes.
    pub nodes: u64,
    /// LP iterations inside the MILP solve.
    pub lp_iterations: u64,
    /// Solve time in seconds (HiGHS `run`).
    pub time_s: f64,
    /// Time to build the MILP and find the starting incumbent, in seconds.
    pub build_time_s: f64,
    /// The best input `x*`.
    pub x: Option<Vec<f64>>,
    /// `cᵀf(x*)` by a forward pass of the network.
    pub forward_value: Option<f64>,
    /// `|forward_value − objective|`: how faithfully the MILP models the network.
    pub forward_difference: Option<f64>,
    /// Objective of the sampled starting incumbent handed to HiGHS.
    pub start_objective: Option<f64>,
    /// Binary variables.
    pub binaries: usize,
    /// Variables.
    pub variables: usize,
    /// Constraints.
    pub constraints: usize,
    /// Nonzeros of the constraint matrix.
    pub nonzeros: usize,
    /// Incumbent and bound over time.
    #[serde(skip)]
    pub trace: Vec<SolveProgress>,
    /// The HiGHS log.
    #[serde(skip)]
    pub log: Vec<String>,
}

/// Settings of [`solve_network`] beyond the solver's own.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSolveOptions {
    /// HiGHS settings.
    pub solver: SolveOptions,
    /// Random inputs tried for the starting incumbent (plus the centre and, in low dimension,
    /// the corners); 0 disables the start.
    pub start_samples: usize,
    /// Seed of that sampling.
    pub seed: u64,
}

impl Default for NetworkSolveOptions {
    fn default() -> Self {
        Self {
            solver: SolveOptions::default(),
            start_samples: 512,
            seed: 0,
        }
    }
}

/// Optimises `objective` of `network` over `input_box` with the big-M MILP built on `bounds`.
pub fn solve_network(
    network: &Network,
    input_box: &InputBox,
    bounds: &NetworkBounds,
    objective: &Objective,
    options: &NetworkSolveOptions,
    control: &SolveControl,
) -> Result<SolveReport, MilpError> {
    let build_start = Instant::now();
    let big_m = NetworkModel::build(network, input_box, bounds, objective)?;
    let start = (options.start_samples > 0).then(|| {
        sampled_incumbent(
            network,
            input_box,
            objective,
            options.start_samples,
            options.seed,
        )
    });
    let start_columns = start
        .as_ref()
        .map(|s| big_m.complete_solution(network, &s.x));
    let build_time = build_start.elapsed();
    let solution = solve_linear_model(
        &big_m.model,
        start_columns.as_deref(),
        &options.solver,
        control,
    )?;
    let x = solution.columns.as_ref().map(|cols| {
        // HiGHS may leave inputs outside the box by its feasibility tolerance; the forward
        // check evaluates the network at the nearest point of the box.
        big_m
            .input_values(cols)
            .iter()
            .zip(input_box.lower().iter().zip(input_box.upper()))
            .map(|(&v, (&l, &u))| v.clamp(l, u))
            .collect::<Vec<f64>>()
    });
    let forward_value = x.as_ref().map(|x| objective.value(&network.forward(x)));
    let size = big_m.model.size();
    Ok(SolveReport {
        status: solution.status.key().to_string(),
        status_detail: match &solution.status {
            SolveStatus::Other(s) => Some(s.clone()),
            _ => None,
        },
        objective_description: objective.describe(),
        objective: solution.objective,
        best_bound: solution.best_bound,
        gap: solution.gap,
        nodes: solution.nodes,
        lp_iterations: solution.lp_iterations,
        time_s: solution.time.as_secs_f64(),
        build_time_s: build_time.as_secs_f64(),
        forward_difference: forward_value
            .zip(solution.objective)
            .map(|(f, o)| (f - o).abs()),
        x,
        forward_value,
        start_objective: start.map(|s| s.objective),
        binaries: size.binaries,
        variables: size.variables,
        constraints: size.constraints,
        nonzeros: size.nonzeros,
        trace: solution.trace,
        log: solution.log,
    })
}
