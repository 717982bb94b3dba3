//! Three things for a fast start of reluscope's binaries: HiGHS's C++ static constructors held
//! back until the first HiGHS model (see `defer_highs_constructors` below), the C++ standard
//! library that HiGHS needs linked statically, where its archive is installed, and the command
//! line's binary linked as a static PIE (`link_command_line_statically`).
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
    link_command_line_statically();
}

/// Links the command line's binary as a static PIE (`-static-pie`) where the C library's
/// archives are installed, else with its unwinder alone linked in: the loader's work at every
/// start — mapping and relocating `libc.so`, `libm.so` and `libgcc_s.so`, resolving a few
/// hundred symbols, and `libgcc_s`'s `cpuid` probe at load (a trap to the hypervisor on a
/// virtual machine) — was a third of a 2-input `solve`'s process (README, Benchmarks). Still
/// position-independent, so the address space stays randomised.
///
/// How: the same `-L` directory trick as for `libstdc++.a`. Rust's standard library asks for
/// `-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc`; a directory searched first holds the unwinder's
/// archive (`libgcc_eh.a`, as `gcc -static-libgcc` links it) under the name `libgcc_s.a` and
/// the C library's archives under their own names, so every one resolves to an archive, and
/// `-static-pie` makes the compiler driver link the static start files and no interpreter. The
/// command line calls nothing of glibc that needs shared libraries at run time — name services,
/// `dlopen`, `iconv` to other character sets: it has no networking, user database or plug-ins
/// (glibc's `dlopen` and libstdc++'s use of `iconv` are linked in, not reached). Only
/// `reluscope`: the app loads graphics drivers with `dlopen`. Where an archive is missing, the compiler cannot link a static PIE, or
/// cross-compiling, only the unwinder is linked in (or nothing); `RELUSCOPE_DYNAMIC_CLI=1`
/// keeps the usual dynamic binary. The choice reaches the tests as `RELUSCOPE_CLI_LINK`
/// (`static-pie`, `static-unwinder` or `dynamic`).
fn link_command_line_statically() {
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=RELUSCOPE_DYNAMIC_CLI");
    let chosen = command_line_link();
    println!("cargo:rustc-env=RELUSCOPE_CLI_LINK={chosen}");
}

/// [`link_command_line_statically`]'s work; returns what it chose.
fn command_line_link() -> &'static str {
    let target = env::var("TARGET").unwrap_or_default();
    let host = env::var("HOST").unwrap_or_default();
    if !(target.contains("linux") && target.contains("gnu"))
        || target != host
        || env::var_os("RELUSCOPE_DYNAMIC_CLI").is_some()
        || env::var("CARGO_CFG_TARGET_FEATURE")
            .is_ok_and(|f| f.split(',').any(|f| f == "crt-static"))
    {
        return "dynamic";
    }
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return "dynamic";
    };
    // One directory per step, each put on the search path only once it is complete: a C
    // library archive found by a dynamic link would mix the two.
    let fresh_dir = |name: &str| {
        let dir = out_dir.join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).is_ok().then_some(dir)
    };
    let copy = |archive: &Path, dir: &Path, name: &str| {
        println!("cargo:rerun-if-changed={}", archive.display());
        std::fs::copy(archive, dir.join(name)).is_ok()
    };
    let Some(unwinder_dir) = fresh_dir("static-unwinder") else {
        return "dynamic";
    };
    let Some(unwinder) = compiler_file("CC", "cc", "libgcc_eh.a") else {
        return "dynamic";
    };
    if !copy(&unwinder, &unwinder_dir, "libgcc_s.a") {
        return "dynamic";
    }
    println!(
        "cargo:rustc-link-arg-bin=reluscope=-L{}",
        unwinder_dir.display()
    );
    let libraries = [
        "libc.a",
        "libm.a",
        "libpthread.a",
        "libdl.a",
        "librt.a",
        "libutil.a",
    ];
    let archives: Option<Vec<PathBuf>> = libraries
        .iter()
        .map(|name| compiler_file("CC", "cc", name))
        .collect();
    let libc_dir = archives.and_then(|archives| {
        // libstdc++ must come from its archive too (`link_libstdcxx_statically`).
        let dir = fresh_dir("static-libc")?;
        let ready = static_libstdcxx().is_some()
            && links_static_pie(&out_dir)
            && archives
                .iter()
                .zip(libraries)
                .all(|(archive, name)| copy(archive, &dir, name));
        ready.then_some(dir)
    });
    match libc_dir {
        Some(dir) => {
            println!("cargo:rustc-link-arg-bin=reluscope=-L{}", dir.display());
            println!("cargo:rustc-link-arg-bin=reluscope=-static-pie");
            "static-pie"
        }
        None => "static-unwinder",
    }
}

/// Whether the C compiler links a static PIE (a one-line C program; GCC 8 and later).
fn links_static_pie(out_dir: &Path) -> bool {
    let Some(mut cc) = compiler("CC", "cc") else {
        return false;
    };
    let source = out_dir.join("static_pie_probe.c");
    let binary = out_dir.join("static_pie_probe");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    cc.arg("-static-pie")
        .arg(&source)
        .arg("-o")
        .arg(&binary)
        .output()
        .is_ok_and(|out| out.status.success())
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
    let output = compiler(variable, default)?
        .arg(format!("-print-file-name={file}"))
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    let path = Path::new(printed.trim());
    // Without the archive the compiler prints the bare file name back.
    (output.status.success() && path.is_absolute() && path.is_file()).then(|| path.to_path_buf())
}

/// The compiler named by the environment variable `variable` (else `default`), as a command;
/// the variable may carry a launcher or flags (`ccache g++`, `g++ -m64`).
fn compiler(variable: &str, default: &str) -> Option<Command> {
    let compiler = env::var(variable).unwrap_or_else(|_| default.to_string());
    let mut words = compiler.split_whitespace();
    let mut command = Command::new(words.next()?);
    command.args(words);
    Some(command)
}
