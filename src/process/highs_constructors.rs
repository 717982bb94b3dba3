//! HiGHS's C++ static constructors, run before the first HiGHS model instead of at process
//! start (why: `reluscope::lp::highs::defer_highs_constructors`; how: `build.rs`).

/// Makes the linker script's section an ordinary writable one, after `.data`, whatever the
/// script collects (an atomic, so that the static is placed in writable data): without it, an
/// empty section (should HiGHS's objects come packaged otherwise) broke the link, and a bare
/// `.init_array` one would belong to the read-only-after-relocation segment, which must be
/// contiguous.
#[cfg(reluscope_defer_highs)]
#[used]
#[unsafe(link_section = ".reluscope_highs_init_sentinel")]
static HIGHS_INIT_SENTINEL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Registers [`run_highs_constructors`] at load (the loader runs `.init_array`), before `main`
/// and before any test of the binary's test harness, which has a `main` of its own.
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
