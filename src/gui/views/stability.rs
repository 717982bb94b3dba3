//! Stability: per hidden layer, stably active / stably inactive / unstable neurons as stacked
//! bars, with the previous configuration drawn as outlines.

use super::{View, layer_axis_label, legend_entry, palette};
use crate::gui::state::AppState;
use eframe::egui::{self, Color32, Stroke};
use egui_plot::{Bar, BarChart, Plot};
use reluscope::analysis::LayerStats;
use reluscope::numbers::format_number;
use reluscope::scaling::ScalingMethod;

/// The Stability view (stateless: everything comes from the document).
pub struct StabilityView;

/// One stacked category: name, colour, count, tooltip.
struct Category {
    name: &'static str,
    colour: Color32,
    count: fn(&LayerStats) -> usize,
    tooltip: &'static str,
}

const CATEGORIES: [Category; 4] = [
    Category {
        name: "stably active",
        colour: palette::ACTIVE,
        count: |s| s.stably_active,
        tooltip: "L ≥ 0: the ReLU is the identity on the whole box; no binary needed",
    },
    Category {
        name: "saturated",
        colour: palette::SATURATED,
        count: |s| s.stably_saturated,
        tooltip: "clipped ReLU with L ≥ cap: constant output; no binary needed",
    },
    Category {
        name: "stably inactive",
        colour: palette::INACTIVE,
        count: |s| s.stably_inactive,
        tooltip: "U ≤ 0: the ReLU outputs 0 on the whole box; no binary needed",
    },
    Category {
        name: "unstable",
        colour: palette::UNSTABLE,
        count: |s| s.unstable,
        tooltip: "L < 0 < U: the MILP needs a binary and big-M constraints for this ReLU",
    },
];

/// The one-line summary of a layer (also what the tests read).
pub fn layer_summary(s: &LayerStats) -> String {
    let mut text = format!(
        "Layer {}: {} active, {} inactive, {} unstable",
        s.index, s.stably_active, s.stably_inactive, s.unstable
    );
    if s.stably_saturated > 0 || s.activation == "clipped_relu" {
        text.push_str(&format!(", {} saturated", s.stably_saturated));
    }
    text
}

fn stacked_charts(layers: &[LayerStats], ghost: bool) -> Vec<BarChart> {
    let mut charts: Vec<BarChart> = Vec::new();
    for category in &CATEGORIES {
        if category.name == "saturated" && layers.iter().all(|s| s.stably_saturated == 0) {
            continue;
        }
        let bars = layers
            .iter()
            .map(|s| {
                let bar = Bar::new(s.index as f64, (category.count)(s) as f64)
                    .name(format!("layer {}", s.index));
                if ghost {
                    bar.fill(Color32::TRANSPARENT)
                        .stroke(Stroke::new(1.5, category.colour.gamma_multiply(0.9)))
                } else {
                    // Opaque, so that the ghost outlines stand out against them.
                    bar.fill(category.colour.gamma_multiply(0.85))
                        .stroke(Stroke::new(1.0, category.colour))
                }
            })
            .collect();
        let name = if ghost {
            "previous configuration".to_string()
        } else {
            category.name.to_string()
        };
        let mut chart = BarChart::new(name, bars)
            .color(category.colour)
            .width(if ghost { 0.8 } else { 0.6 })
            .allow_hover(!ghost);
        if !ghost {
            let label = category.name;
            chart = chart.element_formatter(Box::new(move |bar: &Bar, _| {
                format!("{}: {} {label}", bar.name, bar.value)
            }));
        }
        let chart = {
            let below: Vec<&BarChart> = charts.iter().collect();
            chart.stack_on(&below)
        };
        charts.push(chart);
    }
    charts
}

impl View for StabilityView {
    fn id(&self) -> &'static str {
        "stability"
    }

    fn title(&self) -> &'static str {
        "Stability"
    }

    fn explanation(&self) -> &'static str {
        "Per hidden layer: neurons the bounds prove stable (no binary needed) and unstable ones \
         (one binary each). Outlines show the previous configuration. Rescaling does not change \
         these counts."
    }

    fn comparison(&self) -> Option<super::Comparison> {
        Some(super::Comparison::Stability)
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        let method = state.settings.bound_method();
        let Some(analysis) = state.doc.shown_analysis(method) else {
            ui.label("The bounds are being computed…");
            return;
        };
        let layers = analysis.hidden_stats();
        let ghost = state.doc.ghost.as_ref();
        ui.horizontal_wrapped(|ui| {
            for c in &CATEGORIES {
                if c.name != "saturated" || layers.iter().any(|s| s.stably_saturated > 0) {
                    legend_entry(ui, c.colour, c.name, c.tooltip);
                }
            }
            if let Some(g) = ghost {
                ui.label("outlines: previous configuration")
                    .on_hover_text(format!("previous: {}", g.label));
            }
        });
        let plot_height =
            (ui.available_height() - 30.0 - 20.0 * (layers.len() as f32 + 2.0)).clamp(160.0, 520.0);
        let n = layers.len() as f64;
        let current = stacked_charts(&layers, false);
        let ghost_charts = ghost.map(|g| stacked_charts(&g.layers, true));
        // The legend is the row above the plot (one entry per state), not egui_plot's, which
        // would list every layer's bars again.
        Plot::new("stability_plot")
            .height(plot_height)
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .include_y(0.0)
            .include_y(1.05 * layers.iter().map(|s| s.neurons).max().unwrap_or(1) as f64)
            .include_x(0.4)
            .include_x(n + 0.6)
            .x_axis_label("hidden layer")
            .y_axis_label("neurons")
            .x_grid_spacer(super::layer_marks)
            .x_axis_formatter(|mark, _| layer_axis_label(mark.value))
            .show(ui, |plot| {
                for chart in current {
                    plot.bar_chart(chart);
                }
                for chart in ghost_charts.into_iter().flatten() {
                    plot.bar_chart(chart);
                }
            });
        ui.add_space(4.0);
        for s in &layers {
            let mut text = layer_summary(s);
            if let Some(m) = s.max_big_m {
                // Big-M changes with the bound method even when the counts do not.
                text.push_str(&format!(", max big-M {}", format_number(m)));
            }
            if let Some(p) = s.stable_percent {
                text.push_str(&format!(" ({p:.1}% stable)"));
            }
            let response = ui.label(text);
            if let Some(previous) = ghost.and_then(|g| g.layers.iter().find(|p| p.index == s.index))
            {
                response.on_hover_text(format!("before: {}", layer_summary(previous)));
            }
        }
        let scaling = state.settings.scaling_method();
        if scaling != ScalingMethod::None {
            ui.weak(format!(
                "Rescaling ({}) multiplies each neuron's bounds by a positive factor: the same \
                 neurons are stable and the MILP has the same binaries. See Big-M growth for \
                 what it changes.",
                scaling.key()
            ))
            .on_hover_text(crate::gui::document::displayable(scaling.description()));
        }
        let r = &analysis.report;
        ui.label(format!(
            "All hidden layers: {} of {} neurons unstable ({:.1}% stable), {} binaries, \
             bounds by {} in {}",
            r.unstable,
            r.hidden_neurons,
            r.stable_percent,
            r.binaries,
            analysis.method().key(),
            crate::gui::worker::format_seconds(r.time_s),
        ));
    }
}
