//! Big-M growth: the largest and median big-M per hidden layer on a log axis, one pair of
//! lines per bound method computed for the current box, and one per (method, rescaling)
//! computed so far (e.g. `lp` and `lp + balanced`).

use super::{View, layer_axis_label, palette};
use crate::gui::document::displayable;
use crate::gui::state::AppState;
use eframe::egui::{self, Color32};
use egui_plot::{
    Corner, GridInput, GridMark, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot,
    PlotPoints, Points,
};
use reluscope::analysis::LayerStats;
use reluscope::bounds::BoundMethod;
use reluscope::numbers::format_number;
use reluscope::scaling::ScalingMethod;

/// The Big-M growth view (stateless).
pub struct BigMView;

/// `(layer, log10 M)` points of the layers that have unstable neurons.
pub fn log_series(layers: &[LayerStats], pick: fn(&LayerStats) -> Option<f64>) -> Vec<[f64; 2]> {
    layers
        .iter()
        .filter_map(|s| {
            pick(s)
                .filter(|m| m.is_finite() && *m > 0.0)
                .map(|m| [s.index as f64, m.log10()])
        })
        .collect()
}

/// Axis label of a log10 value: `10^k` at integers, `2·10^k` and `5·10^k` in between.
pub fn power_label(v: f64) -> String {
    let k = v.floor();
    let mantissa = 10f64.powf(v - k);
    if (mantissa - 1.0).abs() < 1e-6 {
        format!("10^{}", k as i64)
    } else {
        format!("{}·10^{}", mantissa.round() as i64, k as i64)
    }
}

/// Grid marks at powers of ten, plus 2× and 5× when the range spans few decades.
pub fn decade_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 60.0 {
        return Vec::new();
    }
    let few_decades = hi - lo < 3.0;
    let mut marks = Vec::new();
    let mut k = lo.floor();
    while k <= hi.ceil() {
        marks.push(GridMark {
            value: k,
            step_size: 1.0,
        });
        if few_decades {
            for m in [2f64, 5.0] {
                marks.push(GridMark {
                    value: k + m.log10(),
                    step_size: 0.1,
                });
            }
        }
        k += 1.0;
    }
    // Marks outside the visible range would be labelled outside the plot.
    marks.retain(|m| m.value >= lo && m.value <= hi);
    marks
}

