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

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

    /// The unwinder linked into this binary (build.rs: `libgcc_eh.a` where Rust asks for
    /// `libgcc_s.so`, in a static PIE where the C library's archives are installed) takes a
    /// panic through nested frames to its `catch_unwind`, dropping what they hold on the way,
    /// and walks the stack for a backtrace.
    #[test]
    fn a_panic_unwinds_to_its_catch() {
        struct SetOnDrop<'a>(&'a Cell<usize>);
        impl Drop for SetOnDrop<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        fn nested(depth: usize, dropped: &Cell<usize>) -> usize {
            let _guard = SetOnDrop(dropped);
            if depth == 0 {
                // Unwinds without the panic hook's message.
                resume_unwind(Box::new("deep enough"));
            }
            1 + nested(depth - 1, dropped)
        }
        let dropped = Cell::new(0);
        let caught = catch_unwind(AssertUnwindSafe(|| nested(20, &dropped)));
        let payload = caught.expect_err("the panic reached its catch");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"deep enough"));
        assert_eq!(dropped.get(), 21, "every frame dropped its guard");
        let trace = std::backtrace::Backtrace::force_capture().to_string();
        assert!(trace.contains("a_panic_unwinds_to_its_catch"), "{trace}");
    }
}
