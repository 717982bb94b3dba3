//! The views shown as tabs in the central panel.
//!
//! Adding a view is adding a file with a type implementing [`View`] and one line in
//! [`all_views`].

mod big_m;
mod chart_plot;
mod compare;
mod network;
mod regions;
mod runs;
mod solve;
mod stability;
mod study;
mod surface;
mod train;

pub use chart_plot::LabelledPositions;
pub use compare::{Comparison, compared_runs_panel};

use super::state::AppState;
use eframe::egui;

/// A tab of the central panel.
pub trait View {
    /// Stable id, persisted as the selected tab.
    fn id(&self) -> &'static str;
    /// Tab title.
    fn title(&self) -> &'static str;
    /// One line explaining what the view shows, displayed at its top.
    fn explanation(&self) -> &'static str;
    /// Draws the view.
    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState);
    /// Whether the view waits for its own worker (the benchmark waits for it to settle).
    fn is_busy(&self) -> bool {
        false
    }
    /// The comparison of ticked runs this view shows above its own figures, if any.
    fn comparison(&self) -> Option<Comparison> {
        None
    }
}

/// Every view, in tab order.
pub fn all_views() -> Vec<Box<dyn View>> {
    vec![
        Box::new(network::NetworkView::default()),
        Box::new(stability::StabilityView),
        Box::new(big_m::BigMView),
        Box::new(surface::SurfaceView::default()),
        Box::new(regions::RegionsView::default()),
        Box::new(solve::SolveView),
        Box::new(runs::RunsView),
        Box::new(study::StudyView),
        Box::new(train::TrainView),
    ]
}

/// Colours shared by the views, so that a state looks the same everywhere.
pub mod palette {
    use eframe::egui::Color32;

    /// Stably active neurons (linear, no binary).
    pub const ACTIVE: Color32 = Color32::from_rgb(80, 175, 95);
    /// Stably inactive neurons (constant 0, no binary).
    pub const INACTIVE: Color32 = Color32::from_rgb(120, 128, 140);
    /// Clipped ReLUs stuck at their cap.
    pub const SATURATED: Color32 = Color32::from_rgb(150, 110, 200);
    /// Unstable neurons (one binary each).
    pub const UNSTABLE: Color32 = Color32::from_rgb(235, 140, 40);
    /// Inputs and linear outputs.
    pub const NEUTRAL: Color32 = Color32::from_rgb(90, 140, 210);
    /// Incumbent (primal bound) lines and the optimum marker.
    pub const INCUMBENT: Color32 = Color32::from_rgb(230, 70, 70);
    /// Best-bound (dual bound) lines.
    pub const BOUND: Color32 = Color32::from_rgb(70, 140, 230);

    /// A distinct colour per series (e.g. per bound method).
    pub fn series(k: usize) -> Color32 {
        const COLOURS: [Color32; 6] = [
            Color32::from_rgb(230, 120, 40),
            Color32::from_rgb(60, 140, 220),
            Color32::from_rgb(90, 180, 90),
            Color32::from_rgb(200, 80, 170),
            Color32::from_rgb(200, 190, 60),
            Color32::from_rgb(120, 120, 220),
        ];
        COLOURS[k % COLOURS.len()]
    }
}

/// The "horizontal: \[xi\] vertical: \[xj\]" pickers of a view showing a 2-D slice of a
/// `dim`-input network through the box centre; `id` keeps the views' combo boxes apart.
pub fn slice_axes_picker(
    ui: &mut egui::Ui,
    id: &str,
    dim: usize,
    x_axis: &mut usize,
    y_axis: &mut usize,
) {
    // Labels are built only while a list is open: wide inputs have hundreds.
    let axis_combo = |ui: &mut egui::Ui, salt: &str, axis: &mut usize, tooltip: &str| {
        egui::ComboBox::from_id_salt(format!("{id}_{salt}"))
            .selected_text(format!("x{axis}"))
            .show_ui(ui, |ui| {
                for k in 0..dim {
                    ui.selectable_value(axis, k, format!("x{k}"));
                }
            })
            .response
            .on_hover_text(tooltip);
    };
    ui.label("horizontal:");
    axis_combo(ui, "x_axis", x_axis, "input on the horizontal axis");
    ui.label("vertical:");
    axis_combo(ui, "y_axis", y_axis, "input on the vertical axis");
    ui.weak("other inputs fixed at the box centre");
}

/// Label of a "hidden layer" axis: the layer number at whole positions from 1 on, nothing
/// between them (bars sit at 1, 2, …; other grid marks would read as fractional layers).
pub fn layer_axis_label(value: f64) -> String {
    if value.fract() == 0.0 && value >= 1.0 {
        format!("{}", value as i64)
    } else {
        String::new()
    }
}

/// A horizontal colour bar of the heat-map scale from `lo` (left) to `hi` (right), labelled
/// at both ends, with what the colour shows.
pub fn colour_bar(ui: &mut egui::Ui, what: &str, lo: f64, hi: f64) {
    ui.horizontal(|ui| {
        ui.label(format!("{what}:"));
        ui.label(reluscope::figures::tick_label(lo));
        let (rect, _) = ui.allocate_exact_size(egui::vec2(160.0, 12.0), egui::Sense::hover());
        let steps = 40;
        for k in 0..steps {
            let t = (k as f32 + 0.5) / steps as f32;
            let x0 = rect.left() + rect.width() * k as f32 / steps as f32;
            let x1 = rect.left() + rect.width() * (k + 1) as f32 / steps as f32;
            ui.painter().rect_filled(
                egui::Rect::from_x_y_ranges(x0..=x1, rect.y_range()),
                0.0,
                crate::gui::surface_data::colormap(t),
            );
        }
        ui.label(reluscope::figures::tick_label(hi));
    })
    .response
    .on_hover_text("the colour scale: dark blue for the smallest value, yellow for the largest");
}

/// A step line through `(t, v)` points: each value holds until the next point (solver
/// snapshots are improvements at instants, not gradual changes).
pub fn step_line(points: impl IntoIterator<Item = (f64, f64)>) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for (t, v) in points {
        if !(t.is_finite() && v.is_finite()) {
            continue;
        }
        if let Some(&[_, last]) = out.last() {
            out.push([t, last]);
        }
        out.push([t, v]);
    }
    out
}

/// Grid marks at every whole layer number in view, so that every layer is labelled however
/// many there are (egui_plot's own spacing skips some).
pub fn layer_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 200.0 {
        return Vec::new();
    }
    let first = lo.ceil().max(1.0) as i64;
    let last = hi.floor() as i64;
    (first..=last)
        .map(|k| egui_plot::GridMark {
            value: k as f64,
            step_size: 1.0,
        })
        .collect()
}

/// Draws a small coloured square followed by a label, with a tooltip (legends).
pub fn legend_entry(ui: &mut egui::Ui, colour: egui::Color32, text: &str, tooltip: &str) {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, colour);
        ui.label(text).on_hover_text(tooltip);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_axes_label_whole_layers_only() {
        assert_eq!(layer_axis_label(1.0), "1");
        assert_eq!(layer_axis_label(3.0), "3");
        assert_eq!(layer_axis_label(0.0), "");
        assert_eq!(layer_axis_label(2.5), "");
    }
}
