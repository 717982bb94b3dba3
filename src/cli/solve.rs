//! `reluscope solve`: optimise the network output over the box.

use super::args::{BoundsArgs, NetworkArgs, ObjectiveArgs, SolverArgs};
use super::info::format_box;
use super::print_json;
use super::table::opt;
use anyhow::Result;
use clap::Args;
use reluscope::milp::{SolveControl, solve_network};
use std::sync::Arc;

/// Arguments of `solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    #[command(flatten)]
    pub bounds: BoundsArgs,
    #[command(flatten)]
    pub objective: ObjectiveArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `solve`.
pub fn run(args: &SolveArgs) -> Result<()> {
    let (network, input_box) = args.network.load()?;
    let objective = args.objective.objective(network.output_dim())?;
    let options = args.solver.options()?;
    let prepared = args.bounds.prepare(&network, &input_box)?;
    let bounds = &prepared.original_bounds;
    let problem = &prepared.problem;
    let mut control = SolveControl::default();
    if args.solver.verbose {
        control.on_log = Some(Arc::new(|line: &str| eprintln!("{line}")));
    }
    let report = solve_network(
        &problem.network,
        &input_box,
        &problem.bounds,
        &objective,
        &options,
        &control,
    )?;
    let scaling_time = problem
        .report
        .as_ref()
        .map_or(0.0, |r| r.time.as_secs_f64());
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["bounds_method"] = bounds.method.key().into();
        value["bounds_time_s"] = bounds.time.as_secs_f64().into();
        value["lps_solved"] = bounds.lps_solved.into();
        value["scaling"] = args.bounds.scale.key().into();
        value["scaling_time_s"] = scaling_time.into();
        return print_json(&value);
    }
    println!(
        "{} of {} over {}, {} bounds, scaling {}",
        report.objective_description,
        network.name,
        format_box(&input_box.pairs()),
        bounds.method.key(),
        args.bounds.scale.key()
    );
    let status = match &report.status_detail {
        Some(d) => format!("{} ({d})", report.status),
        None => report.status.clone(),
    };
    println!("status       {status}");
    println!(
        "objective    {}",
        report.objective.map_or("-".into(), |v| format!("{v:.10}"))
    );
    println!(
        "best bound   {}",
        report.best_bound.map_or("-".into(), |v| format!("{v:.10}"))
    );
    println!(
        "gap          {}",
        report
            .gap
            .map_or("-".into(), |g| format!("{:.4}%", 100.0 * g))
    );
    println!("nodes        {}", report.nodes);
    println!(
        "time         {:.3} s solve, {:.2} ms build, {:.3} ms bounds ({} LPs), {:.3} ms scaling",
        report.time_s,
        report.build_time_s * 1e3,
        bounds.time.as_secs_f64() * 1e3,
        bounds.lps_solved,
        scaling_time * 1e3
    );
    println!(
        "model        {} variables, {} constraints, {} binaries, {} nonzeros",
        report.variables, report.constraints, report.binaries, report.nonzeros
    );
    if let Some(x) = &report.x {
        let xs: Vec<String> = x.iter().map(|v| format!("{v:.6}")).collect();
        println!("x*           [{}]", xs.join(", "));
    }
    if let (Some(f), Some(d)) = (report.forward_value, report.forward_difference) {
        println!("f(x*)        {f:.10}  (|f(x*) − objective| = {d:.2e})");
    }
    println!(
        "start        {} (best of {} sampled inputs)",
        opt(report.start_objective),
        options.start_samples
    );
    Ok(())
}
