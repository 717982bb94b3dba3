//! Surface: the objective over the box as a heat map with contour lines and the optimum;
//! for more than two inputs, a slice through the box centre along two chosen inputs.

use super::{View, palette, slice_axes_picker};
use crate::gui::state::AppState;
use crate::gui::surface_data::{
    Surface, feasible_points, heat_map_image, infeasible_shade_image, sample_surface,
};
use crate::gui::worker::Task;
use eframe::egui::{self, Color32, TextureHandle, TextureOptions, vec2};
use egui_plot::{HoverPosition, Line, MarkerShape, Plot, PlotImage, PlotPoint, PlotPoints, Points};
use reluscope::numbers::format_number;
use reluscope::regions::Slice;

/// Grid points per axis: ~100 × 100 shows the shape well and samples in a few milliseconds.
const RESOLUTION: usize = 100;
/// Fewer points when every sample is expensive (very wide inputs).
const RESOLUTION_WIDE: usize = 50;

/// What a sampled surface depends on.
#[derive(Debug, Clone, PartialEq)]
struct SliceKey {
    doc_id: u64,
    box_revision: u64,
    /// The plane through the box centre; `None` for the curve of a one-input network.
    slice: Option<Slice>,
    /// `c` in `cᵀ f(x)`.
    weights: Vec<f64>,
    /// Points per axis.
    resolution: usize,
    /// The problem whose feasible set is shaded (by identity), if one is attached.
    problem: Option<usize>,
}

/// The Surface view: its axes, the sampled surface and its texture.
pub struct SurfaceView {
    x_axis: usize,
    y_axis: usize,
    show_contours: bool,
    surface: Option<(SliceKey, Surface)>,
    texture: Option<TextureHandle>,
    /// The shading of the infeasible points when a problem is attached.
    shade: Option<TextureHandle>,
    /// The sampling worker; it sends the surface, or nothing if cancelled, or the error.
    task: Option<(SliceKey, Task<Result<Surface, String>>)>,
    /// A sampling that failed, with why: not restarted for the same key.
    failed: Option<(SliceKey, String)>,
}

impl Default for SurfaceView {
    fn default() -> Self {
        Self {
            x_axis: 0,
            y_axis: 1,
            show_contours: true,
            surface: None,
            texture: None,
            shade: None,
            task: None,
            failed: None,
        }
    }
}

impl SurfaceView {
    /// Picks up a finished sampling and starts one for `key` if needed.
    fn refresh(&mut self, ctx: &egui::Context, state: &AppState, key: &SliceKey) {
        if let Some((task_key, task)) = &mut self.task {
            let done = task.drain();
            let task_key = task_key.clone();
            let finished = task.is_finished();
            for result in done {
                let surface = match result {
                    Ok(surface) => surface,
                    Err(e) => {
                        self.failed = Some((task_key.clone(), e));
                        continue;
                    }
                };
                if task_key.slice.is_some() {
                    let image = heat_map_image(&surface.grid);
                    match &mut self.texture {
                        Some(t) => t.set(image, TextureOptions::NEAREST),
                        None => {
                            self.texture =
                                Some(ctx.load_texture("surface", image, TextureOptions::NEAREST));
                        }
                    }
                    self.shade = surface.feasible.as_ref().map(|f| {
                        ctx.load_texture(
                            "infeasible",
                            infeasible_shade_image(&surface.grid, f),
                            TextureOptions::NEAREST,
                        )
                    });
                }
                self.surface = Some((task_key.clone(), surface));
            }
            if finished {
                self.task = None;
            }
        }
        let cached = self.surface.as_ref().is_some_and(|(k, _)| k == key);
        let running = self.task.as_ref().is_some_and(|(k, _)| k == key);
        let failed = self.failed.as_ref().is_some_and(|(k, _)| k == key);
        if !cached && !running && !failed {
            let network = state.doc.network.clone();
            let input_box = state.doc.input_box().clone();
            let problem = state.doc.problem.as_ref().map(|p| p.with_box(&input_box));
            let key_for_worker = key.clone();
            let task = Task::spawn(
                ctx,
                "surface",
                move |reporter| {
                    let SliceKey {
                        slice,
                        weights,
                        resolution,
                        ..
                    } = key_for_worker;
                    let sampled = sample_surface(
                        &network,
                        &input_box,
                        slice.as_ref(),
                        &weights,
                        resolution,
                        &|| reporter.is_cancelled(),
                    );
                    // A cancelled sampling was replaced or dropped: nobody waits for it.
                    match sampled {
                        Ok(Some(mut surface)) => {
                            if let (Some(problem), Some(slice)) = (&problem, &slice)
                                && let Ok(base) = slice.base_point(&network, &input_box)
                            {
                                surface.feasible = feasible_points(
                                    problem,
                                    &surface.grid,
                                    &base,
                                    slice.axes,
                                    &|| reporter.is_cancelled(),
                                );
                                if surface.feasible.is_none() {
                                    return;
                                }
                            }
                            reporter.send(Ok(surface));
                        }
                        Ok(None) => {}
                        Err(e) => reporter.send(Err(e.to_string())),
                    }
                },
                Err,
            );
            // Replacing a stale task drops (and so cancels) it.
            self.task = Some((key.clone(), task));
        }
    }
}

