//! Starting the other binary of the pair, found beside this one: the command line starts the
//! app (`reluscope`, `reluscope gui`, `reluscope bench ui`), and the app hands a command given
//! to it (`cargo run --release -- solve NET`) to the command line.
//!
//! Two binaries rather than one: the app's code (egui, winit, glow, the views) in the command
//! line's binary cost every command ≈ 0.5 ms of process start (the loader relocates its
//! tables; README, Benchmarks), a tenth of a small `solve`.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::ExitCode;

/// The commands of `reluscope`: a first argument of the app's binary that is one of them is
/// handed to the command line (the list is checked against the command line's parser in its
/// tests).
#[allow(dead_code, reason = "used by the app; the command line only tests it")]
pub const CLI_COMMANDS: &[&str] = &[
    "gui", "info", "analyze", "solve", "regions", "convert", "export", "train", "samples", "study",
    "plot", "bench", "verify", "help",
];

/// Whether `first`, the app's first argument, names a command of `reluscope`.
#[allow(dead_code, reason = "used by the app only")]
pub fn is_cli_command(first: &OsStr) -> bool {
    first
        .to_str()
        .is_some_and(|word| CLI_COMMANDS.contains(&word))
}

/// One of the two binaries.
#[allow(dead_code, reason = "each binary starts only the other one")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sibling {
    /// `reluscope-app`, the desktop app.
    App,
    /// `reluscope`, the command line.
    Cli,
}

impl Sibling {
    /// The binary's file name without the platform's suffix.
    pub fn name(self) -> &'static str {
        match self {
            Sibling::App => "reluscope-app",
            Sibling::Cli => "reluscope",
        }
    }

    /// What the binary is, for messages.
    fn role(self) -> &'static str {
        match self {
            Sibling::App => "the desktop app",
            Sibling::Cli => "the command line",
        }
    }

    /// How to get it when it is missing.
    fn remedy(self) -> &'static str {
        match self {
            Sibling::App => {
                "\
                build both binaries (`cargo build --release`) or put `reluscope-app` beside \
                this one; `cargo run --release` runs the app"
            }
            Sibling::Cli => {
                "\
                build both binaries (`cargo build --release`) or put `reluscope` beside this \
                one; `cargo run --release --bin reluscope -- COMMAND …` runs a command"
            }
        }
    }
}

/// Runs `sibling`, found beside this binary, with `args`, in place of this process (Unix:
/// `exec`; elsewhere as a child whose status is passed on). Returns only when it cannot, with
/// the reason printed on standard error.
pub fn run_sibling(sibling: Sibling, args: &[OsString]) -> ExitCode {
    let path = match sibling_path(sibling) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    let mut command = std::process::Command::new(&path);
    command.args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = command.exec();
        eprintln!(
            "error: cannot start {} ({}): {e}",
            path.display(),
            sibling.role()
        );
        ExitCode::FAILURE
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!(
                "error: cannot start {} ({}): {e}",
                path.display(),
                sibling.role()
            );
            ExitCode::FAILURE
        }
    }
}

/// The path of `sibling` beside the running binary, or why there is none.
fn sibling_path(sibling: Sibling) -> Result<PathBuf, String> {
    let this = std::env::current_exe().map_err(|e| {
        format!(
            "cannot find this binary's path to start {}: {e}",
            sibling.role()
        )
    })?;
    let path = this.with_file_name(format!(
        "{}{}",
        sibling.name(),
        std::env::consts::EXE_SUFFIX
    ));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is the binary `{}`, which is not beside this one (no {}): {}",
            sibling.role(),
            sibling.name(),
            path.display(),
            sibling.remedy()
        ))
    }
}
