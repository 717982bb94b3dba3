//! `reluscope study`: the study's experiment in one command.
//!
//! Trains one architecture on one function with the same seed under several training
//! choices (plain, L1, L2, clipped ReLU, dropout), then measures for each network what the
//! study uses to explain solve effort: test error, stable neurons and big-M under each bound
//! method, linear regions and, with `--solve`, the MILP's time and nodes.

use super::print_json;
use super::table::{Table, num, opt};
use super::train::TrainingOptionArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::BoundMethod;
use reluscope::control::TaskControl;
use reluscope::formats::save_network;
use reluscope::milp::{
    NetworkSolveOptions, Objective, Sense, SolveControl, SolveOptions, solve_network,
};
use reluscope::regions::{Method, RegionOptions, count_regions, default_method};
use reluscope::tightening::compute_bounds;
use reluscope::training::{BenchmarkFunction, Dataset, TrainingConfig, train};
use serde_json::{Value, json};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Arguments of `study`.
#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Benchmark function: peaks, himmelblau, ackley or ackley:D.
    #[arg(long, default_value = "peaks")]
    function: String,
    /// Hidden layer widths.
    #[arg(long, value_delimiter = ',', default_value = "25,25")]
    hidden: Vec<usize>,
    /// Training variants: plain, l1=λ, l2=λ, clip=c, dropout=p, or combinations joined by '+'.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "plain,l1=1e-4,l1=1e-3,l1=1e-2,l2=1e-3,clip=1,dropout=0.1"
    )]
    variants: Vec<String>,
    /// Bound methods to compare (comma-separated keys).
    #[arg(long, value_delimiter = ',', default_value = "ia,lp")]
    bounds: Vec<String>,
    /// Also solve "minimise the output over the box" with each bound method.
    #[arg(long)]
    solve: bool,
    /// Time limit of each MILP solve, seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit: f64,
    /// Save every trained network into this directory.
    #[arg(long, value_name = "DIR")]
    save_dir: Option<PathBuf>,
    #[command(flatten)]
    training: TrainingOptionArgs,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

/// Applies one variant ("l1=1e-3+clip=1", …) to a base configuration.
fn variant_config(base: &TrainingConfig, variant: &str) -> Result<TrainingConfig> {
    let mut config = base.clone();
    if variant == "plain" {
        return Ok(config);
    }
    for part in variant.split('+') {
        let (key, value) = part
            .split_once('=')
            .with_context(|| format!("variant '{variant}': expected key=value, found '{part}'"))?;
        let value: f64 = value
            .parse()
            .with_context(|| format!("variant '{variant}': '{value}' is not a number"))?;
        match key {
            "l1" => config.l1 = value,
            "l2" => config.l2 = value,
            "clip" => config.clip = Some(value),
            "dropout" => config.dropout = value,
            other => bail!("variant '{variant}': unknown option '{other}' (l1, l2, clip, dropout)"),
        }
    }
    config.validate()?;
    Ok(config)
}

