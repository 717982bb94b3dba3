//! Links the C++ standard library that HiGHS needs statically, where its archive is installed.
//!
//! Why: `highs-sys` asks for `-lstdc++`, and loading and relocating the shared `libstdc++.so` was the
//! largest part of reluscope's process start (the dynamic loader's own statistics; README, Benchmarks).
//! A CLI answer on a small network takes about a millisecond, so the start decides what a user (or a
//! script calling `reluscope solve` in a loop) waits for.
//!
//! How: the linker takes, in each search directory, the shared library before the archive, and searches
//! the `-L` directories before its own. A directory holding only `libstdc++.a`, put on the search path,
//! therefore makes the same `-lstdc++` resolve to the archive. Where the archive is missing (a compiler
//! without static libraries, another target) nothing changes and the shared library is linked as before.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CXX");
    println!("cargo:rerun-if-env-changed=RELUSCOPE_SHARED_LIBSTDCXX");
    let target = env::var("TARGET").unwrap_or_default();
    if !(target.contains("linux") && target.contains("gnu"))
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
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
}

/// The absolute path of `libstdc++.a` as the C++ compiler would link it, if it is installed.
fn static_libstdcxx() -> Option<PathBuf> {
    let cxx = env::var("CXX").unwrap_or_else(|_| "c++".to_string());
    let output = Command::new(cxx)
        .arg("-print-file-name=libstdc++.a")
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    let path = Path::new(printed.trim());
    // Without the archive the compiler prints the bare file name back.
    (output.status.success() && path.is_absolute() && path.is_file()).then(|| path.to_path_buf())
}