impl View for SurfaceView {
    fn id(&self) -> &'static str {
        "surface"
    }

    fn title(&self) -> &'static str {
        "Surface"
    }

    fn explanation(&self) -> &'static str {
        "The objective c·f(x) over the input box (a slice through the box centre when there are \
         more than two inputs), with contour lines and the optimum x*."
    }

    fn is_busy(&self) -> bool {
        self.task.is_some()
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        let dim = state.doc.network.input_dim();
        let outputs = state.doc.network.output_dim();
        if dim == 1 {
            (self.x_axis, self.y_axis) = (0, 0);
        } else {
            self.x_axis = self.x_axis.min(dim - 1);
            self.y_axis = self.y_axis.min(dim - 1);
            if self.x_axis == self.y_axis {
                self.y_axis = (self.x_axis + 1) % dim;
            }
        }
        let (weights, what) = match state.settings.solve.objective(outputs) {
            Ok(o) => {
                let d = o.describe();
                let what = d
                    .strip_prefix("minimise ")
                    .or_else(|| d.strip_prefix("maximise "))
                    .unwrap_or(&d)
                    .to_string();
                (o.weights, what)
            }
            Err(_) => {
                let mut w = vec![0.0; outputs];
                w[0] = 1.0;
                (w, "output 0".to_string())
            }
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Colour: {what}"))
                .on_hover_text("the objective chosen on the left (its sense does not matter here)");
            if dim > 2 {
                slice_axes_picker(ui, "surface", dim, &mut self.x_axis, &mut self.y_axis);
            }
            if dim >= 2 {
                ui.checkbox(&mut self.show_contours, "contour lines")
                    .on_hover_text("lines of equal objective value, 8 levels evenly spaced");
            }
        });
        if dim > 2 && self.x_axis == self.y_axis {
            ui.label("Pick two different inputs.");
            return;
        }
        let b = state.doc.input_box();
        for axis in [self.x_axis, self.y_axis] {
            if b.lower()[axis] == b.upper()[axis] {
                ui.label(format!(
                    "Input x{axis} is fixed (lower = upper bound): widen it or pick another input."
                ));
                return;
            }
        }
        let key = SliceKey {
            doc_id: state.doc.id,
            box_revision: state.doc.box_revision(),
            // A one-input network has no plane: its curve runs along x0.
            slice: (dim > 1).then_some(Slice {
                axes: [self.x_axis, self.y_axis],
                point: None,
            }),
            weights,
            resolution: if dim > 256 {
                RESOLUTION_WIDE
            } else {
                RESOLUTION
            },
            problem: state
                .doc
                .problem
                .as_ref()
                .map(|p| std::sync::Arc::as_ptr(p) as usize),
        };
        self.refresh(ui.ctx(), state, &key);
        if let Some((_, e)) = self.failed.as_ref().filter(|(k, _)| *k == key) {
            ui.colored_label(ui.visuals().error_fg_color, format!("Cannot sample: {e}"));
            return;
        }
        let Some((shown_key, surface)) = &self.surface else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Sampling the network…");
            });
            return;
        };
        if shown_key != &key {
            ui.weak("Updating…");
        }
        let optimum = state.last_solve.as_ref().and_then(|s| {
            let report = s.outcome.as_ref().ok()?;
            let x = report.x.as_ref()?;
            (s.request.doc_id == state.doc.id).then(|| {
                let verifying = s
                    .request
                    .problem
                    .as_ref()
                    .is_some_and(|p| p.objective.is_none());
                let name = if verifying {
                    "counterexample"
                } else if report.status == "optimal" {
                    "x* (optimum)"
                } else {
                    "x* (best point found)"
                };
                (
                    x.clone(),
                    name,
                    s.request.box_revision == state.doc.box_revision(),
                )
            })
        });
        let grid = &surface.grid;
        let one_d = shown_key.slice.is_none();
        if let Some((lo, hi)) = grid.value_range() {
            ui.horizontal(|ui| {
                // A curve needs no colour key: its axis is the value.
                if !one_d {
                    super::colour_bar(ui, &what, lo, hi);
                }
                if let Some((x, name, same_box)) = &optimum {
                    let text = format!(
                        "{name} at ({})",
                        x.iter()
                            .map(|v| format_number(*v))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    if *same_box {
                        ui.label(text);
                    } else {
                        ui.weak(format!("{text}, solved over an earlier box"));
                    }
                }
            });
        }
        let [sx, sy] = shown_key.slice.as_ref().map_or([0, 0], |s| s.axes);
        // No legend (the line above names everything) and no grid over the heat map.
        let plot = Plot::new("surface_plot")
            .show_grid(one_d)
            .x_axis_label(format!("x{sx}"))
            .y_axis_label(if one_d {
                what.clone()
            } else {
                format!("x{sy}")
            })
            .label_formatter(move |hover| {
                let p = match hover {
                    HoverPosition::NearDataPoint { position, .. } => position,
                    HoverPosition::Elsewhere { position } => position,
                };
                if one_d {
                    return Some(format!(
                        "x{sx} = {}\nvalue = {}",
                        format_number(p.x),
                        format_number(p.y)
                    ));
                }
                let value = nearest_value(grid, p.x, p.y)
                    .map_or(String::new(), |v| format!("\nvalue ≈ {}", format_number(v)));
                Some(format!(
                    "x{sx} = {}, x{sy} = {}{value}",
                    format_number(p.x),
                    format_number(p.y)
                ))
            });
        let texture = self.texture.as_ref().map(|t| t.id());
        let shade = self
            .shade
            .as_ref()
            .filter(|_| surface.feasible.is_some())
            .map(|t| t.id());
        if shade.is_some() {
            ui.weak("shaded: points that satisfy no alternative of the problem's constraints");
        }
        let show_contours = self.show_contours;
        plot.show(ui, |plot| {
            if one_d {
                let points: Vec<[f64; 2]> = (0..grid.nx)
                    .map(|i| [grid.x_at(i), grid.value(i, 0)])
                    .collect();
                plot.line(
                    Line::new(what.clone(), PlotPoints::from(points))
                        .color(palette::BOUND)
                        .width(2.0),
                );
                if let Some((x, name, _)) = &optimum {
                    let y = nearest_value(grid, x[0], 0.0).unwrap_or(0.0);
                    plot.points(
                        Points::new(*name, vec![[x[0], y]])
                            .color(palette::INCUMBENT)
                            .radius(6.0)
                            .shape(MarkerShape::Diamond),
                    );
                }
                return;
            }
            if let Some(texture) = texture {
                let (x0, x1) = grid.x_range;
                let (y0, y1) = grid.y_range;
                let cell_x = (x1 - x0) / (grid.nx - 1).max(1) as f64;
                let cell_y = (y1 - y0) / (grid.ny - 1).max(1) as f64;
                let centre = PlotPoint::new(0.5 * (x0 + x1), 0.5 * (y0 + y1));
                let size = vec2((x1 - x0 + cell_x) as f32, (y1 - y0 + cell_y) as f32);
                plot.image(PlotImage::new("objective", texture, centre, size));
                if let Some(shade) = shade {
                    plot.image(PlotImage::new("infeasible (shaded)", shade, centre, size));
                }
            }
            if show_contours {
                // One legend entry for all levels: the hover label gives values anyway.
                for (_, lines) in &surface.contours {
                    for line in lines {
                        plot.line(
                            Line::new("contour lines", PlotPoints::from(line.clone()))
                                .color(Color32::from_white_alpha(150))
                                .width(1.0)
                                .allow_hover(false)
                                // Contours double back in x; aggregating them into bands smears them.
                                .allow_band(false),
                        );
                    }
                }
            }
            if let Some((x, name, _)) = &optimum {
                // A white disc under a red cross: visible on dark and bright colours alike.
                plot.points(
                    Points::new(*name, vec![[x[sx], x[sy]]])
                        .color(Color32::WHITE)
                        .radius(9.0)
                        .shape(MarkerShape::Circle)
                        .filled(true),
                );
                plot.points(
                    Points::new(*name, vec![[x[sx], x[sy]]])
                        .color(palette::INCUMBENT)
                        .radius(8.0)
                        .shape(MarkerShape::Cross),
                );
            }
        });
    }
}

/// The sampled value nearest to `(x, y)`, if inside the grid.
fn nearest_value(grid: &crate::gui::contour::SampledGrid, x: f64, y: f64) -> Option<f64> {
    let index = |v: f64, (a, b): (f64, f64), n: usize| -> Option<usize> {
        if n <= 1 {
            return Some(0);
        }
        let t = (v - a) / (b - a) * (n - 1) as f64;
        (t >= -0.5 && t <= n as f64 - 0.5).then(|| (t.round().max(0.0) as usize).min(n - 1))
    };
    let i = index(x, grid.x_range, grid.nx)?;
    let j = index(y, grid.y_range, grid.ny)?;
    Some(grid.value(i, j))
}
