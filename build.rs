//! Three things for a fast start of reluscope's binaries: HiGHS's C++ static constructors held
//! back until the first HiGHS model (see `defer_highs_constructors` below), the C++ standard
//! library that HiGHS needs linked statically, where its archive is installed, and the same for
//! the unwinder in the command line's binary (`link_unwinder_statically`).
//!
//! Why the static C++ library: `highs-sys` asks for `-lstdc++`; mapping and relocating the
//! shared `libstdc++.so` was a tenth of a small `solve`'s process (`farm-bench`: median wall
//! ratio 0.91; README, Benchmarks). A CLI answer on a small network takes about a millisecond,
//! so the start decides what a user (or a script calling `reluscope solve` in a loop) waits for.
//!
//! How: the linker takes, in each search directory, the shared library before the archive, and
//! searches the `-L` directories before its own. A directory holding only `libstdc++.a`, on the
//! search path of reluscope's binaries, therefore makes the same `-lstdc++` resolve to the
//! archive. Where the archive is missing (a compiler without static libraries, another target,
//! a cross build) nothing changes and the shared library is linked as before;
//! `RELUSCOPE_SHARED_LIBSTDCXX=1` asks for the shared one.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(reluscope_defer_highs)");
    defer_highs_constructors();
    link_libstdcxx_statically();
    link_unwinder_statically();
}

/// Links the unwinder (`libgcc_eh.a`) into the command line's binary instead of loading
/// `libgcc_s.so`, as `gcc -static-libgcc` does: one shared library fewer to map and relocate
/// at every start, and no load-time `cpuid` probe (`__cpu_indicator_init`, which traps to the
/// hypervisor on a virtual machine); ≈ 0.1 ms of a process that answers in 3 (README,
/// Benchmarks). Rust's panics and HiGHS's C++ exceptions unwind through it alike.
///
/// How: the same `-L` directory trick as for `libstdc++.a` — Rust's standard library asks for
/// `-lgcc_s`, and a directory holding the unwinder's archive under that name, searched first,
/// answers it. Only `reluscope`: the app loads graphics drivers that bring `libgcc_s.so`
/// themselves. Nothing changes where the archive is missing or cross-compiling;
/// `RELUSCOPE_SHARED_LIBGCC=1` keeps the shared library.
fn link_unwinder_statically() {
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=RELUSCOPE_SHARED_LIBGCC");
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    if !(target.contains("linux") && target.contains("gnu"))
        || target != host
        || env::var_os("RELUSCOPE_SHARED_LIBGCC").is_some()
        || env::var("CARGO_CFG_TARGET_FEATURE")
            .is_ok_and(|f| f.split(',').any(|f| f == "crt-static"))
    {
        return;
    }
    let Some(archive) = compiler_file("CC", "cc", "libgcc_eh.a") else {
        return;
    };
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let dir = out_dir.join("static-unwinder");
    let link = dir.join("libgcc_s.a");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let _ = std::fs::remove_file(&link);
    if std::fs::copy(&archive, &link).is_ok() {
        println!("cargo:rerun-if-changed={}", archive.display());
        println!("cargo:rustc-link-arg-bin=reluscope=-L{}", dir.display());
    }
}

/// Links `libstdc++.a` into reluscope's binaries where it is installed (see the module doc).
fn link_libstdcxx_statically() {
    println!("cargo:rerun-if-env-changed=CXX");
    println!("cargo:rerun-if-env-changed=RELUSCOPE_SHARED_LIBSTDCXX");
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    // Cross-compiling, the host compiler's archive is the wrong one: leave the link alone.
    if !(target.contains("linux") && target.contains("gnu"))
        || target != host
        || env::var_os("RELUSCOPE_SHARED_LIBSTDCXX").is_some()
    {
        return;
    }
    let Some(archive) = static_libstdcxx() else {
        return;
    };
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let dir = out_dir.join("static-libstdcxx");
    let link = dir.join("libstdc++.a");
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let _ = std::fs::remove_file(&link);
    if std::fs::copy(&archive, &link).is_ok() {
        println!("cargo:rerun-if-changed={}", archive.display());
        // For reluscope's own binaries only: a program that links the library keeps its
        // own choice.
        println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
    }
}

/// Holds HiGHS's C++ static constructors back from process start in reluscope's binaries, and
/// sets `cfg(reluscope_defer_highs)` so that each binary registers the function that runs them
/// on the first HiGHS model (why: the doc of `reluscope::lp::highs::defer_highs_constructors`).
///
/// How: a linker script, added to the default one (`INSERT`), collects the `.init_array`
/// entries of the objects in highs-sys's library (rustc links it as `libhighs_sys-*.rlib`,
/// HiGHS's archive bundled inside) into a section of their own, between two symbols; the
/// loader runs only `.init_array`. Should the pattern match nothing (another packaging of
/// HiGHS), that section is empty and the constructors run at load as before. ELF targets only
/// (the GNU linker and LLD both take `INSERT` and `archive:member` patterns);
/// `RELUSCOPE_EAGER_HIGHS=1` turns it off, e.g. for a linker without such scripts (mold,
/// gold). reluscope's binaries get the script (`src/process/highs_constructors.rs` registers
/// the function that runs the constructors in each); a program that links the library does not.
fn defer_highs_constructors() {
    println!("cargo:rerun-if-env-changed=RELUSCOPE_EAGER_HIGHS");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux")
        || env::var_os("RELUSCOPE_EAGER_HIGHS").is_some()
    {
        return;
    }
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let script = out_dir.join("defer_highs_constructors.ld");
    let text = "\
/* Written by reluscope's build.rs: HiGHS's static constructors, run on first use. */
SECTIONS {
  .reluscope_highs_init : {
    PROVIDE_HIDDEN(__reluscope_highs_init_start = .);
    KEEP(*libhighs_sys-*.rlib:*(SORT_BY_INIT_PRIORITY(.init_array.*) .init_array))
    PROVIDE_HIDDEN(__reluscope_highs_init_end = .);
    KEEP(*(.reluscope_highs_init_sentinel))
  }
} INSERT AFTER .data;
";
    if std::fs::write(&script, text).is_ok() {
        // `-Xlinker` passes the path whole (`-Wl,` would split it at commas).
        println!("cargo:rustc-link-arg-bins=-Xlinker");
        println!("cargo:rustc-link-arg-bins=-T");
        println!("cargo:rustc-link-arg-bins=-Xlinker");
        println!("cargo:rustc-link-arg-bins={}", script.display());
        println!("cargo:rustc-cfg=reluscope_defer_highs");
    }
}

/// The absolute path of `libstdc++.a` as the C++ compiler would link it, if it is installed.
fn static_libstdcxx() -> Option<PathBuf> {
    compiler_file("CXX", "c++", "libstdc++.a")
}

/// The absolute path of the library `file` as the compiler named by the environment variable
/// `variable` (else `default`) would link it, if it is installed.
fn compiler_file(variable: &str, default: &str, file: &str) -> Option<PathBuf> {
    // The variable may carry a launcher or flags (`ccache g++`, `g++ -m64`).
    let compiler = env::var(variable).unwrap_or_else(|_| default.to_string());
    let mut words = compiler.split_whitespace();
    let output = Command::new(words.next()?)
        .args(words)
        .arg(format!("-print-file-name={file}"))
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    let path = Path::new(printed.trim());
    // Without the archive the compiler prints the bare file name back.
    (output.status.success() && path.is_absolute() && path.is_file()).then(|| path.to_path_buf())
}
