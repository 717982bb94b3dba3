//! The `reluscope` command line: a thin shell over the library.

#[macro_use]
pub mod output;

mod analyze;
mod args;
mod bench;
mod convert;
mod info;
mod plot;
mod regions;
pub(crate) mod solve;
mod study;
mod table;
mod train;
pub(crate) mod verify;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// Look inside MILPs that embed trained ReLU networks, and make them faster to solve.
///
/// Without arguments, opens the desktop app (the `reluscope-app` binary beside this one).
#[derive(Debug, Parser)]
#[command(name = "reluscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the desktop app (the `reluscope-app` binary beside this one), optionally with a
    /// network.
    Gui {
        /// Network file to open instead of the default sample.
        network: Option<PathBuf>,
        /// Start the guided tour (Help → Guided tour) at once.
        #[arg(long)]
        tour: bool,
    },
    /// Describe a network file (architecture, activations, box, metadata) or a problem file.
    Info(info::InfoArgs),
    /// Pre-activation bounds, neuron stability and big-M per layer.
    Analyze(analyze::AnalyzeArgs),
    /// Optimise a network's output over the box, or a problem file's objective, by the fastest
    /// exact path (regions, branching, the big-M MILP), checked by forward passes.
    Solve(solve::SolveArgs),
    /// Count the linear regions (exact, exact 2-D partition, or sampled lower bound).
    Regions(regions::RegionsArgs),
    /// Convert a network between formats (.json, .onnx, .nnet), by extension.
    Convert(convert::ConvertArgs),
    /// Write the big-M MILP as MPS or LP.
    Export(convert::ExportArgs),
    /// Train a network on a benchmark function or CSV data.
    Train(train::TrainArgs),
    /// Train the shipped sample networks and write their index.
    Samples(train::SamplesArgs),
    /// The study's grid (functions × layouts × training variants × seeds, or network files)
    /// into a directory of results, a report with checked findings and figures; shard it over
    /// machines and merge.
    Study(study::StudyArgs),
    /// Draw a figure of a network (network, big-M, stability, regions, surface, solve) as SVG
    /// or PNG, or its data as CSV.
    Plot(plot::PlotArgs),
    /// Time loading, bounds, model building and solving on a set of networks.
    Bench(bench::BenchArgs),
    /// Decide a VNNLIB property on a network: sat (with a checked counterexample), unsat, or
    /// unknown; or every instance of a VNN-COMP instances.csv.
    Verify(verify::VerifyArgs),
}

/// What `main` should do after parsing.
pub enum Outcome {
    /// Start the desktop app (`reluscope-app`) with these arguments.
    StartApp(Vec<OsString>),
    /// A headless command finished.
    Done,
}

/// Parses the arguments and runs a headless command, or says to open the GUI.
pub fn run() -> anyhow::Result<Outcome> {
    let cli = Cli::parse();
    match cli.command {
        Command::Gui { network, tour } => {
            let mut args: Vec<OsString> =
                network.into_iter().map(PathBuf::into_os_string).collect();
            if tour {
                args.push("--tour".into());
            }
            return Ok(Outcome::StartApp(args));
        }
        Command::Info(a) => info::run(&a)?,
        Command::Analyze(a) => analyze::run(&a)?,
        Command::Solve(a) => solve::run(&a)?,
        Command::Regions(a) => regions::run(&a)?,
        Command::Convert(a) => convert::run_convert(&a)?,
        Command::Export(a) => convert::run_export(&a)?,
        Command::Train(a) => train::run_train(&a)?,
        Command::Samples(a) => train::run_samples(&a)?,
        Command::Study(a) => study::run(&a)?,
        Command::Plot(a) => plot::run(&a)?,
        Command::Bench(a) => {
            if let Some(app_args) = bench::run(&a)? {
                return Ok(Outcome::StartApp(app_args));
            }
        }
        Command::Verify(a) => verify::run(&a)?,
    }
    Ok(Outcome::Done)
}

/// Prints a value as one JSON object on stdout.
fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_boxes_and_combinations_parse() {
        let cli = Cli::try_parse_from([
            "reluscope",
            "solve",
            "net.json",
            "--box",
            "-2,2;-2,2",
            "--combination",
            "-1,2",
            "--maximize",
        ])
        .unwrap();
        let Command::Solve(a) = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(a.network.input_box.as_deref(), Some("-2,2;-2,2"));
        assert_eq!(a.objective.combination, Some(vec![-1.0, 2.0]));
        assert!(
            Cli::try_parse_from(["reluscope", "solve", "n.json", "--minimize", "--maximize"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from(["reluscope", "analyze", "n.json", "--bounds", "magic"]).is_err()
        );
    }
}
