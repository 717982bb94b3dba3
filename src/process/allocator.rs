//! The allocator of reluscope's binaries: glibc's on the main thread, mimalloc on every other.
//!
//! Why both. mimalloc on the worker threads: branching over the input box allocates and frees
//! dozens of small vectors per box on both cores, and a box bounded by one worker is freed by
//! the other; glibc's arenas made the workers wait on each other's locks (branching 0.80–0.86
//! of the time with mimalloc). glibc's on the main thread: a command that answers in a few
//! milliseconds (a 2-input `solve`) spends them mostly starting and ending its process, and
//! mimalloc's first pages cost it most: every size class starts a 64 KiB page of its own
//! (≈ 50 page faults for the first block of each), and its first arena is reserved and set up
//! on the first allocation. The main thread of both binaries does the sequential work (the
//! region solver, bounds, the MILP through HiGHS, which allocates with C++'s `new` anyway, the
//! app's frames), where the two allocators measured the same; the parallel work runs on
//! spawned threads (rayon's pool, branching's and bound tightening's workers). Measured in
//! README (Benchmarks, "Kept since (2026-11-30)").
//!
//! A block is freed and resized by the allocator that owns it, whichever thread does it:
//! mimalloc answers "is this mine" from its page map in a few loads (`mi_is_in_heap_region`),
//! and anything else came from glibc.
//!
//! Without transparent huge pages for mimalloc (`no_thp`): with them the start took 1.13–1.24×
//! and 8 MB more resident. `no_thp` only stops mimalloc asking for them (`madvise`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[global_allocator]
static ALLOCATOR: ByThread = ByThread;

/// glibc's allocator on the thread marked at load (the main thread), mimalloc on all others;
/// frees and resizes go to the owner of the block.
struct ByThread;

thread_local! {
    /// Whether this thread allocates from the system allocator: only the main thread, marked
    /// at load. A constant without a destructor, so that reading it never allocates, and
    /// works while a thread is being torn down.
    static SYSTEM_THREAD: Cell<bool> = const { Cell::new(false) };
}

fn on_system_thread() -> bool {
    SYSTEM_THREAD.try_with(Cell::get).unwrap_or(false)
}

/// Whether mimalloc allocated the block at `ptr` (its page map knows every page it handed out;
/// a pointer from anywhere else reads `false`).
fn owned_by_mimalloc(ptr: *mut u8) -> bool {
    // SAFETY: `mi_is_in_heap_region` accepts any pointer; it only reads mimalloc's page map,
    // which is valid (empty) before mimalloc's first allocation.
    unsafe { mi_is_in_heap_region(ptr.cast()) }
}

