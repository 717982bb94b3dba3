//! `reluscope bench ui`: the time of the app's UI code per frame, per view, headless; run by
//! the app's binary (`reluscope-app --bench-ui`), which holds the UI code.

use clap::Args;
use std::ffi::OsString;

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

/// The app's arguments that run `bench ui` there (a random 5×50 network with every view open
/// in turn); the app checks them.
pub fn app_args(args: &UiBenchArgs) -> Vec<OsString> {
    let mut app: Vec<OsString> = vec![
        "--bench-ui".into(),
        format!("--frames={}", args.frames).into(),
    ];
    if args.json {
        app.push("--json".into());
    }
    if let Some(after) = args.cancel_after {
        app.push(format!("--cancel-after={after}").into());
    }
    app
}
