//! The `reluscope` binary: the headless command line. Without arguments, with `gui` and with
//! `bench ui` it starts the desktop app, the `reluscope-app` binary beside it.

mod cli;
mod process;

use process::Sibling;
use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = if std::env::args_os().len() <= 1 {
        Ok(cli::Outcome::StartApp(Vec::new()))
    } else {
        cli::run()
    };
    match outcome {
        Ok(cli::Outcome::Done) => {
            cli::output::flush_stdout();
            process::exit_without_destructors();
            ExitCode::SUCCESS
        }
        Ok(cli::Outcome::StartApp(args)) => {
            if cfg!(feature = "gui") {
                process::run_sibling(Sibling::App, &args)
            } else {
                eprintln!(
                    "error: this reluscope was built without the app (feature \"gui\"); \
                     run a command, e.g. `reluscope --help`"
                );
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            // Messages quote file contents (names, fields): a hostile file must not drive the
            // terminal through them.
            let message = reluscope::formats::printable(&format!("{e:#}"));
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
