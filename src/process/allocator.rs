//! The allocator of reluscope's binaries.

/// mimalloc rather than glibc's allocator: branching over the input box allocates and frees
/// dozens of small vectors per box on both cores, and glibc's arenas made the workers wait
/// on each other's locks (branching 0.80–0.86 of the time with mimalloc; a small `solve`'s
/// process 1.00–1.10× in two measurements, at most ≈ 0.4 ms more). Without transparent huge
/// pages (`no_thp`): with them the start took 1.13–1.24× and 8 MB more resident. `no_thp` only
/// stops mimalloc asking for them (`madvise`); the process keeps them (`THP_enabled: 1` in
/// `/proc/<pid>/status`), and so do its children.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets mimalloc's first arena to 64 MiB instead of 1 GiB before the first allocation (the
/// loader runs `.init_array` before Rust's runtime allocates): setting up a 1 GiB arena's
/// bitmaps touched 38 pages, 3.7 % of a small `solve`'s process (`perf record`). Later arenas
/// grow (mimalloc doubles their size every eight), so a large run loses nothing.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SMALLER_FIRST_ARENA: extern "C" fn() = smaller_first_arena;

/// `mi_option_arena_reserve`, in KiB, which libmimalloc-sys does not name: its index in
/// mimalloc 3's option enum. Set only while it holds its default (1 GiB), so that another
/// mimalloc (a shifted enum) or a user's `MIMALLOC_ARENA_RESERVE` is left alone.
#[cfg(target_os = "linux")]
const ARENA_RESERVE: libc::c_int = 23;
#[cfg(target_os = "linux")]
const DEFAULT_KIB: libc::c_long = 1 << 20;
#[cfg(target_os = "linux")]
const FIRST_ARENA_KIB: libc::c_long = 64 << 10;

#[cfg(target_os = "linux")]
unsafe extern "C" {
    fn mi_option_get(option: libc::c_int) -> libc::c_long;
    fn mi_option_set(option: libc::c_int, value: libc::c_long);
}

#[cfg(target_os = "linux")]
extern "C" fn smaller_first_arena() {
    // SAFETY: mimalloc's options may be read and set at any time; `mi_option_set` is a plain
    // store, and this runs at load, on the main thread, before any other thread exists. (A
    // user's explicit `MIMALLOC_ARENA_RESERVE=1G`, equal to the default, is overridden.)
    unsafe {
        if mi_option_get(ARENA_RESERVE) == DEFAULT_KIB {
            mi_option_set(ARENA_RESERVE, FIRST_ARENA_KIB);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option set at load is the arena reserve (a shifted enum would have left another
    /// option at its default, and this one unset). Under a user's `MIMALLOC_ARENA_RESERVE`,
    /// which is left alone, this fails.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_first_arena_is_64_mib() {
        // SAFETY: reading an option is always allowed.
        assert_eq!(unsafe { mi_option_get(ARENA_RESERVE) }, FIRST_ARENA_KIB);
    }
}
