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

/// The environment variable that points the tests at another `shared` directory than the
/// one beside the project root (e.g. to check that they fail without it).
pub const SHARED_ENV: &str = "RELUSCOPE_SHARED";

/// The project's `shared` directory: `$RELUSCOPE_SHARED` if set, else `../shared` from the
/// project root.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os(SHARED_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// `shared/reference`: the reference networks and figures.
///
/// Panics when it is missing, on CI and on a developer's machine alike: a test that passed
/// without its reference data would claim a check that never ran, so the failure names the
/// directory to put in place instead.
pub fn reference_dir() -> PathBuf {
    let dir = shared_dir().join("reference");
    for needed in [dir.join("networks"), dir.join("figures")] {
        assert!(
            needed.is_dir(),
            "{} is missing: the reference tests need the project's shared directory beside the \
             project root (CI clones it there), or {SHARED_ENV} pointing at it",
            needed.display()
        );
    }
    dir
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

/// Runs the binary with `args` and asserts that it succeeded (its stderr in the message).
pub fn run_ok(args: &[&str]) -> std::process::Output {
    let out = std::process::Command::new(binary())
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Path of a file in the project's `sample_networks/`.
pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample_networks")
        .join(name)
}

/// Root mean squared error of output 0 of `net` against `function` at `n` seeded uniform
/// points of the network's box: its test error, measured apart from the trainer's split.
pub fn fresh_rmse(
    net: &reluscope::network::Network,
    function: reluscope::training::BenchmarkFunction,
    n: usize,
) -> f64 {
    use rand::SeedableRng;
    let b = net.input_box().expect("a trained network carries its box");
    let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
    let squares: f64 = (0..n)
        .map(|_| {
            let x = b.sample(&mut rng);
            (net.forward(&x)[0] - function.eval(&x)).powi(2)
        })
        .sum();
    (squares / n as f64).sqrt()
}