// SAFETY: each block is allocated by one of two sound allocators and freed or resized by the
// same one (`owned_by_mimalloc`), with the layout the caller passed on.
unsafe impl GlobalAlloc for ByThread {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `layout` is passed on unchanged.
        unsafe {
            if on_system_thread() {
                System.alloc(layout)
            } else {
                mimalloc::MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if on_system_thread() {
                System.alloc_zeroed(layout)
            } else {
                mimalloc::MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator, so by the one that owns it.
        unsafe {
            if owned_by_mimalloc(ptr) {
                mimalloc::MiMalloc.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`; the block stays with its owner.
        unsafe {
            if owned_by_mimalloc(ptr) {
                mimalloc::MiMalloc.realloc(ptr, layout, new_size)
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }
}

unsafe extern "C" {
    fn mi_is_in_heap_region(p: *const std::ffi::c_void) -> bool;
}

/// Runs at load, on the main thread, before Rust's runtime allocates (the loader runs
/// `.init_array` before `main`): marks the main thread for glibc's allocator and shrinks
/// mimalloc's first arena.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static AT_LOAD: extern "C" fn() = at_load;

#[cfg(target_os = "linux")]
extern "C" fn at_load() {
    SYSTEM_THREAD.set(true);
    smaller_first_arena();
}

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

/// mimalloc's first arena 64 MiB instead of 1 GiB: setting up a 1 GiB arena's bitmaps touched
/// 38 pages, 3.7 % of a small `solve`'s process (`perf record`). Later arenas grow (mimalloc
/// doubles their size every eight), so a large run loses nothing.
#[cfg(target_os = "linux")]
fn smaller_first_arena() {
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
    use proptest::prelude::*;

    /// The option set at load is the arena reserve (a shifted enum would have left another
    /// option at its default, and this one unset). Under a user's `MIMALLOC_ARENA_RESERVE`,
    /// which is left alone, this fails.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_first_arena_is_64_mib() {
        // SAFETY: reading an option is always allowed.
        assert_eq!(unsafe { mi_option_get(ARENA_RESERVE) }, FIRST_ARENA_KIB);
    }

    /// A spawned thread allocates from mimalloc, one marked as the main thread from glibc;
    /// each block is recognised by its owner (and freed by it here, on the test's thread).
    #[test]
    fn threads_allocate_from_their_allocator() {
        let on_worker = on_thread(false, || Box::new([7u8; 40]));
        assert!(owned_by_mimalloc((&raw const *on_worker).cast_mut().cast()));
        let on_main = on_thread(true, || Box::new([9u8; 40]));
        assert!(!owned_by_mimalloc((&raw const *on_main).cast_mut().cast()));
        assert_eq!((on_worker[39], on_main[39]), (7, 9));
    }

    /// The load-time mark went to the process's main thread (thread id = process id), and only
    /// to it.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_marked_thread_is_the_main_thread() {
        // SAFETY: plain system calls without arguments.
        let (tid, pid) = unsafe { (libc::gettid(), libc::getpid()) };
        assert_eq!(on_system_thread(), tid == pid);
        let spawned = std::thread::spawn(on_system_thread).join().unwrap();
        assert!(!spawned);
    }

    /// One step of the property below: on which side a block is allocated, resized or freed.
    #[derive(Debug, Clone)]
    enum Step {
        Allocate {
            main: bool,
            size: usize,
            align_log2: u32,
            zeroed: bool,
        },
        Resize {
            main: bool,
            index: usize,
            size: usize,
        },
        Free {
            main: bool,
            index: usize,
        },
    }

    fn step() -> impl Strategy<Value = Step> {
        // Sizes across glibc's and mimalloc's small, large and directly mapped blocks.
        let size = prop_oneof![1usize..300, 300usize..70_000, 200_000usize..600_000];
        prop_oneof![
            (any::<bool>(), size.clone(), 0u32..13, any::<bool>()).prop_map(
                |(main, size, align_log2, zeroed)| Step::Allocate {
                    main,
                    size,
                    align_log2,
                    zeroed
                }
            ),
            (any::<bool>(), any::<usize>(), size).prop_map(|(main, index, size)| Step::Resize {
                main,
                index,
                size
            }),
            (any::<bool>(), any::<usize>()).prop_map(|(main, index)| Step::Free { main, index }),
        ]
    }

    /// A live block: where, its layout, and the byte it was filled with.
    struct Block {
        ptr: usize,
        layout: Layout,
        fill: u8,
    }

    /// Runs `f` on a thread of its own, marked as the main thread (glibc) or not (mimalloc).
    fn on_thread<T: Send>(main: bool, f: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    SYSTEM_THREAD.set(main);
                    f()
                })
                .join()
                .unwrap()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Blocks allocated, resized and freed on either kind of thread, in any order, with
        /// alignments up to 4 KiB: contents survive every resize, zeroed blocks read zero,
        /// every block is aligned, and each is freed by its owner (a wrong owner would abort).
        #[test]
        fn blocks_move_between_threads_intact(steps in prop::collection::vec(step(), 1..40)) {
            let mut live: Vec<Block> = Vec::new();
            for (n, step) in steps.into_iter().enumerate() {
                let fill = (n % 251) as u8 + 1;
                match step {
                    Step::Allocate { main, size, align_log2, zeroed } => {
                        let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                        let ptr = on_thread(main, || {
                            // SAFETY: `layout` has a non-zero size.
                            let p = unsafe {
                                if zeroed { ALLOCATOR.alloc_zeroed(layout) } else { ALLOCATOR.alloc(layout) }
                            };
                            assert!(!p.is_null());
                            assert_eq!(p as usize % layout.align(), 0);
                            assert_eq!(owned_by_mimalloc(p), !main);
                            // SAFETY: `p` holds `size` bytes.
                            let bytes = unsafe { std::slice::from_raw_parts_mut(p, size) };
                            if zeroed {
                                assert!(bytes.iter().all(|&b| b == 0));
                            }
                            bytes.fill(fill);
                            p as usize
                        });
                        live.push(Block { ptr, layout, fill });
                    }
                    Step::Resize { main, index, size } if !live.is_empty() => {
                        let count = live.len();
                        let block = &mut live[index % count];
                        let (old, layout, old_fill) = (block.ptr, block.layout, block.fill);
                        let ptr = on_thread(main, || {
                            // SAFETY: `old` is live with `layout`; `size` is non-zero.
                            let p = unsafe { ALLOCATOR.realloc(old as *mut u8, layout, size) };
                            assert!(!p.is_null());
                            assert_eq!(p as usize % layout.align(), 0);
                            let kept = size.min(layout.size());
                            // SAFETY: `p` holds `size` bytes.
                            let bytes = unsafe { std::slice::from_raw_parts_mut(p, size) };
                            assert!(bytes[..kept].iter().all(|&b| b == old_fill));
                            bytes.fill(fill);
                            p as usize
                        });
                        block.ptr = ptr;
                        block.layout = Layout::from_size_align(size, layout.align()).unwrap();
                        block.fill = fill;
                    }
                    Step::Free { main, index } if !live.is_empty() => {
                        let block = live.swap_remove(index % live.len());
                        on_thread(main, || {
                            // SAFETY: the block is live with this layout.
                            let bytes = unsafe {
                                std::slice::from_raw_parts(block.ptr as *const u8, block.layout.size())
                            };
                            assert!(bytes.iter().all(|&b| b == block.fill));
                            // SAFETY: freed once, with its layout.
                            unsafe { ALLOCATOR.dealloc(block.ptr as *mut u8, block.layout) };
                        });
                    }
                    _ => {}
                }
            }
            for block in live {
                // SAFETY: each remaining block is live with its layout.
                unsafe { ALLOCATOR.dealloc(block.ptr as *mut u8, block.layout) };
            }
        }
    }
}