impl View for BigMView {
    fn id(&self) -> &'static str {
        "big_m"
    }

    fn title(&self) -> &'static str {
        "Big-M growth"
    }

    fn explanation(&self) -> &'static str {
        "Largest and median big-M = max(−L, U) over the unstable neurons of each layer, on a log \
         axis: interval bounds grow with depth, tighter methods keep M small; a rescaling \
         (e.g. lp + balanced) changes M without changing the function."
    }

    fn comparison(&self) -> Option<super::Comparison> {
        Some(super::Comparison::BigM)
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        let rows = series_rows(state);
        if rows.is_empty() {
            ui.label("The bounds are being computed…");
            return;
        }
        ui.label(
            "Solid: max big-M; dashed: median. Select other bound methods or rescalings on the \
             left to add their lines.",
        )
        .on_hover_text(
            "A neuron with bounds L < 0 < U needs y ≤ a − L(1 − z) and y ≤ U z; the larger \
             M, the weaker the LP relaxation and the more branch-and-bound nodes. Rescaled \
             series (method + scaling) show M of the rescaled network the MILP is built from.",
        );
        let plot_height =
            (ui.available_height() - 40.0 - 20.0 * (rows.len() as f32 + 2.0)).clamp(160.0, 520.0);
        let hidden = state.doc.network.hidden_layers().len() as f64;
        let series: Vec<_> = rows
            .iter()
            .map(|row| {
                (
                    row.label.clone(),
                    row.colour,
                    row.marker,
                    log_series(&row.layers, |s| s.max_big_m),
                    log_series(&row.layers, |s| s.median_big_m),
                )
            })
            .collect();
        Plot::new("big_m_plot")
            .height(plot_height)
            .legend(Legend::default().position(Corner::LeftTop))
            .allow_scroll(false)
            .include_x(0.8)
            .include_x(hidden + 0.2)
            .x_axis_label("hidden layer")
            .y_axis_label("big-M (log scale)")
            .y_grid_spacer(decade_marks)
            .y_axis_formatter(|mark, _| power_label(mark.value))
            .x_axis_formatter(|mark, _| layer_axis_label(mark.value))
            .label_formatter(|hover| {
                Some(match hover {
                    HoverPosition::NearDataPoint {
                        plot_name,
                        position,
                        ..
                    } => format!(
                        "{plot_name}\nlayer {:.0}: M = {}",
                        position.x,
                        format_number(10f64.powf(position.y))
                    ),
                    HoverPosition::Elsewhere { position } => {
                        format!("M = {}", format_number(10f64.powf(position.y)))
                    }
                })
            })
            .show(ui, |plot| {
                for (label, colour, marker, max, median) in series {
                    let max_name = format!("{label} max");
                    let median_name = format!("{label} median");
                    plot.points(
                        Points::new(max_name.clone(), PlotPoints::from(max.clone()))
                            .color(colour)
                            .shape(marker)
                            .radius(3.5),
                    );
                    plot.line(
                        Line::new(max_name, PlotPoints::from(max))
                            .color(colour)
                            .width(2.0),
                    );
                    plot.line(
                        Line::new(median_name, PlotPoints::from(median))
                            .color(colour)
                            .width(1.5)
                            .style(LineStyle::dashed_loose()),
                    );
                }
            });
        ui.add_space(4.0);
        egui::Grid::new("big_m_table").striped(true).show(ui, |ui| {
            ui.strong("method")
                .on_hover_text("how the bounds were computed");
            for k in 1..=hidden as usize {
                ui.strong(format!("layer {k}"))
                    .on_hover_text("max / median big-M over the unstable neurons of the layer");
            }
            ui.end_row();
            for row in &rows {
                ui.label(&row.label).on_hover_text(&row.tooltip);
                for s in &row.layers {
                    let text = match (s.max_big_m, s.median_big_m) {
                        (Some(max), Some(median)) => {
                            format!("{} / {}", format_number(max), format_number(median))
                        }
                        _ => "– (all stable)".to_string(),
                    };
                    ui.label(text);
                }
                ui.end_row();
            }
        });
    }
}

/// One series of the plot and row of the table.
struct SeriesRow {
    /// `lp` or `lp + balanced`.
    label: String,
    /// What the row is.
    tooltip: String,
    colour: Color32,
    marker: MarkerShape,
    /// Hidden layers.
    layers: Vec<LayerStats>,
}

/// Every analysis of the current box, unscaled first, then every rescaling computed so far.
fn series_rows(state: &AppState) -> Vec<SeriesRow> {
    // Colour by the method's place in the list, so a method keeps its colour; a rescaling
    // keeps the method's hue, lighter, with its own marker.
    let colour_of = |method: BoundMethod| {
        palette::series(
            BoundMethod::ALL
                .iter()
                .position(|m| *m == method)
                .unwrap_or(0),
        )
    };
    let mut rows: Vec<SeriesRow> = state
        .doc
        .analyses()
        .map(|a| SeriesRow {
            label: a.method().key().to_string(),
            tooltip: a.method().label().to_string(),
            colour: colour_of(a.method()),
            marker: MarkerShape::Circle,
            layers: a.hidden_stats(),
        })
        .collect();
    rows.extend(state.doc.scaled_analyses().map(|s| SeriesRow {
        label: s.label(),
        tooltip: displayable(&format!(
            "{}, then rescaled: {}",
            s.method.label(),
            s.scaling.label()
        )),
        colour: colour_of(s.method).lerp_to_gamma(Color32::WHITE, 0.35),
        marker: match s.scaling {
            ScalingMethod::Unit => MarkerShape::Square,
            _ => MarkerShape::Diamond,
        },
        layers: s.hidden_stats(),
    }));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_ten_read_as_such() {
        assert_eq!(power_label(3.0), "10^3");
        assert_eq!(power_label(-2.0), "10^-2");
        assert_eq!(power_label(2f64.log10()), "2·10^0");
        assert_eq!(power_label(1.0 + 5f64.log10()), "5·10^1");
    }
}
