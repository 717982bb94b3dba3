//! The MILP that embeds a network: formulation, solving with HiGHS, and export.
//!
//! [`solve_network`] is the one-call entry point: it builds the [`BigMModel`] from bounds,
//! hands HiGHS a starting incumbent found by sampling the box, solves, and checks the
//! optimum by a forward pass of the network.

mod big_m;
mod dense_simplex;
mod highs_oracle;
mod highs_solver;
mod incumbent;
mod linear_model;
mod objective;

pub use big_m::{AffineExpr, BigMModel, Encoding};
pub use dense_simplex::{DenseLpError, DenseSimplex};
pub use highs_oracle::{Minimizer, ObjectiveOracle, OracleBound};
pub use highs_solver::{
    LinearSolution, LogObserver, SolveControl, SolveObserver, SolveOptions, SolveProgress,
    SolveStatus, solve_linear_model, write_model,
};
pub use incumbent::{SampledIncumbent, sampled_incumbent};
pub use linear_model::{Col, LinearModel, ModelSize, NEGLIGIBLE, Sense};
pub use objective::Objective;

use crate::bounds::NetworkBounds;
use crate::network::{InputBox, Network, NetworkError};
use serde::Serialize;
use std::time::Instant;
use thiserror::Error;

/// What can go wrong building, solving or exporting a MILP.
#[derive(Debug, Error)]
pub enum MilpError {
    /// The objective does not fit the network.
    #[error("{0}")]
    Objective(String),
    /// The bounds do not have the network's shape.
    #[error("bounds do not fit the network: {0}")]
    BoundsShape(String),
    /// The network or its box is unusable.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// HiGHS failed.
    #[error("solver: {0}")]
    Solver(String),
    /// Writing the model failed.
    #[error("export: {0}")]
    Export(String),
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
    let big_m = BigMModel::build(network, input_box, bounds, objective)?;
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
