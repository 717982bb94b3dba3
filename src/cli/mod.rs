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
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = parse_invoked_only(&args).unwrap_or_else(|| Cli::parse_from(args));
    match cli.command {
        Command::Gui { network, tour } => {
            let mut args: Vec<OsString> = Vec::new();
            if tour {
                args.push("--tour".into());
            }
            if let Some(network) = network {
                // After `--`: a file name starting with `-` stays a file name.
                args.push("--".into());
                args.push(network.into_os_string());
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

/// Parses `args` as [`Cli`] would, building only the invoked command's arguments, for the quick
/// commands: the whole tree (every command's arguments, help texts and defaults) was a tenth of
/// a small `solve`'s process. `None` — parse with the whole tree — for help, another command,
/// and any error (so that clap reports it with the whole tree's context).
fn parse_invoked_only(args: &[OsString]) -> Option<Cli> {
    use clap::{Args, FromArgMatches};
    let name = args.get(1)?.to_str()?;
    if args.iter().skip(2).any(|a| a == "-h" || a == "--help") {
        return None;
    }
    let new = clap::Command::new;
    let command = match name {
        "info" => info::InfoArgs::augment_args(new("info")),
        "analyze" => analyze::AnalyzeArgs::augment_args(new("analyze")),
        "solve" => solve::SolveArgs::augment_args(new("solve")),
        "regions" => regions::RegionsArgs::augment_args(new("regions")),
        "verify" => verify::VerifyArgs::augment_args(new("verify")),
        "convert" => convert::ConvertArgs::augment_args(new("convert")),
        "export" => convert::ExportArgs::augment_args(new("export")),
        _ => return None,
    };
    let matches = clap::Command::new("reluscope")
        .subcommand(command)
        .try_get_matches_from(args)
        .ok()?;
    Cli::from_arg_matches(&matches).ok()
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

    /// The quick parse of the common commands gives what the whole tree gives, and leaves
    /// help and errors to the whole tree.
    #[test]
    fn the_invoked_command_alone_parses_as_the_whole_tree() {
        let parsed = [
            "info net.json --json",
            "info problem.json",
            "analyze net.json --bounds lp --scale balanced --compare --json",
            "solve net.json --json --time-limit 120",
            "solve net.json --method milp --bounds lp --cuts ideal --gap 0.01 --threads 2",
            "solve net.json --box -2,2;-2,2 --combination -1,2 --maximize",
            "solve net.json --method branch --start-samples 64 --verbose",
            "regions net.json --exact-2d --max-regions 1000 --json",
            "verify net.onnx prop.vnnlib --bounds lp --json",
            "convert net.json net.onnx",
            "export net.json --mps model.mps",
        ];
        for line in parsed {
            let args: Vec<OsString> = std::iter::once("reluscope")
                .chain(line.split(' '))
                .map(OsString::from)
                .collect();
            let whole = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{line}: {e}"));
            let quick = parse_invoked_only(&args).unwrap_or_else(|| panic!("{line}: not quick"));
            assert_eq!(format!("{quick:?}"), format!("{whole:?}"), "{line}");
        }
        for line in [
            "solve --help",
            "solve net.json -h",
            "solve net.json --minimize --maximize",
            "solve",
            "--version",
            "study --help",
            "train --function peaks",
        ] {
            let args: Vec<OsString> = std::iter::once("reluscope")
                .chain(line.split(' '))
                .map(OsString::from)
                .collect();
            assert!(parse_invoked_only(&args).is_none(), "{line}");
        }
    }

    /// The app's binary hands exactly these words to the command line.
    #[test]
    fn the_apps_list_of_commands_is_the_command_lines() {
        let mut names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        names.push("help".to_string());
        names.sort();
        let mut listed: Vec<String> = crate::process::sibling::CLI_COMMANDS
            .iter()
            .map(|c| c.to_string())
            .collect();
        listed.sort();
        assert_eq!(listed, names);
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
