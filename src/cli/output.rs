//! Standard output that never panics: `outln!`/`out!` instead of `println!`/`print!`.
//!
//! `println!` panics when stdout is a pipe whose reader has gone (`reluscope … | head -c1`)
//! or a full disk. Here a closed pipe ends the process quietly with status 0, as Unix tools
//! do, and any other write failure with a one-line error and status 1.

use std::io::Write;

/// Writes `args` to standard output (see the module docs for failures).
pub fn write_stdout(args: std::fmt::Arguments) {
    let result = std::io::stdout().lock().write_fmt(args);
    if let Err(e) = result {
        fail(&e);
    }
}

/// Flushes standard output before the process ends, with the same handling of failures.
pub fn flush_stdout() {
    if let Err(e) = std::io::stdout().lock().flush() {
        fail(&e);
    }
}

fn fail(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write to standard output: {e}");
    std::process::exit(1);
}

/// `println!` that never panics (see [`write_stdout`]).
macro_rules! outln {
    () => {
        $crate::cli::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that never panics (see [`write_stdout`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(format_args!($($arg)*))
    };
}
