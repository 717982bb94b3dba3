//! `reluscope bench …`: the speed figures of each capability, printed on this machine.
//!
//! Speed targets live here rather than in timed tests: absolute times on shared machines are
//! noisy, while figures measured side by side in one run are comparable.

mod bounds;
mod engine;
mod regions;
mod solve;
mod training;
mod ui;
mod verify;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use reluscope::numbers::median;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchKind,
}

#[derive(Debug, Subcommand)]
enum BenchKind {
    /// Loading, interval bounds, MILP building and solving.
    Engine(engine::EngineArgs),
    /// Every bound method (time, LPs, stability, big-M) and the MILP with each, ± scaling.
    Bounds(bounds::BoundsBenchArgs),
    /// Exact region counts of 2-input networks by both exact methods, with times.
    Regions(regions::RegionsBenchArgs),
    /// Every solve path (auto, milp, regions, branch) on the same networks: wall times, and
    /// the optima checked to agree. The reluscope side of `side_by_side.py`.
    Solve(solve::SolveBenchArgs),
    /// Training time per epoch and for a full run.
    Training(training::TrainingBenchArgs),
    /// A folder of VNNLIB instances decided with each bound method, answers and times side
    /// by side (checked against expected.csv); --make builds such a folder.
    Verify(verify::VerifyBenchArgs),
    /// Frame time of the app's UI code with a 5×50 network, every view (run by the app's
    /// binary, `reluscope-app`).
    Ui(ui::UiBenchArgs),
}

/// Runs `bench`; or, for a benchmark of the app, returns the arguments that run it in the
/// app's binary.
pub fn run(args: &BenchArgs) -> Result<Option<Vec<OsString>>> {
    match &args.what {
        BenchKind::Engine(a) => engine::run(a)?,
        BenchKind::Bounds(a) => bounds::run(a)?,
        BenchKind::Regions(a) => regions::run(a)?,
        BenchKind::Solve(a) => solve::run(a)?,
        BenchKind::Training(a) => training::run(a)?,
        BenchKind::Verify(a) => verify::run(a)?,
        BenchKind::Ui(a) => return Ok(Some(ui::app_args(a))),
    }
    Ok(None)
}

/// The network files in `paths` (directories contribute their `.json` networks).
fn collect_networks(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension().is_some_and(|e| e == "json")
                        && !f.to_string_lossy().ends_with(".meta.json")
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        bail!("no networks found in the given paths");
    }
    Ok(files)
}

/// Median wall time of `repeat` runs of `f`, in seconds.
fn median_time<T>(repeat: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<f64> = (0..repeat.max(1))
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(&mut times).unwrap_or(0.0)
}
