//! Compared runs: the runs ticked in the Runs table overlaid, each in its own colour and
//! named `#N network bounds` — incumbent and bound over time (Solve), largest big-M per
//! layer (Big-M growth), stable share per layer (Stability).

use super::big_m::{decade_marks, power_label};
use super::layer_axis_label;
use crate::gui::runs::RunRecord;
use crate::gui::state::AppState;
use eframe::egui::{self, Color32};
use egui_plot::{Corner, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points};
use reluscope::figures::{palette::categorical, tick_label};

/// Which comparison a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Incumbent (solid) and best bound (dashed) over time.
    Curves,
    /// Largest big-M per hidden layer (log axis).
    BigM,
    /// Stable share per hidden layer.
    Stability,
    /// Linear regions of each run's network over its box (once counted).
    Regions,
}

fn colour(k: usize) -> Color32 {
    let (r, g, b) = categorical(k);
    Color32::from_rgb(r, g, b)
}

/// The points of `runs`' per-layer figure `pick` (layer numbers from 1).
fn layer_points(
    run: &RunRecord,
    pick: impl Fn(&crate::gui::runs::RunLayer) -> Option<f64>,
) -> Vec<[f64; 2]> {
    run.layers
        .iter()
        .enumerate()
        .filter_map(|(i, l)| pick(l).map(|v| [(i + 1) as f64, v]))
        .collect()
}

/// A line through `points` with a dot at each, one legend entry `name`.
fn dotted_line(plot_ui: &mut egui_plot::PlotUi, name: String, points: Vec<[f64; 2]>, c: Color32) {
    plot_ui.points(
        Points::new(name.clone(), PlotPoints::from(points.clone()))
            .color(c)
            .radius(3.5),
    );
    plot_ui.line(
        Line::new(name, PlotPoints::from(points))
            .color(c)
            .width(2.0),
    );
}

/// Draws the comparison of the ticked runs when two or more are ticked; nothing otherwise.
pub fn compared_runs_panel(ui: &mut egui::Ui, state: &AppState, comparison: Comparison) {
    let runs = state.compared_runs();
    if runs.len() < 2 {
        return;
    }
    egui::CollapsingHeader::new(format!("Compared runs ({})", runs.len()))
        .id_salt(("compared_runs", comparison as u8))
        .default_open(true)
        .show(ui, |ui| {
            let (what, hint) = match comparison {
                Comparison::Curves => (
                    "incumbent (solid) and best bound (dashed) against time; the dot marks \
                     where each solve ended",
                    "seconds since each MILP solve started (the bounds' time is not included; \
                     see the Runs table)",
                ),
                Comparison::BigM => (
                    "largest big-M per hidden layer of each run's MILP (log scale)",
                    "after each run's rescaling",
                ),
                Comparison::Stability => (
                    "stable neurons per hidden layer under each run's bounds",
                    "percent of the layer's neurons",
                ),
                Comparison::Regions => (
                    "linear regions of each run's network over its box",
                    "counted when this view showed that network and box; a run solved before \
                     or elsewhere has no count",
                ),
            };
            ui.label(what).on_hover_text(hint);
            let plot = Plot::new(("compared_plot", comparison as u8))
                .height(220.0)
                .legend(Legend::default().position(Corner::RightBottom))
                .allow_scroll(false);
            let plot = match comparison {
                Comparison::Curves => plot
                    .x_axis_label("time (s)")
                    .y_axis_label("objective")
                    .x_axis_formatter(|m, _| tick_label(m.value))
                    .y_axis_formatter(|m, _| tick_label(m.value)),
                Comparison::BigM => plot
                    .x_axis_label("hidden layer")
                    .y_axis_label("largest big-M")
                    .x_grid_spacer(super::layer_marks)
                    .x_axis_formatter(|m, _| layer_axis_label(m.value))
                    .y_grid_spacer(decade_marks)
                    .y_axis_formatter(|m, _| power_label(m.value)),
                Comparison::Regions => plot
                    .x_axis_label("run")
                    .y_axis_label("linear regions")
                    .include_y(0.0)
                    .x_axis_formatter(|m, _| {
                        if m.value.fract() == 0.0 && m.value >= 1.0 {
                            format!("#{}", m.value as i64)
                        } else {
                            String::new()
                        }
                    })
                    .y_axis_formatter(|m, _| tick_label(m.value)),
                Comparison::Stability => plot
                    .x_axis_label("hidden layer")
                    .y_axis_label("stable neurons (%)")
                    .include_y(0.0)
                    .include_y(100.0)
                    .x_grid_spacer(super::layer_marks)
                    .x_axis_formatter(|m, _| layer_axis_label(m.value))
                    .y_axis_formatter(|m, _| tick_label(m.value)),
            };
            plot.show(ui, |plot_ui| {
                for (k, (number, run)) in runs.iter().enumerate() {
                    let name = run.legend_name(*number);
                    let c = colour(k);
                    match comparison {
                        Comparison::Curves => {
                            let incumbent = super::step_line(
                                run.trace
                                    .iter()
                                    .filter_map(|p| p.incumbent.map(|v| (p.time_s, v))),
                            );
                            let bound = super::step_line(
                                run.trace
                                    .iter()
                                    .filter_map(|p| p.bound.map(|v| (p.time_s, v))),
                            );
                            if let Some(end) = incumbent.last().copied() {
                                plot_ui.points(
                                    Points::new(name.clone(), PlotPoints::from(vec![end]))
                                        .color(c)
                                        .shape(MarkerShape::Circle)
                                        .radius(5.0),
                                );
                            }
                            plot_ui.line(
                                Line::new(name.clone(), PlotPoints::from(incumbent))
                                    .color(c)
                                    .width(2.0),
                            );
                            plot_ui.line(
                                Line::new(name, PlotPoints::from(bound))
                                    .color(c)
                                    .width(1.5)
                                    .style(LineStyle::dashed_loose()),
                            );
                        }
                        Comparison::BigM => {
                            let points = layer_points(run, |l| {
                                l.max_big_m
                                    .filter(|m| m.is_finite() && *m > 0.0)
                                    .map(f64::log10)
                            });
                            dotted_line(plot_ui, name, points, c);
                        }
                        Comparison::Regions => {
                            if let Some(count) = run.regions {
                                let name = if run.regions_exact {
                                    name
                                } else {
                                    format!("{name} (at least)")
                                };
                                plot_ui.bar_chart(
                                    egui_plot::BarChart::new(
                                        name,
                                        vec![
                                            egui_plot::Bar::new(*number as f64, count as f64)
                                                .width(0.6),
                                        ],
                                    )
                                    .color(c),
                                );
                            }
                        }
                        Comparison::Stability => {
                            let points = layer_points(run, |l| l.stable_percent);
                            dotted_line(plot_ui, name, points, c);
                        }
                    }
                }
            });
            if comparison == Comparison::Regions {
                let uncounted: Vec<String> = runs
                    .iter()
                    .filter(|(_, r)| r.regions.is_none())
                    .map(|(n, _)| format!("#{n}"))
                    .collect();
                if !uncounted.is_empty() {
                    ui.weak(format!(
                        "not counted: {} (open that network and box here to count)",
                        uncounted.join(", ")
                    ));
                }
            }
        });
    ui.add_space(4.0);
}