/// Runs `study`.
pub fn run(args: &StudyArgs) -> Result<()> {
    let function = BenchmarkFunction::parse(&args.function)?;
    let base = args.training.config(args.hidden.clone());
    base.validate()?;
    let methods: Vec<BoundMethod> = args
        .bounds
        .iter()
        .map(|k| BoundMethod::from_key(k).with_context(|| format!("unknown bound method '{k}'")))
        .collect::<Result<_>>()?;
    let configs: Vec<(String, TrainingConfig)> = args
        .variants
        .iter()
        .map(|v| Ok((v.clone(), variant_config(&base, v)?)))
        .collect::<Result<_>>()?;
    if let Some(dir) = &args.save_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    }
    let data = Dataset::from_function(function, base.samples, base.seed)?;
    let control = TaskControl::default();
    let mut rows: Vec<Value> = Vec::new();
    for (variant, config) in &configs {
        eprintln!("training {variant} …");
        let trained = train(&data, config, &mut |_| ControlFlow::Continue(()))?;
        let network = trained.network;
        if let Some(dir) = &args.save_dir {
            let file = format!(
                "{}_{}.json",
                function.name().replace(':', ""),
                variant.replace(['=', '+'], "_")
            );
            save_network(&network, dir.join(file))?;
        }
        let input_box = network
            .input_box()
            .cloned()
            .context("trained networks carry a box")?;
        let method = default_method(network.input_dim(), false);
        let regions = count_regions(
            &network,
            &input_box,
            None,
            method,
            &RegionOptions::default(),
            &control,
        )?;
        let mut per_method = Vec::new();
        for &m in &methods {
            let bounds = compute_bounds(&network, &input_box, m, &control)?;
            let report = AnalysisReport::new(&network, &input_box, &bounds);
            let hidden_max_m = report.max_hidden_big_m();
            let mut entry = json!({
                "bounds": m.key(),
                "stable_percent": report.stable_percent,
                "binaries": report.binaries,
                "max_big_m": hidden_max_m,
                "bounds_time_s": report.time_s,
            });
            if args.solve {
                let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
                let options = NetworkSolveOptions {
                    solver: SolveOptions {
                        time_limit: Some(args.time_limit),
                        ..SolveOptions::default()
                    },
                    ..NetworkSolveOptions::default()
                };
                let solve = solve_network(
                    &network,
                    &input_box,
                    &bounds,
                    &objective,
                    &options,
                    &SolveControl::default(),
                )?;
                entry["solve"] = json!({
                    "status": solve.status,
                    "objective": solve.objective,
                    "gap": solve.gap,
                    "nodes": solve.nodes,
                    "time_s": solve.time_s,
                });
            }
            per_method.push(entry);
        }
        rows.push(json!({
            "variant": variant,
            "test_rmse": trained.test_rmse,
            "epochs": trained.epochs,
            "regions": regions.count,
            "regions_exact": regions.exact,
            "regions_method": match method { Method::Sampled { .. } => "sampled", Method::Exact => "exact", Method::Exact2d => "exact_2d" },
            "methods": per_method,
        }));
    }
    let summary = json!({
        "function": function.name(),
        "hidden": args.hidden,
        "seed": base.seed,
        "variants": rows,
    });
    if args.json {
        return print_json(&summary);
    }
    print_study(&summary, &methods);
    Ok(())
}

fn print_study(summary: &Value, methods: &[BoundMethod]) {
    let hidden: Vec<String> = summary["hidden"]
        .as_array()
        .into_iter()
        .flatten()
        .map(Value::to_string)
        .collect();
    outln!(
        "{}, hidden layers {}, seed {} (regions: exact unless marked ≥)",
        summary["function"].as_str().unwrap_or(""),
        hidden.join("×"),
        summary["seed"]
    );
    let mut header = vec!["variant".to_string(), "test RMSE".into(), "regions".into()];
    for m in methods {
        header.push(format!("{} stable %", m.key()));
        header.push(format!("{} max M", m.key()));
    }
    let with_solve = summary["variants"][0]["methods"][0].get("solve").is_some();
    if with_solve {
        for m in methods {
            header.push(format!("{} solve s", m.key()));
            header.push(format!("{} nodes", m.key()));
        }
    }
    let refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&refs);
    for row in summary["variants"].as_array().into_iter().flatten() {
        let regions = row["regions"].as_u64().unwrap_or(0);
        let mut cells = vec![
            row["variant"].as_str().unwrap_or("").to_string(),
            opt(row["test_rmse"].as_f64()),
            if row["regions_exact"].as_bool() == Some(true) {
                regions.to_string()
            } else {
                format!("≥ {regions}")
            },
        ];
        let entries: Vec<&Value> = row["methods"].as_array().into_iter().flatten().collect();
        for e in &entries {
            cells.push(format!(
                "{:.1}",
                e["stable_percent"].as_f64().unwrap_or(0.0)
            ));
            cells.push(opt(e["max_big_m"].as_f64()));
        }
        if with_solve {
            for e in &entries {
                let s = &e["solve"];
                let time = num(s["time_s"].as_f64().unwrap_or(0.0));
                cells.push(if s["status"] == "optimal" {
                    time
                } else {
                    format!("{time} ({})", s["status"].as_str().unwrap_or(""))
                });
                cells.push(s["nodes"].to_string());
            }
        }
        table.row(cells);
    }
    out!("{}", table.render());
}
