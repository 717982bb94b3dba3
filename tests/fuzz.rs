//! A time-bounded fuzz run of every reader, and of the engine on every file a reader accepts.
//!
//! Inputs are mutations of real files (sample networks in all three formats, small networks
//! with large and tiny weights): bit flips, byte overwrites, truncations, splices of two files,
//! numbers replaced by extreme ones (`1e308`, `-0`, `NaN`, `1e-320`, `2^31`), plus random
//! bytes. Each reader must return a network or an error, never panic; each accepted network
//! goes through interval and symbolic bounds, the big-M MILP (short time limit) and, for two
//! inputs (the seeds' dimension), the region solver, which must not panic and must never call
//! "optimal" a result its forward check rejects.
//!
//! The run is deterministic for a seed. `cargo test --test fuzz` runs it for
//! `RELUSCOPE_FUZZ_SECONDS` (default 20) with `RELUSCOPE_FUZZ_SEED` (default 0); a longer
//! search: `RELUSCOPE_FUZZ_SECONDS=3600 RELUSCOPE_FUZZ_SEED=7 cargo test --release --test fuzz
//! -- --nocapture`. A failure prints the seed and the round, and writes the input to
//! `target/fuzz-failure.bin`.

use rand::{Rng, SeedableRng};
use reluscope::bounds::{interval_bounds, symbolic_bounds};
use reluscope::control::TaskControl;
use reluscope::formats::{json, nnet, onnx};
use reluscope::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, solve_network};
use reluscope::network::{Activation, Network, RandomNetwork, WeightScale};
use reluscope::regions::{RegionOptions, solve_by_regions_with};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
enum Format {
    Json,
    NNet,
    Onnx,
}

fn read(format: Format, bytes: &[u8]) -> Option<Network> {
    match format {
        Format::Json => json::from_bytes(bytes),
        Format::NNet => nnet::from_bytes(bytes),
        Format::Onnx => onnx::from_bytes(bytes),
    }
    .ok()
}

/// Real files to mutate, in every format that can hold them.
fn seeds() -> Vec<(Format, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_networks");
    let mut networks: Vec<Network> = ["peaks_25x2.json", "himmelblau_25x2.json"]
        .iter()
        .map(|name| json::from_bytes(&std::fs::read(dir.join(name)).unwrap()).unwrap())
        .collect();
    for (widths, seed, weights) in [
        (vec![2, 4, 3, 1], 1, WeightScale::FanIn { gain: 1.0 }),
        (
            vec![2, 3, 3, 1],
            2,
            WeightScale::LogUniform {
                smallest: 1e-6,
                largest: 1e6,
            },
        ),
    ] {
        networks.push(
            RandomNetwork {
                seed,
                weights,
                ..RandomNetwork::new(&widths)
            }
            .build()
            .unwrap(),
        );
    }
    let mut files = Vec::new();
    for net in &networks {
        files.push((Format::Json, json::to_string(net).into_bytes()));
        files.push((Format::Onnx, onnx::to_bytes(net)));
        if let Ok(text) = nnet::to_string(net) {
            files.push((Format::NNet, text.into_bytes()));
        }
    }
    let clipped = RandomNetwork {
        seed: 3,
        hidden: Activation::ClippedRelu { cap: 1.0 },
        ..RandomNetwork::new(&[2, 4, 1])
    }
    .build()
    .unwrap();
    files.push((Format::Json, json::to_string(&clipped).into_bytes()));
    files.push((Format::Onnx, onnx::to_bytes(&clipped)));
    files
}

const EXTREMES: [&str; 9] = [
    "1e308",
    "-1e308",
    "NaN",
    "-0",
    "1e-320",
    "2147483648",
    "1e13",
    "-9e15",
    "inf",
];

