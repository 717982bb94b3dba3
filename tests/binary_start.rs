//! The binaries' start: HiGHS's C++ static constructors are held back from process start (the
//! build's linker script) and run before the first HiGHS model (`reluscope::lp::highs::
//! defer_highs_constructors`).
// The section table is read as 64-bit ELF, and the constructor pointers as 8 bytes.
#![cfg(all(reluscope_defer_highs, target_pointer_width = "64"))]

mod common;

use common::*;

/// The sections of a 64-bit little-endian ELF file: `(name, size)`.
fn elf_sections(bytes: &[u8]) -> Vec<(String, u64)> {
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    assert_eq!(&bytes[..4], b"\x7fELF", "the binary is an ELF file");
    assert_eq!((bytes[4], bytes[5]), (2, 1), "64-bit little-endian");
    let (offset, entry, count) = (u64_at(0x28) as usize, u16_at(0x3A), u16_at(0x3C));
    let header = |i: usize| offset + i * entry;
    let names_at = u64_at(header(u16_at(0x3E)) + 0x18) as usize;
    (0..count)
        .map(|i| {
            let start = names_at + u32_at(header(i));
            let len = bytes[start..].iter().position(|&b| b == 0).unwrap();
            let name = String::from_utf8_lossy(&bytes[start..start + len]).into_owned();
            (name, u64_at(header(i) + 0x20))
        })
        .collect()
}

/// In both binaries, the constructors are in their own section (HiGHS has 186 translation units with static
/// strings; the section also holds an 8-byte sentinel), out of the loader's `.init_array`; and
/// a MILP, an LP-based bound tightening and a model export — every way HiGHS is used — still
/// work and agree with the region solver, which does not use HiGHS.
#[test]
fn highs_constructors_run_on_first_use_not_at_start() {
    let binaries = [
        Some(binary()),
        #[cfg(feature = "gui")]
        Some(std::path::PathBuf::from(env!(
            "CARGO_BIN_EXE_reluscope-app"
        ))),
    ];
    for path in binaries.into_iter().flatten() {
        let sections = elf_sections(&std::fs::read(&path).unwrap());
        let size = |wanted: &str| {
            sections
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|&(_, size)| size)
                .unwrap_or_else(|| panic!("no section {wanted} in {}", path.display()))
        };
        let held_back = size(".reluscope_highs_init").saturating_sub(8) / 8;
        let at_load = size(".init_array") / 8;
        assert!(
            held_back >= 100,
            "only {held_back} constructors held back in {} (HiGHS's objects no longer matched \
             by build.rs?)",
            path.display()
        );
        assert!(
            at_load < 30,
            "{at_load} constructors still run at load in {}",
            path.display()
        );
    }

    let net = sample("peaks_25x2_l1.json");
    let dir = tempfile::tempdir().unwrap();
    let mps = dir.path().join("model.mps");
    let objective = |args: &[&str]| -> f64 {
        let json: serde_json::Value = serde_json::from_slice(&run_ok(args).stdout).unwrap();
        json["objective"].as_f64().unwrap()
    };
    let net = net.to_str().unwrap();
    let by_regions = objective(&["solve", net, "--method", "regions", "--json"]);
    let by_milp = objective(&["solve", net, "--method", "milp", "--json"]);
    let by_lp_milp = objective(&["solve", net, "--method", "milp", "--bounds", "lp", "--json"]);
    for value in [by_milp, by_lp_milp] {
        assert!(close(value, by_regions, 1e-6), "{value} vs {by_regions}");
    }
    run_ok(&["export", net, "--mps", mps.to_str().unwrap()]);
    let text = std::fs::read_to_string(&mps).unwrap();
    assert!(text.contains("ROWS") && text.contains("COLUMNS"), "{text}");
}

/// Whether a 64-bit ELF file asks for an interpreter (`PT_INTERP`: the dynamic loader, which
/// then maps the shared libraries it needs).
fn has_interpreter(bytes: &[u8]) -> bool {
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let offset = u64::from_le_bytes(bytes[0x20..0x28].try_into().unwrap()) as usize;
    let (entry, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| u32_at(offset + i * entry) == 3)
}

/// The command line's binary is linked as build.rs says (`RELUSCOPE_CLI_LINK`): a static PIE
/// has no interpreter, so the loader maps no shared library at its start; with the unwinder
/// alone linked in, `libgcc_s.so` is named nowhere in the file. The app keeps the dynamic
/// loader (its graphics drivers are loaded at run time). On CI the build must have chosen the
/// static PIE. A panic still unwinds in that binary: `a_panic_unwinds_to_its_catch` in
/// `src/main.rs`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_command_line_is_linked_as_the_build_chose() {
    let link = env!("RELUSCOPE_CLI_LINK");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert_eq!(
            link, "static-pie",
            "CI's build fell back from the static PIE"
        );
    }
    let bytes = std::fs::read(binary()).unwrap();
    let names_libgcc_s = bytes.windows(11).any(|w| w == b"libgcc_s.so");
    match link {
        "static-pie" => assert!(
            !has_interpreter(&bytes),
            "{} has an interpreter",
            binary().display()
        ),
        "static-unwinder" => assert!(has_interpreter(&bytes) && !names_libgcc_s),
        other => assert_eq!(other, "dynamic"),
    }
    #[cfg(feature = "gui")]
    assert!(has_interpreter(
        &std::fs::read(env!("CARGO_BIN_EXE_reluscope-app")).unwrap()
    ));
}
