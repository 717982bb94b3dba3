//! `reluscope bench ui`: the time of the app's UI code per frame, per view, headless.

use crate::cli::print_json;
use anyhow::Result;
use clap::Args;
use reluscope::bounds::BoundMethod;
use std::time::Duration;

/// Arguments of `bench ui`.
#[derive(Debug, Args)]
pub struct UiBenchArgs {
    /// Frames measured per view.
    #[arg(long, default_value_t = 60)]
    frames: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Also measure how long Cancel takes to stop a MILP solve (peaks_25x5 with interval
    /// bounds at node 0, and peaks_25x5 with LP bounds), pressing it after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    cancel_after: Option<f64>,
}

/// Runs `bench ui` on a random 5×50 network with every view open in turn.
pub fn run(args: &UiBenchArgs) -> Result<()> {
    let times = crate::gui::frame_time_benchmark(args.frames);
    let mut cancels = Vec::new();
    if let Some(after) = args.cancel_after {
        if !(after.is_finite() && after >= 0.0) {
            anyhow::bail!("--cancel-after must be a number of seconds ≥ 0, found {after}");
        }
        for method in [BoundMethod::Interval, BoundMethod::LpObbt] {
            cancels.push(
                crate::gui::cancel_latency("peaks_25x5", method, Duration::from_secs_f64(after))
                    .map_err(anyhow::Error::msg)?,
            );
        }
    }
    if args.json {
        return print_json(&serde_json::json!({ "frames": times, "cancel": cancels }));
    }
    out!("{times}");
    outln!(
        "worst median {:.2} ms per frame (target < 8 ms)",
        times.worst_median_ms()
    );
    for c in &cancels {
        outln!(
            "Cancel on {} ({}) after {:.1} s: stopped in {:.3} s ({}; target < 1 s)",
            c.network,
            c.setup,
            c.after_s,
            c.latency_s,
            c.status
        );
    }
    Ok(())
}
