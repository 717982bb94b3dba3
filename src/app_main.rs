//! The `reluscope-app` binary: the desktop app. `cargo run --release` runs it; `reluscope`
//! without arguments starts it. A command of the command line given to it (`reluscope-app
//! solve NET`) is handed to `reluscope`, beside it.

mod gui;
mod process;

use clap::Parser;
use process::Sibling;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The reluscope desktop app: look inside MILPs that embed trained ReLU networks, and make
/// them faster to solve.
///
/// The commands (info, solve, study, …) are in `reluscope`, the command line beside this
/// binary; given here, they are handed to it.
#[derive(Debug, Parser)]
#[command(name = "reluscope-app", version, about)]
struct AppArgs {
    /// Network or problem file to open instead of the last one or the default sample.
    network: Option<PathBuf>,
    /// Start the guided tour (Help → Guided tour) at once.
    #[arg(long)]
    tour: bool,
    /// Run `reluscope bench ui` (headless: frame times of every view) instead of opening the
    /// window.
    #[arg(long, hide = true)]
    bench_ui: bool,
    /// `bench ui`: frames measured per view.
    #[arg(long, hide = true, default_value_t = 60, requires = "bench_ui")]
    frames: usize,
    /// `bench ui`: print one JSON object.
    #[arg(long, hide = true, requires = "bench_ui")]
    json: bool,
    /// `bench ui`: also measure Cancel's latency, pressing it after this many seconds.
    #[arg(long, hide = true, value_name = "SECONDS", requires = "bench_ui")]
    cancel_after: Option<f64>,
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args
        .first()
        .is_some_and(|first| process::sibling::is_cli_command(first))
    {
        return process::run_sibling(Sibling::Cli, &args);
    }
    let args = AppArgs::parse();
    if args.bench_ui {
        return match gui::ui_bench_report(args.frames, args.cancel_after, args.json) {
            Ok(report) => write_report(&report),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match gui::run(args.network, args.tour) {
        Ok(()) => {
            // Workers may still hold HiGHS models: no C++ static destructors under them.
            process::exit_without_destructors();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints `bench ui`'s report and ends: a closed pipe (`| head`) ends quietly with status 0,
/// as Unix tools do, another write failure with a one-line error.
fn write_report(report: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(report.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => {
            drop(stdout);
            process::exit_without_destructors();
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_told_from_files_and_flags() {
        for command in ["solve", "info", "bench", "verify", "study", "help"] {
            assert!(
                process::sibling::is_cli_command(&OsString::from(command)),
                "{command}"
            );
        }
        for not_command in [
            "net.json",
            "peaks",
            "dir/net.onnx",
            "--tour",
            "-h",
            "--bench-ui",
        ] {
            assert!(
                !process::sibling::is_cli_command(&OsString::from(not_command)),
                "{not_command}"
            );
        }
    }
}
