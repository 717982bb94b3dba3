//! What both binaries (`reluscope`, the command line, and `reluscope-app`, the desktop app) do
//! as processes, beside the library: the allocator, HiGHS's static constructors on first use,
//! the quick exit of a finished command, and starting the other binary.

mod exit;
mod highs_constructors;
mod sibling;

pub use exit::exit_without_destructors;
pub use sibling::{Sibling, run_sibling};

/// mimalloc rather than glibc's allocator: branching over the input box allocates and frees
/// dozens of small vectors per box on both cores, and glibc's arenas made the workers wait
/// on each other's locks (branching 0.80–0.86 of the time with mimalloc; a small `solve`'s
/// process 1.00–1.10× in two measurements, at most ≈ 0.4 ms more). Without transparent huge
/// pages (`no_thp`): with them the start took 1.13–1.24× and 8 MB more resident. `no_thp` only
/// stops mimalloc asking for them (`madvise`); the process keeps them (`THP_enabled: 1` in
/// `/proc/<pid>/status`), and so do its children.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
