//! `reluscope solve`: optimise the network output over the box.

use super::args::{BoundsArgs, NetworkArgs, ObjectiveArgs, SolverArgs};
use super::print_json;
use super::table::opt;
use anyhow::Result;
use clap::Args;
use reluscope::milp::{SolveControl, SolveReport};
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::{MilpSetup, SolveMethod, Solved, solve, solve_problem};
use reluscope::problem::Problem;
use reluscope::regions::RegionOptions;
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
    /// Solver: auto (the fastest exact path for the network: the region enumeration for up
    /// to 2 inputs, branching over the input box on both cores for 3–5 (raced against the
    /// MILP for small or deep 5-input networks), branching raced against the MILP for 6–8,
    /// the big-M MILP with LP bounds beyond), milp
    /// (the big-M MILP on HiGHS), regions (the best LP optimum over all linear regions; exact, for low input
    /// dimension) or branch (branch and bound over the input box; exact, for a handful of
    /// inputs). regions and branch ignore --bounds and --scale.
    #[arg(long, default_value = "auto", value_parser = parse_method)]
    pub method: SolveMethod,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Region method: enumerate every region instead of dropping those whose bound cannot
    /// beat the best value found (slower; the optimum is the same). For comparisons.
    #[arg(long)]
    pub no_prune: bool,
}

pub(super) fn parse_method(text: &str) -> Result<SolveMethod, String> {
    SolveMethod::from_key(text).ok_or_else(|| {
        let known: Vec<&str> = SolveMethod::ALL.iter().map(|m| m.key()).collect();
        format!("unknown method '{text}' (known: {})", known.join(", "))
    })
}

/// The MILP setup (`--bounds`, else LP-OBBT and MILP-OBBT for large MILPs: see
/// [`MilpSetup::solve_default`]), the region options and the solver control (with the HiGHS log on
/// stderr for `--verbose`) of `solve`.
fn solve_settings(args: &SolveArgs) -> Result<(MilpSetup, RegionOptions, SolveControl)> {
    let setup = args.bounds.solve_setup()?;
    let mut control = SolveControl::default();
    if args.solver.verbose {
        control.on_log = Some(Arc::new(|line: &str| eprintln!("{line}")));
    }
    let regions = RegionOptions {
        prune: !args.no_prune,
        ..RegionOptions::default()
    };
    Ok((setup, regions, control))
}

/// Runs `solve`.
pub fn run(args: &SolveArgs) -> Result<()> {
    if let Some(problem) = args.network.problem()? {
        return run_problem(args, problem);
    }
    let (network, input_box) = args.network.load()?;
    let objective = args.objective.objective(network.output_dim())?;
    let options = args.solver.options()?;
    let (setup, regions, control) = solve_settings(args)?;
    let solved = solve(
        &network,
        &input_box,
        &objective,
        args.method,
        &setup,
        &options,
        &regions,
        &control,
    )?;
    let report = &solved.report;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let Some(prepared) = &solved.prepared else {
        return print_exact_solve(args, &network, &input_box, &solved);
    };
    let bounds = &prepared.original_bounds;
    if let Some(note) = &bounds.stopped {
        eprintln!("warning: bounds: {note}");
    }
    let problem = &prepared.problem;
    let scaling_time = problem
        .report
        .as_ref()
        .map_or(0.0, |r| r.time.as_secs_f64());
    if args.json {
        let mut value = serde_json::to_value(report)?;
        value["method"] = solved.method.key().into();
        value["method_reason"] = solved.reason.as_str().into();
        value["bounds_method"] = bounds.method.key().into();
        value["bounds_time_s"] = bounds.time.as_secs_f64().into();
        value["lps_solved"] = bounds.lps_solved.into();
        value["scaling"] = args.bounds.scale.key().into();
        value["scaling_time_s"] = scaling_time.into();
        if let Some(note) = &bounds.stopped {
            value["bounds_stopped"] = note.as_str().into();
        }
        return print_json(&value);
    }
    outln!(
        "{} of {} over {}, {} bounds, scaling {}",
        report.objective_description,
        network.name,
        input_box.describe(),
        bounds.method.key(),
        args.bounds.scale.key()
    );
    outln!("method       milp ({})", solved.reason);
    print_report(report);
    outln!("nodes        {}", report.nodes);
    outln!(
        "time         {:.3} s solve, {:.2} ms build, {:.3} ms bounds ({} LPs), {:.3} ms scaling",
        report.time_s,
        report.build_time_s * 1e3,
        bounds.time.as_secs_f64() * 1e3,
        bounds.lps_solved,
        scaling_time * 1e3
    );
    outln!(
        "model        {} variables, {} constraints, {}, {} nonzeros",
        report.variables,
        report.constraints,
        report.binaries_summary(),
        report.nonzeros
    );
    outln!(
        "start        {} (best of {} sampled inputs{})",
        opt(report.start_objective),
        options.start_samples,
        report
            .local_search
            .as_ref()
            .map(|w| format!(", then {}", w.summary()))
            .unwrap_or_default()
    );
    if let Some(cuts) = &report.root_cuts {
        outln!("root cuts    {}", cuts.summary());
    }
    Ok(())
}

