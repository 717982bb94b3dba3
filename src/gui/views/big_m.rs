//! Big-M growth: the largest and median big-M per hidden layer on a log axis, one pair of
//! lines per bound method computed for the current box, and one per (method, rescaling)
//! computed so far (e.g. `lp` and `lp + balanced`).

use super::{View, layer_axis_label};
use crate::gui::document::displayable;
use crate::gui::state::AppState;
use eframe::egui::{self, Color32};
use egui_plot::{
    Corner, GridInput, GridMark, HoverPosition, Legend, Line, LineStyle, MarkerShape, Plot,
    PlotPoints, Points,
};
use reluscope::analysis::LayerStats;
use reluscope::bounds::BoundMethod;
use reluscope::figures::palette::rescaled_dashed;
use reluscope::figures::tick_label;
use reluscope::numbers::format_number;

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

/// Axis label of a log10 value in plain numbers: `1`, `10`, `100`, `1k`, `2`, `0.5`.
pub fn power_label(v: f64) -> String {
    // Marks sit at log10 of whole mantissas: round away the float noise of 10^v.
    let value = 10f64.powf(v);
    let magnitude = 10f64.powf(v.floor());
    tick_label((value / magnitude * 1000.0).round() / 1000.0 * magnitude)
}

/// Grid marks at powers of ten, with 2× and 5× when the range spans few decades and every
/// whole mantissa within one decade, so that a narrow range still reads.
pub fn decade_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 60.0 {
        return Vec::new();
    }
    let mantissas: &[f64] = if hi - lo < 1.2 {
        &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else if hi - lo < 3.0 {
        &[2.0, 5.0]
    } else {
        &[]
    };
    let mut marks = Vec::new();
    let mut k = lo.floor();
    while k <= hi.ceil() {
        marks.push(GridMark {
            value: k,
            step_size: 1.0,
        });
        // egui_plot labels a mark when its step is wide enough on screen: 2 and 5 sit about
        // a third of a decade apart, the full set a tenth.
        let step_size = if mantissas.len() > 2 { 0.12 } else { 0.3 };
        for m in mantissas {
            marks.push(GridMark {
                value: k + m.log10(),
                step_size,
            });
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
            "Line with dots: largest big-M of the layer; crosses: median. One colour per bound \
             method (ia red, symbolic orange, lp blue, milp green); a rescaled series is dashed. \
             Select other bound methods or rescalings on the left to add their lines.",
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
                    row.dashed,
                    log_series(&row.layers, |s| s.max_big_m),
                    log_series(&row.layers, |s| s.median_big_m),
                )
            })
            .collect();
        // One plot id per network: series hidden by a legend click come back on the next one.
        Plot::new(("big_m_plot", state.doc.id))
            .height(plot_height)
            .legend(Legend::default().position(Corner::LeftTop))
            .allow_scroll(false)
            .include_x(0.8)
            .include_x(hidden + 0.2)
            .x_axis_label("hidden layer")
            .y_axis_label("big-M (log scale)")
            .y_grid_spacer(decade_marks)
            .y_axis_formatter(|mark, _| power_label(mark.value))
            .x_grid_spacer(super::layer_marks)
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
                for (label, colour, dashed, max, median) in series {
                    let max_name = format!("{label} max");
                    let median_name = format!("{label} median");
                    // Max: a line with dots; median: crosses alone; a rescaled series dashed.
                    plot.points(
                        Points::new(max_name.clone(), PlotPoints::from(max.clone()))
                            .color(colour)
                            .shape(MarkerShape::Circle)
                            .radius(3.5),
                    );
                    plot.line(
                        Line::new(max_name, PlotPoints::from(max))
                            .color(colour)
                            .width(2.0)
                            .style(if dashed {
                                LineStyle::dashed_loose()
                            } else {
                                LineStyle::Solid
                            }),
                    );
                    plot.points(
                        Points::new(median_name, PlotPoints::from(median))
                            .color(colour)
                            .shape(MarkerShape::Cross)
                            .radius(5.0),
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
    /// A rescaled series (drawn dashed).
    dashed: bool,
    /// Hidden layers.
    layers: Vec<LayerStats>,
}

/// The colour of a bound method, shared with the figures the library draws.
pub fn method_colour(method: BoundMethod) -> Color32 {
    let (r, g, b) = reluscope::figures::palette::method_colour(method.key());
    Color32::from_rgb(r, g, b)
}

/// Every analysis of the current box, unscaled first, then every rescaling computed so far.
fn series_rows(state: &AppState) -> Vec<SeriesRow> {
    let mut rows: Vec<SeriesRow> = state
        .doc
        .analyses()
        .map(|a| SeriesRow {
            label: a.method().key().to_string(),
            tooltip: a.method().label().to_string(),
            colour: method_colour(a.method()),
            dashed: false,
            layers: a.hidden_stats(),
        })
        .collect();
    // Fixed order ia → symbolic → lp → milp, whatever order they were computed in.
    let order = |label: &str| {
        BoundMethod::ALL
            .iter()
            .position(|m| label.starts_with(m.key()))
            .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(|r| order(&r.label));
    let mut scaled: Vec<SeriesRow> = state
        .doc
        .scaled_analyses()
        .map(|s| SeriesRow {
            label: s.label(),
            tooltip: displayable(&format!(
                "{}, then rescaled: {}",
                s.method.label(),
                s.scaling.label()
            )),
            colour: method_colour(s.method),
            dashed: rescaled_dashed(s.scaling.key()),
            layers: s.hidden_stats(),
        })
        .collect();
    scaled.sort_by_key(|r| order(&r.label));
    rows.extend(scaled);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_labels_read_as_plain_numbers() {
        assert_eq!(power_label(3.0), "1k");
        assert_eq!(power_label(-2.0), "0.01");
        assert_eq!(power_label(0.0), "1");
        assert_eq!(power_label(2f64.log10()), "2");
        assert_eq!(power_label(1.0 + 5f64.log10()), "50");
        assert_eq!(power_label(5.0 + 2.5f64.log10()), "250k");
    }
}
