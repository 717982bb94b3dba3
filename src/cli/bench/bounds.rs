//! `reluscope bench bounds`: every bound method on every network, and what it buys the MILP.
//!
//! Per network and method: time, LPs solved, stable %, max big-M per layer; with `--solve`,
//! the MILP solve time and nodes with each method, with and without rescaling; with
//! `--anchor DIR`, the LP-OBBT time of the reference script (`DIR/anchor.py`, numpy + highspy)
//! measured in the same run, and the speed-up.

use super::{collect_networks, median, median_time};
use crate::cli::args::SolverArgs;
use crate::cli::print_json;
use crate::cli::table::{Table, opt};
use anyhow::{Context, Result};
use clap::Args;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::BoundMethod;
use reluscope::control::TaskControl;
use reluscope::formats::load_network;
use reluscope::milp::{Objective, Sense, SolveControl, solve_network};
use reluscope::pipeline::{MilpSetup, prepare_milp};
use reluscope::scaling::ScalingMethod;
use reluscope::tightening::{ObbtOptions, compute_bounds_with};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Arguments of `bench bounds`.
#[derive(Debug, Args)]
pub struct BoundsBenchArgs {
    /// Network files, or directories whose .json networks are all benchmarked.
    #[arg(default_value = "sample_networks")]
    paths: Vec<PathBuf>,
    /// Bound methods to run (comma-separated keys).
    #[arg(long, value_delimiter = ',', default_value = "ia,symbolic,lp,milp")]
    methods: Vec<String>,
    /// Also solve "minimise output 0" with every method and every scaling in --scalings.
    #[arg(long)]
    solve: bool,
    /// Scalings to solve with (comma-separated keys).
    #[arg(long, value_delimiter = ',', default_value = "none,balanced")]
    scalings: Vec<String>,
    /// Directory holding the reference implementation anchor.py, timed side by side.
    #[arg(long, value_name = "DIR")]
    anchor: Option<PathBuf>,
    /// Repetitions of each bound computation (the median is reported; MILP-OBBT runs once).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Per-neuron time limit of MILP-OBBT, seconds.
    #[arg(long, default_value_t = 1.0)]
    obbt_time_limit: f64,
    /// With --solve, solve each MILP with this many HiGHS seeds (--solver-seed and up) and
    /// report the medians: one seed's time says little about a formulation.
    #[arg(long, default_value_t = 1)]
    solver_seeds: u32,
    #[command(flatten)]
    solver: SolverArgs,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

fn parse_keys<T>(keys: &[String], from: fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>> {
    keys.iter()
        .map(|k| from(k).with_context(|| format!("unknown {what} '{k}'")))
        .collect()
}

/// Time of the reference script's LP-OBBT on `network`, median of `repeat` runs in one
/// Python process (so start-up is not counted).
fn anchor_time(anchor_dir: &Path, network: &Path, repeat: usize) -> Result<f64> {
    let script = format!(
        "import sys, time, statistics\n\
         sys.path.insert(0, {dir:?})\n\
         import anchor\n\
         net = anchor.Net.load({net:?})\n\
         times = []\n\
         for _ in range({repeat}):\n\
         \x20   t = time.perf_counter(); anchor.obbt_bounds(net); times.append(time.perf_counter() - t)\n\
         print(statistics.median(times))\n",
        dir = anchor_dir.to_string_lossy(),
        net = network.to_string_lossy(),
    );
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .context("running python3 for the reference script")?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .with_context(|| {
            format!(
                "the reference script printed no time: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )
        })
}

/// Runs `bench bounds`.
pub fn run(args: &BoundsBenchArgs) -> Result<()> {
    let methods = parse_keys(&args.methods, BoundMethod::from_key, "bound method")?;
    let scalings = parse_keys(&args.scalings, ScalingMethod::from_key, "scaling")?;
    let solve_options = args.solver.options()?;
    let obbt = ObbtOptions {
        milp_time_limit: args.obbt_time_limit,
        ..ObbtOptions::default()
    };
    let mut rows: Vec<Value> = Vec::new();
    for file in collect_networks(&args.paths)? {
        let network = load_network(&file)?;
        let input_box = network
            .input_box()
            .cloned()
            .with_context(|| format!("{}: no input box stored", file.display()))?;
        let mut per_method = Vec::new();
        for &method in &methods {
            let repeat = if method == BoundMethod::MilpObbt {
                1
            } else {
                args.repeat
            };
            let compute = || {
                compute_bounds_with(&network, &input_box, method, &obbt, &TaskControl::default())
            };
            let time = median_time(repeat, compute);
            let bounds = compute()?;
            let report = AnalysisReport::new(&network, &input_box, &bounds);
            let mut entry = json!({
                "method": method.key(),
                "time_s": time,
                "lps": bounds.lps_solved,
                "lp_iterations": bounds.lp_iterations,
                "lps_by_highs": bounds.lps_by_highs,
                "stable_percent": report.stable_percent,
                "binaries": report.binaries,
                "max_big_m": report.layers.iter()
                    .filter(|l| l.stats.stable_percent.is_some())
                    .map(|l| l.stats.max_big_m).collect::<Vec<_>>(),
            });
            if args.solve {
                let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
                let mut solves = Vec::new();
                for &scaling in &scalings {
                    let setup = MilpSetup {
                        bounds: method,
                        scaling,
                        obbt: obbt.clone(),
                        milp_obbt_from_binaries: None,
                    };
                    let prepared =
                        prepare_milp(&network, &input_box, &setup, &TaskControl::default())?;
                    let mut runs = Vec::new();
                    for k in 0..args.solver_seeds.max(1) {
                        let mut options = solve_options.clone();
                        options.solver.random_seed = options.solver.random_seed.wrapping_add(k);
                        let report = solve_network(
                            &prepared.problem.network,
                            &input_box,
                            &prepared.problem.bounds,
                            &objective,
                            &options,
                            &SolveControl::default(),
                        )?;
                        runs.push(json!({
                            "seed": options.solver.random_seed,
                            "status": report.status,
                            "objective": report.objective,
                            "gap": report.gap,
                            "nodes": report.nodes,
                            "time_s": report.time_s,
                        }));
                    }
                    let median_of = |key: &str| {
                        median(
                            &mut runs
                                .iter()
                                .filter_map(|r| r[key].as_f64())
                                .collect::<Vec<_>>(),
                        )
                    };
                    let optimal = runs.iter().filter(|r| r["status"] == "optimal").count();
                    solves.push(json!({
                        "scaling": scaling.key(),
                        "status": runs[0]["status"],
                        "optimal_runs": optimal,
                        "objective": runs[0]["objective"],
                        "median_nodes": median_of("nodes"),
                        "median_time_s": median_of("time_s"),
                        "runs": runs,
                    }));
                }
                entry["solves"] = solves.into();
            }
            per_method.push(entry);
        }
        let mut row = json!({
            "network": network.name,
            "architecture": network.architecture(),
            "hidden_layers": network.hidden_layers().len(),
            "methods": per_method,
        });
        if let Some(dir) = &args.anchor {
            let reference = anchor_time(dir, &file, args.repeat)?;
            row["anchor_lp_obbt_s"] = reference.into();
        }
        if !args.json {
            eprintln!("done {}", network.name);
        }
        rows.push(row);
    }
    if args.json {
        return print_json(&json!({ "networks": rows }));
    }
    print_tables(&rows);
    Ok(())
}

fn print_tables(rows: &[Value]) {
    let mut bounds = Table::new(&[
        "network",
        "method",
        "time ms",
        "LPs",
        "iterations",
        "stable %",
        "binaries",
        "max big-M per layer",
    ]);
    let mut solves = Table::new(&[
        "network",
        "method",
        "scaling",
        "status",
        "objective",
        "nodes (median)",
        "solve s (median)",
    ]);
    let mut speed = Table::new(&["network", "LP-OBBT ms", "reference ms", "speed-up"]);
    let mut lowest_speed_up = f64::INFINITY;
    for r in rows {
        let name = r["network"].as_str().unwrap_or("");
        for m in r["methods"].as_array().into_iter().flatten() {
            let method = m["method"].as_str().unwrap_or("");
            let max_m: Vec<String> = m["max_big_m"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| opt(v.as_f64()))
                .collect();
            bounds.row(vec![
                name.into(),
                method.into(),
                format!("{:.2}", m["time_s"].as_f64().unwrap_or(0.0) * 1e3),
                match m["lps_by_highs"].as_u64() {
                    Some(by_highs) if by_highs > 0 => format!("{} ({by_highs} by HiGHS)", m["lps"]),
                    _ => m["lps"].to_string(),
                },
                m["lp_iterations"].to_string(),
                format!("{:.1}", m["stable_percent"].as_f64().unwrap_or(0.0)),
                m["binaries"].to_string(),
                max_m.join(" "),
            ]);
            for s in m["solves"].as_array().into_iter().flatten() {
                let runs = s["runs"].as_array().map_or(0, Vec::len);
                let status = if runs > 1 {
                    format!("{}/{runs} optimal", s["optimal_runs"])
                } else {
                    s["status"].as_str().unwrap_or("").into()
                };
                solves.row(vec![
                    name.into(),
                    method.into(),
                    s["scaling"].as_str().unwrap_or("").into(),
                    status,
                    opt(s["objective"].as_f64()),
                    opt(s["median_nodes"].as_f64()),
                    opt(s["median_time_s"].as_f64()),
                ]);
            }
            if method == "lp"
                && let Some(reference) = r["anchor_lp_obbt_s"].as_f64()
            {
                let ours = m["time_s"].as_f64().unwrap_or(f64::NAN);
                lowest_speed_up = lowest_speed_up.min(reference / ours);
                speed.row(vec![
                    name.into(),
                    format!("{:.1}", ours * 1e3),
                    format!("{:.1}", reference * 1e3),
                    format!("{:.1}×", reference / ours),
                ]);
            }
        }
    }
    out!("{}", bounds.render());
    if rows.iter().any(|r| r["methods"][0].get("solves").is_some()) {
        outln!();
        out!("{}", solves.render());
        print_deep_network_verdict(rows);
    }
    if rows.iter().any(|r| r.get("anchor_lp_obbt_s").is_some()) {
        outln!();
        out!("{}", speed.render());
        outln!("lowest speed-up {lowest_speed_up:.1}× (target: at least 10× on every network)");
    }
}

/// Median MILP time of `method` with `scaling` on one benchmark row.
fn median_solve_time(row: &Value, method: &str, scaling: &str) -> Option<f64> {
    row["methods"]
        .as_array()?
        .iter()
        .find(|m| m["method"] == method)?["solves"]
        .as_array()?
        .iter()
        .find(|s| s["scaling"] == scaling)?["median_time_s"]
        .as_f64()
}

/// The second target: on networks with three or more hidden layers, the MILP with
/// LP-OBBT bounds solves faster than with interval bounds (compared without rescaling).
fn print_deep_network_verdict(rows: &[Value]) {
    let mut all_faster = true;
    let mut compared = 0;
    for r in rows
        .iter()
        .filter(|r| r["hidden_layers"].as_u64() >= Some(3))
    {
        let (Some(ia), Some(lp)) = (
            median_solve_time(r, "ia", "none"),
            median_solve_time(r, "lp", "none"),
        ) else {
            continue;
        };
        compared += 1;
        all_faster &= lp < ia;
        outln!(
            "{}: MILP {:.2} s with lp, {:.2} s with ia (speed-up {:.2}×)",
            r["network"].as_str().unwrap_or(""),
            lp,
            ia,
            ia / lp
        );
    }
    if compared > 0 {
        outln!(
            "MILP with lp below ia on every network with ≥ 3 hidden layers: {}",
            if all_faster { "yes" } else { "no" }
        );
    }
}
