//! The `reluscope` binary: the desktop app without arguments, headless subcommands otherwise.

mod cli;
#[cfg(feature = "gui")]
mod gui;

use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: branching over the input box allocates and frees
/// dozens of small vectors per box on both cores, and glibc's arenas made the workers wait
/// on each other's locks (branching 0.80–0.86 of the time with mimalloc; a small `solve`'s
/// process 1.00–1.10× in two measurements, at most ≈ 0.4 ms more). Without transparent huge
/// pages (`no_thp`): with them the start took 1.13–1.24× and 8 MB more resident. `no_thp` only
/// stops mimalloc asking for them (`madvise`); the process keeps them (`THP_enabled: 1` in
/// `/proc/<pid>/status`), and so do its children.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let outcome = if std::env::args_os().len() <= 1 {
        Ok(cli::Outcome::OpenGui {
            network: None,
            tour: false,
        })
    } else {
        cli::run()
    };
    match outcome {
        Ok(cli::Outcome::Done) => {
            cli::output::flush_stdout();
            exit_without_destructors();
            ExitCode::SUCCESS
        }
        Ok(cli::Outcome::OpenGui { network, tour }) => open_gui(network, tour),
        Err(e) => {
            // Messages quote file contents (names, fields): a hostile file must not drive the
            // terminal through them.
            let message = reluscope::formats::printable(&format!("{e:#}"));
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Makes the linker script's section an ordinary writable one, after `.data`, whatever the
/// script collects (an atomic, so that the static is placed in writable data): without it, an empty section (should HiGHS's objects come packaged
/// otherwise) broke the link, and a bare `.init_array` one would belong to the read-only-after-
/// relocation segment, which must be contiguous.
#[cfg(reluscope_defer_highs)]
#[used]
#[unsafe(link_section = ".reluscope_highs_init_sentinel")]
static HIGHS_INIT_SENTINEL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Registers [`run_highs_constructors`] at load (the loader runs `.init_array`), before `main`
/// and before any test of this binary's test harness, which has a `main` of its own.
#[cfg(reluscope_defer_highs)]
#[used]
#[unsafe(link_section = ".init_array")]
static REGISTER_HIGHS_CONSTRUCTORS: extern "C" fn() = register_highs_constructors;

#[cfg(reluscope_defer_highs)]
extern "C" fn register_highs_constructors() {
    // SAFETY: registered before anything runs; `run_highs_constructors` runs exactly the
    // constructors the build's linker script moved out of `.init_array`.
    unsafe { reluscope::lp::highs::defer_highs_constructors(run_highs_constructors) };
}

/// Runs HiGHS's C++ static constructors, which the build's linker script moved from
/// `.init_array` (run by the loader) to a section between these two symbols (`build.rs`).
#[cfg(reluscope_defer_highs)]
fn run_highs_constructors() {
    type Constructor = unsafe extern "C" fn();
    unsafe extern "C" {
        static __reluscope_highs_init_start: [Constructor; 0];
        static __reluscope_highs_init_end: [Constructor; 0];
    }
    let start = (&raw const __reluscope_highs_init_start).cast::<Constructor>();
    let end = (&raw const __reluscope_highs_init_end).cast::<Constructor>();
    let count = (end as usize).saturating_sub(start as usize) / std::mem::size_of::<Constructor>();
    // SAFETY: the linker placed `count` relocated, aligned constructor pointers between the two
    // symbols (one array in one section), and nothing writes them.
    let constructors = unsafe { std::slice::from_raw_parts(start, count) };
    for constructor in constructors {
        // SAFETY: argument-less constructor functions (`_GLOBAL__sub_I_*`), each run once in
        // link order, as the loader would have.
        unsafe { constructor() };
    }
}

/// Ends a finished command at once, on Unix: HiGHS registers 8 364 C++ static destructors
/// (strings in its headers, one copy per translation unit), and running them at exit was 5 %
/// of a small `solve`'s process (`farm-bench`, median wall ratio 0.95). Everything reluscope
/// writes is flushed by then; C stdio buffers (HiGHS's, if any) are flushed here.
fn exit_without_destructors() {
    // Under coverage instrumentation the profile is written by an exit handler.
    #[cfg(all(unix, not(coverage)))]
    // SAFETY: `fflush(NULL)` flushes every C stream; `_exit` ends the process without running
    // atexit handlers, after the Rust side has flushed and dropped everything it wrote.
    unsafe {
        libc::fflush(std::ptr::null_mut());
        libc::_exit(0);
    }
}

#[cfg(feature = "gui")]
fn open_gui(network: Option<std::path::PathBuf>, tour: bool) -> ExitCode {
    match gui::run(network, tour) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_gui(_network: Option<std::path::PathBuf>, _tour: bool) -> ExitCode {
    eprintln!(
        "error: this reluscope was built without the app (feature \"gui\"); \
         run a subcommand, e.g. `reluscope --help`"
    );
    ExitCode::FAILURE
}
