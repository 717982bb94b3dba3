//! `reluscope bench engine`: how long each stage takes on a set of networks.
//!
//! Prints, per network, the time to load it, to compute interval bounds, to build the MILP
//! and (with `--solve`) to solve it, and checks the optimum against reference figures when a
//! figures directory is given.

use super::{collect_networks, median_time};
use crate::cli::args::SolverArgs;
use crate::cli::print_json;
use crate::cli::table::{Table, num, opt};
use anyhow::{Result, bail};
use clap::Args;
use reluscope::bounds::interval_bounds;
use reluscope::formats::load_network;
use reluscope::formulation::NetworkModel;
use reluscope::milp::{Objective, Sense, SolveControl, solve_network};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Arguments of `bench engine`.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Network files, or directories whose .json networks are all benchmarked.
    #[arg(default_value = "sample_networks")]
    paths: Vec<PathBuf>,
    /// Also solve "minimise output 0 over the box" with interval bounds.
    #[arg(long)]
    solve: bool,
    /// Directory of reference figures (NAME.json with an "optimum" entry) to compare against.
    #[arg(long, value_name = "DIR")]
    figures: Option<PathBuf>,
    /// Repetitions of the cheap stages (the median is reported).
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    #[command(flatten)]
    solver: SolverArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

fn reference_optimum(figures: Option<&Path>, name: &str) -> Option<f64> {
    let text = std::fs::read_to_string(figures?.join(format!("{name}.json"))).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    doc["optimum"]["objective"].as_f64()
}

/// Runs `bench engine`.
pub fn run(args: &EngineArgs) -> Result<()> {
    let files = collect_networks(&args.paths)?;
    let options = args.solver.options()?;
    let mut rows = Vec::new();
    for file in &files {
        let load_s = median_time(args.repeat, || load_network(file));
        let network = load_network(file)?;
        let Some(input_box) = network.input_box().cloned() else {
            bail!("{}: no input box stored", file.display());
        };
        let bounds_s = median_time(args.repeat, || interval_bounds(&network, &input_box));
        let bounds = interval_bounds(&network, &input_box);
        let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
        let build_s = median_time(args.repeat, || {
            NetworkModel::build(&network, &input_box, &bounds, &objective)
        });
        let mut row = json!({
            "network": network.name,
            "architecture": network.architecture(),
            "load_s": load_s,
            "interval_bounds_s": bounds_s,
            "build_milp_s": build_s,
        });
        if args.solve {
            let report = solve_network(
                &network,
                &input_box,
                &bounds,
                &objective,
                &options,
                &SolveControl::default(),
            )?;
            let reference = reference_optimum(args.figures.as_deref(), &network.name);
            row["solve"] = json!({
                "status": report.status,
                "objective": report.objective,
                "best_bound": report.best_bound,
                "gap": report.gap,
                "nodes": report.nodes,
                "time_s": report.time_s,
                "binaries": report.binaries,
                "forward_difference": report.forward_difference,
                "reference_objective": reference,
                "relative_error": reference.zip(report.objective)
                    .map(|(r, o)| (o - r).abs() / r.abs().max(1e-12)),
            });
        }
        if !args.json {
            eprintln!("done {}", network.name);
        }
        rows.push(row);
    }
    if args.json {
        return print_json(&json!({ "networks": rows }));
    }
    let ms = |v: &serde_json::Value| v.as_f64().map_or("-".into(), |s| format!("{:.3}", s * 1e3));
    let mut table = Table::new(&[
        "network",
        "arch",
        "load ms",
        "IA ms",
        "build ms",
        "status",
        "objective",
        "reference",
        "gap",
        "nodes",
        "solve s",
    ]);
    for r in &rows {
        let s = &r["solve"];
        table.row(vec![
            r["network"].as_str().unwrap_or("").into(),
            r["architecture"].as_str().unwrap_or("").into(),
            ms(&r["load_s"]),
            ms(&r["interval_bounds_s"]),
            ms(&r["build_milp_s"]),
            s["status"].as_str().unwrap_or("-").into(),
            opt(s["objective"].as_f64()),
            opt(s["reference_objective"].as_f64()),
            s["gap"]
                .as_f64()
                .map_or("-".into(), |g| format!("{:.2e}", g)),
            s["nodes"].as_u64().map_or("-".into(), |n| n.to_string()),
            s["time_s"].as_f64().map_or("-".into(), num),
        ]);
    }
    out!("{}", table.render());
    Ok(())
}
