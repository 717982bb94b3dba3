//! Frame-time benchmark of the app's UI code, headless (a bare `egui::Context`, no window).

use super::app::ReluscopeApp;
use super::document::NetworkSource;
use super::settings::Settings;
use super::train_task::TrainForm;
use eframe::egui;
use reluscope::bounds::BoundMethod;
use reluscope::network::{Activation, Network};
use reluscope::numbers::median;
use serde::Serialize;
use std::fmt;
use std::time::{Duration, Instant};

/// Window size the benchmark lays out for, in points.
const SCREEN: [f32; 2] = [1360.0, 860.0];
/// How long to wait for workers (the sampled surface, the solve) before measuring.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Frame times of one view.
#[derive(Debug, Clone, Serialize)]
pub struct ViewFrameTimes {
    /// View id.
    pub view: String,
    /// Frames measured.
    pub frames: usize,
    /// Median time of the UI code (layout and painting commands), in ms.
    pub median_ms: f64,
    /// Slowest frame of the UI code, in ms.
    pub max_ms: f64,
    /// Median time to tessellate the frame's shapes into triangles, in ms.
    pub tessellate_median_ms: f64,
    /// Vertices of the last frame (how much was drawn).
    pub vertices: usize,
}

/// Frame times per view.
#[derive(Debug, Clone, Serialize)]
pub struct FrameTimes {
    /// The network the app showed, e.g. `2-50-50-50-50-50-1`.
    pub architecture: String,
    /// Runs overlaid (ticked in Runs) while measuring.
    pub runs_compared: usize,
    /// One entry per view.
    pub views: Vec<ViewFrameTimes>,
}

impl FrameTimes {
    /// The largest median over the views (compare with the 8 ms target).
    pub fn worst_median_ms(&self) -> f64 {
        self.views.iter().map(|v| v.median_ms).fold(0.0, f64::max)
    }
}

impl fmt::Display for FrameTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "GUI frame times, network {}, {} runs compared",
            self.architecture, self.runs_compared
        )?;
        writeln!(
            f,
            "{:<12} {:>7} {:>10} {:>10} {:>14} {:>9}",
            "view", "frames", "median ms", "max ms", "tessellate ms", "vertices"
        )?;
        for v in &self.views {
            writeln!(
                f,
                "{:<12} {:>7} {:>10.3} {:>10.3} {:>14.3} {:>9}",
                v.view, v.frames, v.median_ms, v.max_ms, v.tessellate_median_ms, v.vertices
            )?;
        }
        Ok(())
    }
}

/// A random dense ReLU network with the given widths (input first), inputs in `[-1, 1]`.
pub fn random_network(widths: &[usize], seed: u64) -> Network {
    // The benchmark and the tests pass literal, valid widths.
    reluscope::network::random_network(widths, seed, Activation::Relu)
        .expect("a well-formed random network")
}

fn frame_input(pointer: egui::Pos2) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(SCREEN[0], SCREEN[1]),
        )),
        events: vec![egui::Event::PointerMoved(pointer)],
        ..Default::default()
    }
}

/// Builds the app headless with a random 5×50 network (2 inputs), selects balanced rescaling,
/// solves it three times with the MILP (interval, symbolic and LP bounds, 1 s time limit each,
/// so that the Solve and Runs views have content) and ticks the three runs for comparison
/// (their overlays drawn in Solve, Big-M growth and Stability), trains a
/// small network (150 epochs, so that the Training view has a loss curve), then shows every
/// view in turn and measures `frames` frames of each: the UI code's time and the
/// tessellation time.
pub fn frame_time_benchmark(frames: usize) -> FrameTimes {
    let network = random_network(&[2, 50, 50, 50, 50, 50, 1], 7).named("random_5x50");
    frame_time_benchmark_with(network, frames)
}

