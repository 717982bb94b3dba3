//! `reluscope bench ui`: the time of the app's UI code per frame, per view, headless.

use crate::cli::print_json;
use anyhow::Result;
use clap::Args;

/// Arguments of `bench ui`.
#[derive(Debug, Args)]
pub struct UiBenchArgs {
    /// Frames measured per view.
    #[arg(long, default_value_t = 60)]
    frames: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `bench ui` on a random 5×50 network with every view open in turn.
pub fn run(args: &UiBenchArgs) -> Result<()> {
    let times = crate::gui::frame_time_benchmark(args.frames);
    if args.json {
        return print_json(&times);
    }
    out!("{times}");
    outln!(
        "worst median {:.2} ms per frame (target < 8 ms)",
        times.worst_median_ms()
    );
    Ok(())
}
