//! Links the C++ standard library that HiGHS needs statically into reluscope's binaries, where
//! its archive is installed.
//!
//! Why: `highs-sys` asks for `-lstdc++`; mapping and relocating the shared `libstdc++.so` was
//! a tenth of a small `solve`'s process (`farm-bench`: median wall ratio 0.91; README,
//! Benchmarks). A CLI answer on a small network takes about a millisecond, so the start decides
//! what a user (or a script calling `reluscope solve` in a loop) waits for.
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

/// The absolute path of `libstdc++.a` as the C++ compiler would link it, if it is installed.
fn static_libstdcxx() -> Option<PathBuf> {
    // `CXX` may carry a launcher or flags (`ccache g++`, `g++ -m64`).
    let cxx = env::var("CXX").unwrap_or_else(|_| "c++".to_string());
    let mut words = cxx.split_whitespace();
    let output = Command::new(words.next()?)
        .args(words)
        .arg("-print-file-name=libstdc++.a")
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    let path = Path::new(printed.trim());
    // Without the archive the compiler prints the bare file name back.
    (output.status.success() && path.is_absolute() && path.is_file()).then(|| path.to_path_buf())
}