/// [`frame_time_benchmark`] with any network.
pub fn frame_time_benchmark_with(network: Network, frames: usize) -> FrameTimes {
    let architecture = network.architecture();
    let mut settings = Settings::default();
    settings.solve.time_limit_on = true;
    settings.solve.time_limit_s = 1.0;
    settings.set_scaling_method(reluscope::scaling::ScalingMethod::Balanced);
    settings.train = TrainForm {
        hidden: "25,25".into(),
        samples: 1_000,
        epochs: 150,
        patience: 0,
        ..TrainForm::default()
    };
    let mut app = ReluscopeApp::new(settings, None);
    app.state
        .replace_network(network, NetworkSource::Sample("random_5x50"));
    let ctx = egui::Context::default();
    // Hover over the drawing area so that tooltips are part of the measured work.
    let pointer = egui::pos2(SCREEN[0] * 0.6, SCREEN[1] * 0.5);
    let mut frame = |app: &mut ReluscopeApp| {
        let start = Instant::now();
        let mut output = ctx.run_ui(frame_input(pointer), |ui| app.show(ui));
        // No renderer here: drop the texture uploads (the heat map) deliberately.
        output.textures_delta.clear();
        let ui_time = start.elapsed();
        let start = Instant::now();
        let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
        let tessellate_time = start.elapsed();
        let vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        (ui_time, tessellate_time, vertices)
    };
    let settle =
        |app: &mut ReluscopeApp,
         frame: &mut dyn FnMut(&mut ReluscopeApp) -> (Duration, Duration, usize)| {
            let deadline = Instant::now() + SETTLE_TIMEOUT;
            frame(app);
            while app.is_busy() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
                frame(app);
            }
            // A few more frames so that layouts (grids, plots) settle.
            for _ in 0..3 {
                frame(app);
            }
        };
    settle(&mut app, &mut frame);
    app.state.settings.solve.solver = super::settings::SolverSetting::Milp;
    for method in [
        reluscope::bounds::BoundMethod::Interval,
        reluscope::bounds::BoundMethod::Symbolic,
        reluscope::bounds::BoundMethod::LpObbt,
    ] {
        app.state.set_bound_method(method);
        settle(&mut app, &mut frame);
        app.state.start_solve(&ctx);
        settle(&mut app, &mut frame);
    }
    app.state.runs_compared = (0..app.state.runs.len()).collect();
    app.state.start_training(&ctx);
    settle(&mut app, &mut frame);
    let mut views = Vec::new();
    for id in app.view_ids() {
        app.select_view(id);
        settle(&mut app, &mut frame);
        let mut ui_ms = Vec::with_capacity(frames);
        let mut tess_ms = Vec::with_capacity(frames);
        let mut vertices = 0;
        for _ in 0..frames.max(1) {
            let (ui, tess, v) = frame(&mut app);
            ui_ms.push(ui.as_secs_f64() * 1e3);
            tess_ms.push(tess.as_secs_f64() * 1e3);
            vertices = v;
        }
        let max_ms = ui_ms.iter().copied().fold(0.0, f64::max);
        views.push(ViewFrameTimes {
            view: id.to_string(),
            frames: ui_ms.len(),
            median_ms: median(&mut ui_ms).unwrap_or(0.0),
            max_ms,
            tessellate_median_ms: median(&mut tess_ms).unwrap_or(0.0),
            vertices,
        });
    }
    FrameTimes {
        architecture,
        runs_compared: app.state.compared_runs().len(),
        views,
    }
}

/// How long Cancel took to stop a solve.
#[derive(Debug, Clone, Serialize)]
pub struct CancelLatency {
    /// The network.
    pub network: String,
    /// Bound method and solve path.
    pub setup: String,
    /// Seconds the solve ran before Cancel.
    pub after_s: f64,
    /// Seconds from Cancel until the app had the (cancelled) result, frames running.
    pub latency_s: f64,
    /// The status the solve ended with.
    pub status: String,
}

/// Starts a MILP solve of `sample` with `method` bounds in the headless app, presses Cancel
/// after `after` and measures until the app holds the result (as the window would, frame by
/// frame).
pub fn cancel_latency(
    sample: &str,
    method: BoundMethod,
    after: Duration,
) -> Result<CancelLatency, String> {
    let mut app = ReluscopeApp::new(Settings::default(), None);
    app.state.open_sample(sample);
    app.state.settings.solve.solver = super::settings::SolverSetting::Milp;
    app.state.settings.solve.time_limit_on = false;
    app.state.set_bound_method(method);
    let ctx = egui::Context::default();
    let pointer = egui::pos2(SCREEN[0] * 0.6, SCREEN[1] * 0.5);
    let frame = |app: &mut ReluscopeApp| {
        let mut output = ctx.run_ui(frame_input(pointer), |ui| app.show(ui));
        output.textures_delta.clear();
    };
    frame(&mut app);
    app.state.start_solve(&ctx);
    let started = Instant::now();
    while started.elapsed() < after {
        frame(&mut app);
        if app.state.solve.is_none() {
            return Err(format!("{sample} finished before Cancel; cancel sooner"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    app.state.cancel_solve();
    let pressed = Instant::now();
    while app.state.solve.is_some() && pressed.elapsed() < Duration::from_secs(60) {
        frame(&mut app);
        std::thread::sleep(Duration::from_millis(2));
    }
    let latency_s = pressed.elapsed().as_secs_f64();
    let status = app
        .state
        .last_solve
        .as_ref()
        .map_or("still running".to_string(), |s| s.status());
    Ok(CancelLatency {
        network: sample.to_string(),
        setup: format!("{} bounds, milp", method.key()),
        after_s: after.as_secs_f64(),
        latency_s,
        status,
    })
}

/// `reluscope bench ui`: frame times of every view (`frames` per view) and, if `cancel_after`
/// is given, Cancel's latency on peaks_25x5 with interval and LP bounds after that many
/// seconds; as text or one JSON object.
pub fn ui_bench_report(
    frames: usize,
    cancel_after: Option<f64>,
    json: bool,
) -> Result<String, String> {
    if let Some(after) = cancel_after
        && !(after.is_finite() && after >= 0.0)
    {
        return Err(format!(
            "--cancel-after must be a number of seconds ≥ 0, found {after}"
        ));
    }
    let times = frame_time_benchmark(frames);
    let mut cancels = Vec::new();
    if let Some(after) = cancel_after {
        for method in [BoundMethod::Interval, BoundMethod::LpObbt] {
            cancels.push(cancel_latency(
                "peaks_25x5",
                method,
                Duration::from_secs_f64(after),
            )?);
        }
    }
    if json {
        return Ok(serde_json::json!({ "frames": times, "cancel": cancels }).to_string() + "\n");
    }
    let mut text = format!(
        "{times}worst median {:.2} ms per frame (target < 8 ms)\n",
        times.worst_median_ms()
    );
    for c in &cancels {
        text += &format!(
            "Cancel on {} ({}) after {:.1} s: stopped in {:.3} s ({}; target < 1 s)\n",
            c.network, c.setup, c.after_s, c.latency_s, c.status
        );
    }
    Ok(text)
}
