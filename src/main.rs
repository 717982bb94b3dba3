//! The `reluscope` binary: the desktop app without arguments, headless subcommands otherwise.

mod cli;
mod gui;

use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = if std::env::args_os().len() <= 1 {
        Ok(cli::Outcome::OpenGui(None))
    } else {
        cli::run()
    };
    match outcome {
        Ok(cli::Outcome::Done) => ExitCode::SUCCESS,
        Ok(cli::Outcome::OpenGui(network)) => match gui::run(network) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot open the window: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
