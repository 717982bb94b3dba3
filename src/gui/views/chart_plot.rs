//! A library [`Chart`] (the data of a report figure) drawn interactively with egui_plot: log
//! axes as powers of ten, categorical axes by name, and the labels of the points under the
//! pointer, so that a view can open what a point stands for.

use super::big_m::{decade_marks, power_label};
use eframe::egui::{self, Color32};
use egui_plot::{Corner, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points};
use reluscope::figures::{Chart, Mark, Scale, tick_label};

/// The point under the pointer (within a few pixels) and whether it was clicked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PointerOnPoint {
    /// The label of the nearest labelled point, if the pointer is close to one.
    pub label: Option<String>,
    /// Whether that point was clicked this frame.
    pub clicked: bool,
}

/// Screen positions of the labelled points drawn last frame (tests click on them).
pub type LabelledPositions = Vec<(egui::Pos2, String)>;

fn axis_value(v: f64, scale: Scale) -> Option<f64> {
    match scale {
        Scale::Linear => v.is_finite().then_some(v),
        Scale::Log => (v.is_finite() && v > 0.0).then(|| v.log10()),
    }
}

fn colour(rgb: (u8, u8, u8)) -> Color32 {
    Color32::from_rgb(rgb.0, rgb.1, rgb.2)
}

/// Draws `chart` (its series and diagonal; cells are not drawn) `height` points tall; returns
/// what the pointer is on and fills `positions` with the labelled points' screen positions.
pub fn chart_plot(
    ui: &mut egui::Ui,
    id: &str,
    chart: &Chart,
    height: f32,
    positions: &mut LabelledPositions,
) -> PointerOnPoint {
    let (xs, ys) = (chart.x.scale, chart.y.scale);
    let categories = chart.x.categories.clone();
    let mut plot = Plot::new(id.to_string())
        .height(height)
        .legend(Legend::default().position(Corner::LeftTop))
        .allow_scroll(false)
        .x_axis_label(chart.x.label.clone())
        .y_axis_label(chart.y.label.clone())
        .x_axis_formatter(move |mark, _| {
            if !categories.is_empty() {
                let i = mark.value.round();
                return if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                    categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                };
            }
            match xs {
                Scale::Linear => tick_label(mark.value),
                Scale::Log => power_label(mark.value),
            }
        })
        .y_axis_formatter(move |mark, _| match ys {
            Scale::Linear => tick_label(mark.value),
            Scale::Log => power_label(mark.value),
        });
    if xs == Scale::Log {
        plot = plot.x_grid_spacer(decade_marks);
    }
    if ys == Scale::Log {
        plot = plot.y_grid_spacer(decade_marks);
    }
    if let Some((lo, hi)) = chart.y.fixed {
        plot = plot.include_y(lo).include_y(hi);
    }
    if !chart.x.categories.is_empty() {
        plot = plot
            .include_x(-0.5)
            .include_x(chart.x.categories.len() as f64 - 0.5);
    }
    let mut labelled: Vec<(PlotPoint, String)> = Vec::new();
    let response = plot.show(ui, |plot_ui| {
        if chart.diagonal
            && let Some((lo, hi, _, _)) = chart.ranges()
            && let (Some(a), Some(b)) = (axis_value(lo, xs), axis_value(hi, xs))
        {
            plot_ui.line(
                Line::new("y = x", PlotPoints::from(vec![[a, a], [b, b]]))
                    .color(Color32::GRAY)
                    .style(LineStyle::dashed_loose()),
            );
        }
        for series in &chart.series {
            let mut points = Vec::new();
            for (k, &(x, y)) in series.points.iter().enumerate() {
                let (Some(px), Some(py)) = (axis_value(x, xs), axis_value(y, ys)) else {
                    continue;
                };
                points.push([px, py]);
                if let Some(label) = series.labels.get(k) {
                    labelled.push((PlotPoint::new(px, py), label.clone()));
                }
            }
            let c = colour(series.colour);
            if series.mark != Mark::Points {
                let style = if series.dashed {
                    LineStyle::dashed_loose()
                } else {
                    LineStyle::Solid
                };
                plot_ui.line(
                    Line::new(series.name.clone(), PlotPoints::from(points.clone()))
                        .color(c)
                        .width(2.0)
                        .style(style),
                );
            }
            if series.mark != Mark::Line {
                plot_ui.points(
                    Points::new(series.name.clone(), PlotPoints::from(points))
                        .color(c)
                        .radius(4.0),
                );
            }
        }
        positions.clear();
        for (p, label) in &labelled {
            positions.push((plot_ui.screen_from_plot(*p), label.clone()));
        }
    });
    // The pointer from the input, not the plot's hover: the legend sits over the plot and
    // would hide the points under it.
    let rect = response.response.rect;
    let (pointer, clicked) = ui.input(|i| {
        (
            i.pointer.hover_pos(),
            // A double click resets the plot's zoom; it opens nothing.
            i.pointer.primary_clicked()
                && !i
                    .pointer
                    .button_double_clicked(egui::PointerButton::Primary),
        )
    });
    // Not through a window, popup or menu lying over the plot.
    let on_top = |at: &egui::Pos2| ui.ctx().layer_id_at(*at) == Some(ui.layer_id());
    let nearest = pointer
        .filter(|at| rect.contains(*at) && on_top(at))
        .and_then(|at| {
            positions
                .iter()
                .map(|(p, label)| (p.distance(at), label))
                .filter(|(d, _)| *d <= 8.0)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, label)| label.clone())
        });
    PointerOnPoint {
        clicked: nearest.is_some() && clicked,
        label: nearest,
    }
}
