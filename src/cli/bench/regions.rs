//! `reluscope bench regions`: the exact region count of 2-input networks by both exact methods,
//! with their times and the targets (2-D count of a 2×25 network under 0.2 s, the general
//! method within 20× of the 2-D method).

use super::collect_networks;
use crate::cli::print_json;
use crate::cli::table::Table;
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::formats::load_network;
use reluscope::regions::{RegionOptions, regions_benchmark};
use std::path::PathBuf;

/// Target for the 2-D count of a 2×25 network, seconds.
const TARGET_2D_S: f64 = 0.2;
/// Target for the general method's time relative to the 2-D method's.
const TARGET_RATIO: f64 = 20.0;

/// Arguments of `bench regions`.
#[derive(Debug, Args)]
pub struct RegionsBenchArgs {
    /// Network files, or directories whose .json networks are all benchmarked (networks with
    /// other than two inputs are skipped).
    #[arg(default_value = "sample_networks")]
    paths: Vec<PathBuf>,
    /// Repetitions of each method (the best time is reported).
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `bench regions`.
pub fn run(args: &RegionsBenchArgs) -> Result<()> {
    let files = collect_networks(&args.paths)?;
    let options = RegionOptions::default();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        let network = load_network(file)?;
        if network.input_dim() != 2 {
            skipped.push(format!("{} ({} inputs)", network.name, network.input_dim()));
            continue;
        }
        let Some(input_box) = network.input_box().cloned() else {
            bail!("{}: no input box stored", file.display());
        };
        let row = regions_benchmark(&network, &input_box, &options, args.repeat)
            .with_context(|| file.display().to_string())?;
        if row.count_2d != row.count_general {
            bail!(
                "{}: the 2-D method counts {} regions but the general method {}",
                network.name,
                row.count_2d,
                row.count_general
            );
        }
        rows.push(row);
    }
    if rows.is_empty() {
        bail!("none of the networks has two inputs");
    }
    if args.json {
        return print_json(&serde_json::json!({ "networks": rows, "skipped": skipped }));
    }
    let mut table = Table::new(&[
        "network",
        "arch",
        "regions",
        "2-D ms",
        "general ms",
        "LPs",
        "ratio",
    ]);
    for r in &rows {
        table.row(vec![
            r.name.clone(),
            r.architecture.clone(),
            r.count_2d.to_string(),
            format!("{:.1}", r.time_2d_s * 1e3),
            format!("{:.1}", r.time_general_s * 1e3),
            r.lps.to_string(),
            format!("{:.1}×", r.ratio),
        ]);
    }
    out!("{}", table.render());
    let two_by_25: Vec<f64> = rows
        .iter()
        .filter(|r| r.architecture == "2-25-25-1")
        .map(|r| r.time_2d_s)
        .collect();
    if let Some(worst) = two_by_25.iter().copied().reduce(f64::max) {
        outln!(
            "slowest 2-D count of a 2×25 network: {:.1} ms (target < {:.0} ms)",
            worst * 1e3,
            TARGET_2D_S * 1e3
        );
    }
    let worst_ratio = rows.iter().map(|r| r.ratio).fold(0.0, f64::max);
    outln!(
        "largest general / 2-D time ratio: {worst_ratio:.1}× (target < {TARGET_RATIO:.0}×); \
         counts agree on all {} networks",
        rows.len()
    );
    if !skipped.is_empty() {
        outln!("skipped: {}", skipped.join(", "));
    }
    Ok(())
}