/// One mutation of `bytes` (text formats also get number replacements).
fn mutate(rng: &mut impl Rng, bytes: &[u8], other: &[u8], text: bool) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.is_empty() {
        return b;
    }
    match rng.random_range(0..7) {
        0 => {
            for _ in 0..rng.random_range(1..5) {
                let i = rng.random_range(0..b.len());
                b[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => {
            let i = rng.random_range(0..b.len());
            b[i] = rng.random();
        }
        2 => b.truncate(rng.random_range(0..b.len())),
        3 => {
            // Splice: the head of one file, the tail of another.
            let cut = rng.random_range(0..b.len());
            let from = rng.random_range(0..other.len().max(1));
            b.truncate(cut);
            b.extend_from_slice(&other[from.min(other.len())..]);
        }
        4 if text => {
            // Replace a number by an extreme one.
            let s = String::from_utf8_lossy(&b).into_owned();
            let starts: Vec<usize> = s
                .char_indices()
                .filter(|&(i, c)| {
                    c.is_ascii_digit() && (i == 0 || !s.as_bytes()[i - 1].is_ascii_digit())
                })
                .map(|(i, _)| i)
                .collect();
            if let Some(&start) = starts.get(rng.random_range(0..starts.len().max(1))) {
                let end = s[start..]
                    .find(|c: char| !(c.is_ascii_digit() || ".eE-+".contains(c)))
                    .map_or(s.len(), |e| start + e);
                let extreme = EXTREMES[rng.random_range(0..EXTREMES.len())];
                b = format!("{}{extreme}{}", &s[..start], &s[end..]).into_bytes();
            }
        }
        5 => {
            let i = rng.random_range(0..=b.len());
            let junk: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
            b.splice(i..i, junk);
        }
        _ => {
            b = (0..rng.random_range(0..300))
                .map(|_| rng.random())
                .collect()
        }
    }
    b
}

/// The engine on an accepted network: no panic, and no "optimal" that its check rejects.
fn exercise_engine(net: &Network) {
    let Some(b) = net.input_box().cloned() else {
        return;
    };
    let interval = interval_bounds(net, &b);
    let _ = symbolic_bounds(net, &b);
    if net.hidden_neurons() > 60 {
        return;
    }
    let objective = Objective::output(Sense::Minimize, 0, net.output_dim()).unwrap();
    let mut options = NetworkSolveOptions::default();
    options.solver.time_limit = Some(0.3);
    options.start_samples = 64;
    let checked = |r: &reluscope::milp::SolveReport, what: &str| {
        if r.status == "optimal" {
            let (f, o) = (r.forward_value.unwrap(), r.objective.unwrap());
            assert!(
                (f - o).abs() <= 1e-6 * (1.0 + o.abs()),
                "{what}: 'optimal' {o} but f(x*) = {f}"
            );
        }
    };
    let milp = solve_network(
        net,
        &b,
        &interval,
        &objective,
        &options,
        &SolveControl::default(),
    );
    if let Ok(r) = milp {
        checked(&r, "MILP");
    }
    if net.input_dim() == 2 {
        let regions = RegionOptions {
            time_limit: Some(0.3),
            max_regions: 20_000,
            ..RegionOptions::default()
        };
        let exact = solve_by_regions_with(net, &b, &objective, &regions, &TaskControl::default());
        if let Ok(r) = exact {
            checked(&r, "regions");
        }
    }
}

#[test]
fn readers_and_engine_survive_mutated_files() {
    let seconds: u64 = std::env::var("RELUSCOPE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("RELUSCOPE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let files = seeds();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut rounds, mut accepted) = (0u64, 0u64);
    while Instant::now() < deadline {
        let (format, bytes) = &files[rng.random_range(0..files.len())];
        let other = &files[rng.random_range(0..files.len())].1;
        let text = !matches!(format, Format::Onnx);
        let input = mutate(&mut rng, bytes, other, text);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Some(net) = read(*format, &input) {
                exercise_engine(&net);
                true
            } else {
                false
            }
        }));
        match outcome {
            Ok(ok) => accepted += u64::from(ok),
            Err(_) => {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failure.bin");
                let _ = std::fs::write(&path, &input);
                panic!(
                    "seed {seed}, round {rounds}, {format:?}: a panic on this input (written to {})",
                    path.display()
                );
            }
        }
        rounds += 1;
    }
    eprintln!("fuzz: {rounds} inputs, {accepted} accepted and run through the engine");
    assert!(rounds > 100, "only {rounds} inputs in {seconds} s");
    assert!(
        accepted > 0,
        "no mutated file was accepted: the mutations are too coarse"
    );
}
