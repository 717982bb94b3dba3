//! `reluscope analyze`: bounds, stability and big-M per layer.

use super::args::{BoundsArgs, NetworkArgs};
use super::info::format_box;
use super::print_json;
use super::table::{Table, num, opt};
use anyhow::Result;
use clap::Args;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::{BoundMethod, NetworkBounds, compute_bounds};
use reluscope::control::TaskControl;
use reluscope::network::{InputBox, Network};

/// Arguments of `analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    network: NetworkArgs,
    #[command(flatten)]
    bounds: BoundsArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Computes the bounds the user chose.
pub fn compute(
    network: &Network,
    input_box: &InputBox,
    method: BoundMethod,
) -> Result<NetworkBounds> {
    Ok(compute_bounds(
        network,
        input_box,
        method,
        &TaskControl::default(),
    )?)
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<()> {
    let (network, input_box) = args.network.load()?;
    let bounds = compute(&network, &input_box, args.bounds.bounds)?;
    let report = AnalysisReport::new(&network, &input_box, &bounds);
    if args.json {
        return print_json(&report);
    }
    println!(
        "{}  {}  box {}",
        report.network,
        report.architecture,
        format_box(&report.input_box)
    );
    println!(
        "bounds: {} ({:.3} ms)",
        bounds.method.label(),
        report.time_s * 1e3
    );
    let mut table = Table::new(&[
        "layer",
        "act",
        "neurons",
        "active",
        "inactive",
        "unstable",
        "stable%",
        "binaries",
        "max M",
        "median M",
        "max |bound|",
    ]);
    for l in &report.layers {
        let s = &l.stats;
        let hidden = s.stable_percent.is_some();
        let count = |n: usize| if hidden { n.to_string() } else { "-".into() };
        table.row(vec![
            if hidden {
                s.index.to_string()
            } else {
                "output".into()
            },
            s.activation.to_string(),
            s.neurons.to_string(),
            count(s.stably_active + s.stably_saturated),
            count(s.stably_inactive),
            count(s.unstable),
            s.stable_percent.map_or("-".into(), |p| format!("{p:.1}")),
            count(s.binaries),
            opt(s.max_big_m),
            opt(s.median_big_m),
            num(s.max_abs_bound),
        ]);
    }
    print!("{}", table.render());
    if let Some(out) = report.layers.last() {
        for (j, (l, u)) in out.lower.iter().zip(&out.upper).enumerate() {
            println!("output {j} ∈ [{}, {}]", num(*l), num(*u));
        }
    }
    println!(
        "total: {} hidden neurons, {} unstable ({:.1}% stable), {} binaries",
        report.hidden_neurons, report.unstable, report.stable_percent, report.binaries
    );
    Ok(())
}
