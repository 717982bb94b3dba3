//! `reluscope bench solve`: every solve path on the same networks, in one process, one after
//! the other — the reluscope side of `../shared/anchors/side_by_side.py` (which adds
//! gurobi-ml + Gurobi). Every optimum is forward-checked by its path, and the paths must agree.

use super::{collect_networks, median_time};
use crate::cli::print_json;
use crate::cli::table::Table;
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::formats::load_network;
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveOptions};
use reluscope::pipeline::{MilpSetup, SolveMethod, solve};
use reluscope::regions::RegionOptions;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `bench solve`.
#[derive(Debug, Args)]
pub struct SolveBenchArgs {
    /// Network files, or directories whose .json networks are all benchmarked.
    #[arg(default_value = "sample_networks")]
    paths: Vec<PathBuf>,
    /// Paths to time, comma-separated: auto, milp, regions, branch. Regions are skipped beyond
    /// 3 inputs and branching beyond 6 (where they take minutes).
    #[arg(
        long,
        default_value = "auto,milp,regions,branch",
        value_delimiter = ','
    )]
    methods: Vec<String>,
    /// Repetitions of each path (the median wall time is reported).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Time limit of each solve, seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit: f64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// One path on one network.
#[derive(Debug, Serialize)]
struct SolveRow {
    network: String,
    architecture: String,
    /// The path asked for.
    requested: String,
    /// The path that answered (auto's choice).
    method: String,
    status: String,
    objective: Option<f64>,
    nodes: u64,
    /// Median wall seconds of the whole `solve` (bounds, rescaling, solve).
    wall_s: f64,
}

/// Runs `bench solve`.
pub fn run(args: &SolveBenchArgs) -> Result<()> {
    let methods: Vec<SolveMethod> = args
        .methods
        .iter()
        .map(|m| {
            SolveMethod::from_key(m.trim())
                .with_context(|| format!("unknown method {m:?}: auto, milp, regions or branch"))
        })
        .collect::<Result<_>>()?;
    if !(args.time_limit.is_finite() && args.time_limit > 0.0) {
        bail!("--time-limit must be a positive number of seconds");
    }
    let files = collect_networks(&args.paths)?;
    let options = NetworkSolveOptions {
        solver: SolveOptions {
            time_limit: Some(args.time_limit),
            ..SolveOptions::default()
        },
        ..NetworkSolveOptions::default()
    };
    // The setup `solve` uses without flags.
    let setup = MilpSetup::solve_default();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        let network = load_network(file)?;
        let Some(input_box) = network.input_box().cloned() else {
            bail!("{}: no input box stored", file.display());
        };
        let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
        let d = network.input_dim();
        let mut optima: Vec<(String, f64)> = Vec::new();
        for &method in &methods {
            if (method == SolveMethod::Regions && d > 3) || (method == SolveMethod::Branch && d > 6)
            {
                skipped.push(format!("{} {} ({d} inputs)", network.name, method.key()));
                continue;
            }
            let mut last = None;
            let wall_s = median_time(args.repeat, || {
                last = Some(solve(
                    &network,
                    &input_box,
                    &objective,
                    method,
                    &setup,
                    &options,
                    &RegionOptions::default(),
                    &SolveControl::default(),
                ));
            });
            let solved = last
                .expect("at least one run")
                .with_context(|| format!("{} by {}", network.name, method.key()))?;
            let report = &solved.report;
            if report.status == "optimal"
                && let Some(o) = report.objective
            {
                optima.push((method.key().to_string(), o));
            }
            rows.push(SolveRow {
                network: network.name.clone(),
                architecture: network.architecture(),
                requested: method.key().to_string(),
                method: solved.method.key().to_string(),
                status: report.status.clone(),
                objective: report.objective,
                nodes: report.nodes,
                wall_s,
            });
        }
        if let Some((first, reference)) = optima.first() {
            for (path, o) in &optima[1..] {
                if (o - reference).abs() > 1e-6 * (1.0 + reference.abs()) {
                    bail!(
                        "{}: {path} finds {o} but {first} finds {reference}",
                        network.name
                    );
                }
            }
        }
    }
    if args.json {
        return print_json(&serde_json::json!({ "solves": rows, "skipped": skipped }));
    }
    let mut table = Table::new(&[
        "network",
        "arch",
        "path",
        "answered by",
        "status",
        "objective",
        "nodes",
        "wall s",
    ]);
    for r in &rows {
        table.row(vec![
            r.network.clone(),
            r.architecture.clone(),
            r.requested.clone(),
            r.method.clone(),
            r.status.clone(),
            r.objective.map_or("–".into(), |o| format!("{o:.6}")),
            r.nodes.to_string(),
            format!("{:.3}", r.wall_s),
        ]);
    }
    out!("{}", table.render());
    outln!(
        "optima agree (1e-6 relative) across the paths that proved one, on all {} network(s)",
        files.len()
    );
    if !skipped.is_empty() {
        outln!("skipped: {}", skipped.join(", "));
    }
    Ok(())
}
