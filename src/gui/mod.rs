//! The desktop app: load a network, inspect its bounds layer by layer, change the box, the
//! bound method or the rescaling, solve the MILP and compare runs; train new networks.
//!
//! Structure: [`app::ReluscopeApp`] lays out the window and owns the views; [`state::AppState`]
//! holds everything else and the methods that change it; workers (bounds, rescaling, solves,
//! training, file I/O, dialogs) report over channels polled once per frame, so the UI thread never waits. Each
//! view lives in its own file under `views/`.

mod app;
mod bench;
mod contour;
mod controls;
mod document;
mod export;
mod region_map;
mod runs;
mod samples;
mod settings;
mod solve_task;
mod state;
mod surface_data;
mod tasks;
mod tour;
mod train_task;
mod views;
mod worker;

#[cfg(test)]
mod problem_tests;
#[cfg(test)]
mod state_tests;
#[cfg(test)]
mod study_tests;
#[cfg(test)]
mod tests;

pub use bench::ui_bench_report;

use std::path::PathBuf;

/// Opens the window with `network` (or the last network, or the default sample) and runs
/// until it is closed.
pub fn run(network: Option<PathBuf>, tour: bool) -> eframe::Result<()> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("reluscope")
            .with_app_id("reluscope")
            .with_inner_size([1360.0, 860.0])
            .with_min_inner_size([820.0, 520.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "reluscope",
        options,
        Box::new(move |cc| {
            let mut app = app::ReluscopeApp::from_creation_context(cc, network);
            if tour {
                app.state.tour_step(&cc.egui_ctx, 0);
            }
            Ok(Box::new(app))
        }),
    )
}
