//! `reluscope analyze`: bounds, stability and big-M per layer.

use super::args::{BoundsArgs, NetworkArgs};
use super::print_json;
use super::table::{Table, num, opt};
use anyhow::{Result, bail};
use clap::Args;
use reluscope::analysis::AnalysisReport;
use reluscope::bounds::BoundMethod;
use reluscope::control::TaskControl;
use reluscope::network::describe_box;
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::analyze_problem;
use reluscope::problem::Problem;

/// Arguments of `analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    network: NetworkArgs,
    #[command(flatten)]
    bounds: BoundsArgs,
    /// Compute every bound method and print them side by side per layer.
    #[arg(long)]
    compare: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<()> {
    if let Some(problem) = args.network.problem()? {
        return run_problem(args, &problem);
    }
    let (network, input_box) = args.network.load()?;
    if args.compare {
        return compare(args, &network, &input_box);
    }
    let prepared = args.bounds.prepare(&network, &input_box)?;
    let report = prepared.report(&network, &input_box);
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        return print_json(&report);
    }
    outln!(
        "{}  {}  box {}",
        report.network,
        report.architecture,
        describe_box(&report.input_box)
    );
    outln!(
        "bounds: {} ({:.3} ms, {} LPs)",
        prepared.original_bounds.method.label(),
        report.time_s * 1e3,
        report.lps_solved
    );
    print_layers(&report);
    if let Some(scaling) = &prepared.problem.report {
        outln!(
            "scaling: {} ({:.3} ms); big-M per layer before → after:",
            scaling.method.label(),
            report.scaling_time_s * 1e3
        );
        for l in report
            .layers
            .iter()
            .filter(|l| l.stats.stable_percent.is_some())
        {
            outln!(
                "  layer {}: max {} → {}, median {} → {}",
                l.stats.index,
                opt(l.unscaled_max_big_m),
                opt(l.stats.max_big_m),
                opt(l.unscaled_median_big_m),
                opt(l.stats.median_big_m)
            );
        }
        let range = |r: Option<(f64, f64)>| {
            r.map_or("-".into(), |(lo, hi)| {
                format!("[{}, {}] (ratio {})", num(lo), num(hi), num(hi / lo))
            })
        };
        outln!(
            "MILP |coefficient| range: {} → {}",
            range(report.coefficient_range_before),
            range(report.coefficient_range_after)
        );
    }
    Ok(())
}

/// `analyze PROBLEM.json`: each network's figures, with the problem's constraints in OBBT's
/// LPs (the alternatives' own constraints are left out, so the bounds hold on all of them).
fn run_problem(args: &AnalyzeArgs, problem: &Problem) -> Result<()> {
    if args.compare {
        bail!("--compare takes a network file; run analyze on the problem once per --bounds");
    }
    let setup = args.bounds.setup_for(args.bounds.method())?;
    let analysis = analyze_problem(problem, None, &setup, &TaskControl::default())?;
    if let Some(note) = &analysis.bounds.stopped {
        eprintln!("warning: bounds: {note}");
    }
    if args.json {
        return print_json(&serde_json::json!({
            "networks": analysis.reports,
            "constraints": problem.constraints.len(),
            "alternatives": problem.disjuncts.len(),
            "bounds_method": analysis.bounds.method.key(),
            "time_s": analysis.bounds.time.as_secs_f64(),
            "lps_solved": analysis.bounds.lps_solved,
        }));
    }
    outln!(
        "{}: {} network(s) over {}, {} constraint(s) in the bounds{}",
        args.network.network.display(),
        problem.networks.len(),
        problem.input_box.describe(),
        problem.constraints.len(),
        if problem.disjuncts.is_empty() {
            String::new()
        } else {
            format!(
                " ({} alternatives' own constraints left out: the bounds hold on all of them)",
                problem.disjuncts.len()
            )
        }
    );
    outln!(
        "bounds: {} ({:.3} ms, {} LPs)",
        analysis.bounds.method.label(),
        analysis.bounds.time.as_secs_f64() * 1e3,
        analysis.bounds.lps_solved
    );
    for report in &analysis.reports {
        outln!("");
        outln!("{}  {}", report.network, report.architecture);
        print_layers(report);
    }
    Ok(())
}

fn print_layers(report: &AnalysisReport) {
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
    out!("{}", table.render());
    if let Some(out) = report.layers.last() {
        for (j, (l, u)) in out.lower.iter().zip(&out.upper).enumerate() {
            outln!("output {j} ∈ [{}, {}]", num(*l), num(*u));
        }
    }
    outln!(
        "total: {} hidden neurons, {} unstable ({:.1}% stable), {} binaries",
        report.hidden_neurons,
        report.unstable,
        report.stable_percent,
        report.binaries
    );
}

/// Every bound method side by side: per layer, unstable count and max big-M.
fn compare(args: &AnalyzeArgs, network: &Network, input_box: &InputBox) -> Result<()> {
    let reports: Vec<AnalysisReport> = BoundMethod::ALL
        .iter()
        .map(|&m| {
            let prepared = args.bounds.prepare_with(network, input_box, m)?;
            Ok(prepared.report(network, input_box))
        })
        .collect::<Result<_>>()?;
    if args.json {
        return print_json(&serde_json::json!({ "methods": reports }));
    }
    outln!(
        "{}  {}  box {}  (scaling: {})",
        network.name,
        network.architecture(),
        input_box.describe(),
        args.bounds.scale.key()
    );
    let mut header = vec!["layer".to_string()];
    for r in &reports {
        header.push(format!("{} unstable", r.bounds_method));
        header.push(format!("{} max M", r.bounds_method));
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(&header_refs);
    for k in 0..reports[0].layers.len() {
        let is_output = reports[0].layers[k].stats.stable_percent.is_none();
        let mut row = vec![if is_output {
            "output".to_string()
        } else {
            (k + 1).to_string()
        }];
        for r in &reports {
            let l = &r.layers[k];
            if is_output {
                row.push("-".into());
                row.push(format!("[{}, {}]", num(l.lower[0]), num(l.upper[0])));
            } else {
                row.push(l.stats.unstable.to_string());
                row.push(opt(l.stats.max_big_m));
            }
        }
        table.row(row);
    }
    let mut totals = vec!["stable %".to_string()];
    let mut times = vec!["time".to_string()];
    for r in &reports {
        totals.push(format!("{:.1}", r.stable_percent));
        totals.push(String::new());
        times.push(format!("{:.1} ms", r.time_s * 1e3));
        times.push(format!("{} LPs", r.lps_solved));
    }
    table.row(totals);
    table.row(times);
    out!("{}", table.render());
    Ok(())
}
