//! HiGHS's C++ static constructors, run on the first HiGHS model instead of at process start
//! where reluscope's binaries ask for it ([`defer_highs_constructors`] says why and how).

use std::sync::{Once, OnceLock};

/// HiGHS's: the binary's function that runs the held-back constructors, if it registered one.
static HIGHS: DeferredConstructors = DeferredConstructors::new();

/// A function registered to run once, on first use.
struct DeferredConstructors {
    construct: OnceLock<fn()>,
    constructed: Once,
}

impl DeferredConstructors {
    const fn new() -> Self {
        Self {
            construct: OnceLock::new(),
            constructed: Once::new(),
        }
    }

    fn register(&self, construct: fn()) {
        let _ = self.construct.set(construct);
    }

    fn ensure_constructed(&self) {
        self.constructed.call_once(|| {
            if let Some(construct) = self.construct.get() {
                construct();
            }
        });
    }
}

/// Registers `construct`, the function that runs HiGHS's C++ static constructors which the
/// link held back from process start; reluscope calls it once, on the thread that builds the
/// first HiGHS model, before that model. A second registration is ignored.
///
/// Why: HiGHS defines its option names and messages as `const std::string`s in headers, one
/// copy per translation unit: 186 constructors build 8 364 strings and register as many
/// destructors before `main`. A small `solve` (the region or branching paths, which never
/// touch HiGHS) spent a sixth of its process on them: cold, 5.19 → 4.32 ms median wall on
/// ackley_25x2_l1, 679 → 510 page faults (README, Benchmarks).
///
/// How: reluscope's build script links its binaries (`reluscope`, `reluscope-app`) with a
/// linker script that moves those constructors out of `.init_array` (run by the loader) into a
/// section of their own; each binary registers, from an `.init_array` entry of its own (so its test harness gets it
/// too), the function that runs them, and `to_highs` — the only place a HiGHS object is
/// created — runs it first. Everything else (the library's tests, doctests, programs using
/// the library) links as usual and registers nothing: the loader has run the constructors.
///
/// # Safety
///
/// `construct` must run exactly the constructors the loader skipped (each once), and this
/// must be called before any HiGHS model is built: reluscope's binaries call it from an
/// `.init_array` entry of its own, at load. Registering it in a program whose constructors
/// ran at load would construct HiGHS's statics twice.
pub unsafe fn defer_highs_constructors(construct: fn()) {
    HIGHS.register(construct);
}

/// Runs the registered constructors the first time it is called (every caller waits until
/// they have run); does nothing where none were registered.
pub(crate) fn ensure_highs_constructed() {
    HIGHS.ensure_constructed();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static RUNS: AtomicUsize = AtomicUsize::new(0);

    fn count_run() {
        RUNS.fetch_add(1, Ordering::SeqCst);
    }

    /// The registered function runs once however many threads ask at once, and nothing
    /// runs where none was registered. (The binary's own deferral of HiGHS's constructors is
    /// checked in `tests/binary_start.rs`.)
    #[test]
    fn registered_constructors_run_once() {
        let deferred = DeferredConstructors::new();
        deferred.register(count_run);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| deferred.ensure_constructed());
            }
        });
        deferred.ensure_constructed();
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);
        let unregistered = DeferredConstructors::new();
        unregistered.ensure_constructed();
        assert_eq!(RUNS.load(Ordering::SeqCst), 1);
    }
}
