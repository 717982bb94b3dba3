//! `reluscope convert` and `reluscope export`: networks and MILPs to files.

use super::args::{BoundsArgs, NetworkArgs, ObjectiveArgs};
use anyhow::{Result, bail};
use clap::Args;
use reluscope::control::TaskControl;
use reluscope::formats::save_network;
use reluscope::formulation::NetworkModel;
use reluscope::lp::write_model;
use reluscope::pipeline::problem_milp;
use std::path::PathBuf;

/// Arguments of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(flatten)]
    network: NetworkArgs,
    /// Output file; the format follows its extension (.json, .onnx, .nnet).
    output: PathBuf,
}

/// Runs `convert`.
pub fn run_convert(args: &ConvertArgs) -> Result<()> {
    let network = match args.network.load() {
        Ok((network, _)) => network,
        // A file without a box converts fine to formats that do not need one.
        Err(_) if args.network.input_box.is_none() => {
            reluscope::formats::load_network(&args.network.network)?
        }
        Err(e) => return Err(e),
    };
    save_network(&network, &args.output)?;
    eprintln!(
        "wrote {} ({})",
        args.output.display(),
        network.architecture()
    );
    Ok(())
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    network: NetworkArgs,
    #[command(flatten)]
    bounds: BoundsArgs,
    #[command(flatten)]
    objective: ObjectiveArgs,
    /// Write the MILP in MPS format to this file.
    #[arg(long, value_name = "FILE")]
    mps: Option<PathBuf>,
    /// Write the MILP in CPLEX LP format to this file.
    #[arg(long, value_name = "FILE")]
    lp: Option<PathBuf>,
    /// For a problem file with alternatives ("any_of"): which one to write (1-based).
    #[arg(long, value_name = "N")]
    alternative: Option<usize>,
}

/// Runs `export`.
pub fn run_export(args: &ExportArgs) -> Result<()> {
    if args.mps.is_none() && args.lp.is_none() {
        bail!("nothing to export: give --mps FILE and/or --lp FILE");
    }
    let model = match args.network.problem()? {
        Some(problem) => {
            let alternative = match (args.alternative, problem.disjuncts.len()) {
                (None, 0) => None,
                (Some(n), count) if (1..=count).contains(&n) => Some(n - 1),
                (None, count) => bail!(
                    "{}: the problem has {count} alternatives; choose one with --alternative N \
                     (a MILP holds one)",
                    args.network.network.display()
                ),
                (Some(n), count) => bail!(
                    "--alternative {n}: the problem has {count} alternative(s), numbered from 1"
                ),
            };
            args.objective.refuse_for_problem(&args.network.network)?;
            let setup = args.bounds.setup_for(args.bounds.method())?;
            problem_milp(&problem, alternative, &setup, &TaskControl::default())?
                .0
                .model
        }
        None => {
            if args.alternative.is_some() {
                bail!("--alternative applies to problem files");
            }
            let (network, input_box) = args.network.load()?;
            let objective = args.objective.objective(network.output_dim())?;
            let prepared = args.bounds.prepare(&network, &input_box)?;
            let problem = &prepared.problem;
            NetworkModel::build(&problem.network, &input_box, &problem.bounds, &objective)?.model
        }
    };
    let targets = [(&args.mps, "mps"), (&args.lp, "lp")];
    for (path, ext) in targets
        .iter()
        .filter_map(|(p, e)| p.as_ref().map(|p| (p, *e)))
    {
        let actual = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !actual.eq_ignore_ascii_case(ext) {
            bail!(
                "{}: --{ext} needs a file ending in .{ext} (HiGHS picks the format by extension)",
                path.display()
            );
        }
    }
    for (path, _) in targets
        .iter()
        .filter_map(|(p, e)| p.as_ref().map(|p| (p, *e)))
    {
        write_model(&model, path)?;
        let size = model.size();
        eprintln!(
            "wrote {} ({} variables, {} constraints, {} binaries)",
            path.display(),
            size.variables,
            size.constraints,
            size.binaries
        );
    }
    Ok(())
}
