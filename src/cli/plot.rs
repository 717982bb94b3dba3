//! `reluscope plot`: the app's figures of a network, headless, as SVG or PNG.

use super::args::{NetworkArgs, parse_bound_method, parse_scaling};
use anyhow::{Context, Result, bail};
use clap::Args;
use reluscope::bounds::BoundMethod;
use reluscope::control::TaskControl;
use reluscope::figures::{FigureSettings, View, network_figure, save_chart};
use reluscope::pipeline::SolveMethod;
use reluscope::scaling::ScalingMethod;
use std::path::PathBuf;

/// Arguments of `plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Which figure: bigm, stability, regions, surface or solve.
    #[arg(long, value_parser = parse_view)]
    view: View,
    /// Output file: .svg or .png, or .csv for the data drawn.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Bound methods compared in bigm and stability (the first bounds the solve's MILP).
    #[arg(long, value_delimiter = ',', value_parser = parse_bound_method, default_value = "ia,symbolic,lp")]
    bounds: Vec<BoundMethod>,
    /// Rescaling after the bounds: none, balanced, range or unit.
    #[arg(long, default_value = "none", value_parser = parse_scaling)]
    scale: ScalingMethod,
    /// Solve path of the solve view: auto, milp, regions or branch.
    #[arg(long, default_value = "auto", value_parser = parse_solve_method)]
    method: SolveMethod,
    /// Time limit of the whole figure, seconds.
    #[arg(long, default_value_t = 120.0)]
    time_limit: f64,
}

fn parse_view(text: &str) -> Result<View, String> {
    View::from_key(text).ok_or_else(|| {
        let keys: Vec<&str> = View::ALL.iter().map(|v| v.key()).collect();
        format!("unknown view '{text}' (one of {})", keys.join(", "))
    })
}

fn parse_solve_method(text: &str) -> Result<SolveMethod, String> {
    SolveMethod::from_key(text)
        .ok_or_else(|| format!("unknown method '{text}' (auto, milp, regions, branch)"))
}

/// Runs `plot`.
pub fn run(args: &PlotArgs) -> Result<()> {
    if !(args.time_limit.is_finite() && args.time_limit > 0.0) {
        bail!("--time-limit must be positive, found {}", args.time_limit);
    }
    if args.bounds.is_empty() {
        bail!("--bounds needs at least one method");
    }
    // Refuse a wrong extension before any work.
    reluscope::figures::FigureFormat::of_path(&args.out)?;
    let (network, input_box) = args.network.load()?;
    let settings = FigureSettings {
        bounds: args.bounds.clone(),
        scaling: args.scale,
        solve_method: args.method,
        time_limit: args.time_limit,
        ..FigureSettings::default()
    };
    let chart = network_figure(
        &network,
        &input_box,
        args.view,
        &settings,
        &TaskControl::default(),
    )
    .with_context(|| format!("{}", args.network.network.display()))?;
    save_chart(&chart, &args.out)?;
    eprintln!("wrote {} ({})", args.out.display(), chart.title);
    Ok(())
}
