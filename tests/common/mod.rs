//! Helpers shared by the integration tests: the reference networks and figures in
//! `../shared/reference/` (computed by an independent numpy + highspy implementation).

#![allow(dead_code)]

use std::path::PathBuf;

/// The reference networks, by name.
pub const REFERENCE_NETWORKS: [&str; 7] = [
    "peaks_25x2",
    "peaks_25x3",
    "peaks_25x5",
    "peaks_50x2",
    "himmelblau_25x2",
    "himmelblau_25x3",
    "himmelblau_50x2",
];

/// `../shared/reference`, if this checkout has it beside the project root.
pub fn reference_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: ../shared/reference is absent; reference checks skipped");
        None
    }
}

/// Path of a reference network file, e.g. `network_file("peaks_25x2", ".nnet")`.
pub fn network_file(dir: &std::path::Path, name: &str, suffix: &str) -> PathBuf {
    dir.join("networks").join(format!("{name}{suffix}"))
}

/// The reference figures of a network.
pub fn figures(dir: &std::path::Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("figures").join(format!("{name}.json")))
        .expect("reference figures are readable");
    serde_json::from_str(&text).expect("reference figures are JSON")
}

/// `|a − b| ≤ rel · max(1, |b|)`.
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1.0)
}

/// A vector of f64 from a JSON array.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// The path of the `reluscope` binary built for the integration tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_reluscope"))
}

/// Path of a file in the project's `sample_networks/`.
pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample_networks")
        .join(name)
}
