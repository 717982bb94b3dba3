//! The desktop app (the full app is being written; this window shows the network name).

use std::path::PathBuf;

/// Opens the window.
pub fn run(network: Option<PathBuf>) -> eframe::Result<()> {
    let title = network
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "reluscope".into());
    eframe::run_native(
        "reluscope",
        eframe::NativeOptions::default(),
        Box::new(move |_cc| Ok(Box::new(App { title }))),
    )
}

struct App {
    title: String,
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, _frame: &mut eframe::Frame) {
        ui.label(&self.title);
    }
}