/// The report of the region solver (same keys, `nodes` = regions examined) or of branching
/// over the input box (`nodes` = boxes bounded, `root_box_bound` its bound on the whole box).
fn print_exact_solve(
    args: &SolveArgs,
    network: &Network,
    input_box: &InputBox,
    solved: &Solved,
) -> Result<()> {
    let report = &solved.report;
    if args.json {
        let mut value = serde_json::to_value(report)?;
        value["method"] = solved.method.key().into();
        value["method_reason"] = solved.reason.as_str().into();
        return print_json(&value);
    }
    let branched = solved.method == SolveMethod::Branch;
    outln!(
        "{} of {} over {}, by {}",
        report.objective_description,
        network.name,
        input_box.describe(),
        if branched {
            "branching over the input box"
        } else {
            "enumerating the linear regions"
        }
    );
    outln!("method       {} ({})", solved.method.key(), solved.reason);
    print_report(report);
    if branched {
        outln!(
            "boxes        {} bounded, {} LPs in the small ones",
            report.nodes,
            report.lp_iterations
        );
        if let Some(root) = &report.root_box_bound {
            outln!("root bound   {}", root.summary());
        }
    } else {
        outln!(
            "regions      {} examined, {} LPs",
            report.nodes,
            report.lp_iterations
        );
    }
    outln!("time         {:.3} s", report.time_s);
    Ok(())
}

/// The lines every solve prints: status, objective, bound, gap, x*, forward check.
fn print_report(report: &SolveReport) {
    let status = match &report.status_detail {
        Some(d) => format!("{} ({d})", report.status),
        None => report.status.clone(),
    };
    outln!("status       {status}");
    outln!(
        "objective    {}",
        report.objective.map_or("-".into(), |v| format!("{v:.10}"))
    );
    outln!(
        "best bound   {}",
        report.best_bound.map_or("-".into(), |v| format!("{v:.10}"))
    );
    outln!(
        "gap          {}",
        report
            .gap
            .map_or("-".into(), |g| format!("{:.4}%", 100.0 * g))
    );
    if let Some(x) = &report.x {
        let xs: Vec<String> = x.iter().map(|v| format!("{v:.6}")).collect();
        outln!("x*           [{}]", xs.join(", "));
    }
    if let (Some(f), Some(d)) = (report.forward_value, report.forward_difference) {
        outln!("f(x*)        {f:.10}  (|f(x*) − objective| = {d:.2e})");
    }
}

/// `solve PROBLEM.json`: the problem file's objective (or feasibility question) over its
/// networks, constraints and alternatives.
fn run_problem(args: &SolveArgs, problem: Problem) -> Result<()> {
    let path = &args.network.network;
    args.objective.refuse_for_problem(path)?;
    let options = args.solver.options()?;
    let (setup, regions, control) = solve_settings(args)?;
    let solved = solve_problem(&problem, args.method, &setup, &options, &regions, &control)?;
    let report = &solved.report;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        let mut value = serde_json::to_value(report)?;
        value["method"] = solved.method.map(|m| m.key()).into();
        value["method_reason"] = solved.reason.as_str().into();
        value["alternative"] = solved.alternative.into();
        value["alternatives"] = serde_json::to_value(&solved.alternatives)?;
        if let Some(outputs) = &solved.outputs {
            let named: serde_json::Map<String, serde_json::Value> = problem
                .networks
                .iter()
                .zip(outputs)
                .map(|(n, y)| (n.name.clone(), serde_json::json!(y)))
                .collect();
            value["outputs"] = named.into();
        }
        return print_json(&value);
    }
    let names: Vec<&str> = problem.networks.iter().map(|n| n.name.as_str()).collect();
    outln!(
        "{} over {} ({} network(s): {}; {} constraint(s){})",
        match &problem.objective {
            Some(_) => report.objective_description.as_str(),
            None => "find a feasible point",
        },
        problem.input_box.describe(),
        names.len(),
        names.join(", "),
        problem.constraints.len(),
        if problem.disjuncts.is_empty() {
            String::new()
        } else {
            format!(", {} alternatives", problem.disjuncts.len())
        }
    );
    if let Some(method) = solved.method {
        outln!("method       {} ({})", method.key(), solved.reason);
    }
    print_report(report);
    if let Some(outputs) = &solved.outputs {
        for (n, y) in problem.networks.iter().zip(outputs) {
            let ys: Vec<String> = y.iter().map(|v| format!("{v:.6}")).collect();
            outln!("{:<12} [{}]", format!("{}(x*)", n.name), ys.join(", "));
        }
    }
    if let Some(d) = solved.alternative {
        outln!("alternative  {} ({})", d + 1, problem.disjuncts[d].origin);
    }
    if solved.alternatives.len() > 1 {
        for a in &solved.alternatives {
            outln!(
                "  alternative {:>3}: {:<12} objective {:<14} {:.3} s",
                a.alternative.map_or(0, |d| d + 1),
                a.status,
                opt(a.objective),
                a.time_s
            );
        }
    }
    outln!("time         {:.3} s", report.time_s);
    Ok(())
}
