//! Regions: the network's linear regions — the exact map of a 2-D input (or of a slice through
//! the box centre), each region filled by its activation pattern or by the objective, the MILP
//! optimum marked, hover or click for a region's pattern and affine piece — and the number of
//! regions after each hidden layer.

use super::big_m::{decade_marks, power_label};
use super::{View, palette, slice_axes_picker};
use crate::gui::region_map::{
    Colouring, RegionsJob, RegionsKey, RegionsOutcome, format_affine, pattern_colour, pattern_lines,
};
use crate::gui::state::AppState;
use crate::gui::surface_data::colormap;
use crate::gui::worker::format_elapsed;
use eframe::egui::{self, Color32, Mesh, Shape, Stroke};
use egui_plot::{
    Bar, BarChart, HoverPosition, Legend, MarkerShape, Plot, PlotBounds, PlotGeometry, PlotItem,
    PlotItemBase, PlotPoint, PlotTransform, Points,
};
use reluscope::numbers::format_number;
use reluscope::regions::{PlaneRegion, RegionCount, RegionMap};
use std::ops::RangeInclusive;
use std::sync::Arc;

/// Region outlines are drawn while at most this many regions are in view (beyond that they
/// would cover the fills; zooming in brings them back).
const MAX_OUTLINED: usize = 6_000;

/// Width of the column beside the map (per-layer plot and region details).
const SIDE_WIDTH: f32 = 330.0;

/// Fill colours of every vertex of every region, for one map, colouring and objective.
struct Colours {
    map: Arc<RegionMap>,
    colouring: Colouring,
    weights: Vec<f64>,
    per_vertex: Vec<Vec<Color32>>,
    range: Option<(f64, f64)>,
}

impl Colours {
    fn compute(map: &Arc<RegionMap>, colouring: Colouring, weights: &[f64]) -> Self {
        let range = map.objective_range(weights);
        let (lo, hi) = range.unwrap_or((0.0, 1.0));
        let span = if hi > lo { hi - lo } else { 1.0 };
        let scaled = |y: Option<f64>| y.map(|y| ((y - lo) / span) as f32);
        let per_vertex = map
            .regions
            .iter()
            .map(|region| match colouring {
                Colouring::Pattern => vec![pattern_colour(&region.pattern); region.polygon.len()],
                Colouring::Objective => region
                    .polygon
                    .iter()
                    .map(|v| {
                        scaled(region.objective_at(weights, *v)).map_or(Color32::GRAY, colormap)
                    })
                    .collect(),
                Colouring::PatternShaded => {
                    let base = pattern_colour(&region.pattern);
                    let t = scaled(region.objective_at(weights, region.centroid())).unwrap_or(1.0);
                    vec![base.gamma_multiply(0.25 + 0.75 * t).to_opaque(); region.polygon.len()]
                }
            })
            .collect();
        Self {
            map: map.clone(),
            colouring,
            weights: weights.to_vec(),
            per_vertex,
            range,
        }
    }

    fn is_for(&self, map: &Arc<RegionMap>, colouring: Colouring, weights: &[f64]) -> bool {
        Arc::ptr_eq(&self.map, map) && self.colouring == colouring && self.weights == weights
    }
}

/// The regions as one plot item: a triangle mesh of the convex polygons (fans), outlines when
/// few enough are in view, and the highlighted region's outline.
struct RegionsItem<'a> {
    base: PlotItemBase,
    map: &'a RegionMap,
    colours: &'a [Vec<Color32>],
    outlines: bool,
    highlight: Option<usize>,
}

impl PlotItem for RegionsItem<'_> {
    fn shapes(&self, ui: &egui::Ui, transform: &PlotTransform, shapes: &mut Vec<Shape>) {
        let view = transform.bounds();
        let (vmin, vmax) = (view.min(), view.max());
        let visible = |region: &PlaneRegion| {
            let [u, v] = region.bounding_box();
            u[1] >= vmin[0] && u[0] <= vmax[0] && v[1] >= vmin[1] && v[0] <= vmax[1]
        };
        let to_screen = |v: &[f64; 2]| transform.position_from_point(&PlotPoint::new(v[0], v[1]));
        let mut mesh = Mesh::default();
        let mut in_view = Vec::new();
        for (k, (region, colours)) in self.map.regions.iter().zip(self.colours).enumerate() {
            let n = region.polygon.len();
            if n < 3 || !visible(region) {
                continue;
            }
            in_view.push(k);
            let first = mesh.vertices.len() as u32;
            for (v, c) in region.polygon.iter().zip(colours) {
                mesh.colored_vertex(to_screen(v), *c);
            }
            for i in 1..n as u32 - 1 {
                mesh.add_triangle(first, first + i, first + i + 1);
            }
        }
        shapes.push(Shape::mesh(mesh));
        let edge = if ui.visuals().dark_mode {
            Color32::from_black_alpha(140)
        } else {
            Color32::from_black_alpha(90)
        };
        if self.outlines && in_view.len() <= MAX_OUTLINED {
            for &k in &in_view {
                let points = self.map.regions[k].polygon.iter().map(to_screen).collect();
                shapes.push(Shape::closed_line(points, Stroke::new(0.6, edge)));
            }
        }
        if let Some(region) = self.highlight.and_then(|k| self.map.regions.get(k)) {
            let points: Vec<_> = region.polygon.iter().map(to_screen).collect();
            shapes.push(Shape::closed_line(
                points.clone(),
                Stroke::new(3.0, Color32::BLACK),
            ));
            shapes.push(Shape::closed_line(points, Stroke::new(1.5, Color32::WHITE)));
        }
    }

    fn initialize(&mut self, _x_range: RangeInclusive<f64>) {}

    fn color(&self) -> Color32 {
        Color32::GRAY
    }

    fn allow_hover(&self) -> bool {
        false
    }

    fn geometry(&self) -> PlotGeometry<'_> {
        PlotGeometry::None
    }

    fn bounds(&self) -> PlotBounds {
        let b = self.map.plane_box;
        PlotBounds::from_min_max([b[0][0], b[1][0]], [b[0][1], b[1][1]])
    }

    fn base(&self) -> &PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut PlotItemBase {
        &mut self.base
    }
}

/// The Regions view: its axes and colouring, the computed map and count, the running job.
pub struct RegionsView {
    x_axis: usize,
    y_axis: usize,
    colouring: Colouring,
    outlines: bool,
    map: Option<(RegionsKey, Arc<RegionMap>)>,
    whole_box: Option<(RegionsKey, RegionCount)>,
    job: Option<RegionsJob>,
    /// A computation that failed or was cancelled: not restarted until asked.
    held: Option<(RegionsKey, String)>,
    colours: Option<Colours>,
    hovered: Option<usize>,
    selected: Option<usize>,
}

impl Default for RegionsView {
    fn default() -> Self {
        Self {
            x_axis: 0,
            y_axis: 1,
            colouring: Colouring::default(),
            outlines: true,
            map: None,
            whole_box: None,
            job: None,
            held: None,
            colours: None,
            hovered: None,
            selected: None,
        }
    }
}

impl RegionsView {
    fn start(&mut self, ctx: &egui::Context, state: &AppState, key: RegionsKey) {
        self.held = None;
        // Replacing a job drops (and so cancels) the previous one.
        self.job = Some(RegionsJob::start(
            ctx,
            key,
            state.doc.network.clone(),
            state.doc.input_box().clone(),
        ));
    }

    /// Picks up a finished job and starts the one the view needs (`wanted`), unless it is
    /// known, running, or held after a failure or a cancel.
    fn refresh(&mut self, ctx: &egui::Context, state: &AppState, wanted: &RegionsKey) {
        if let Some(job) = &mut self.job
            && let Some(outcome) = job.poll()
        {
            let key = job.key.clone();
            self.job = None;
            match outcome {
                Ok(RegionsOutcome::Map(map)) => {
                    if let Some(reason) = map.stopped {
                        self.held = Some((key.clone(), reason.describe().to_string()));
                    }
                    self.hovered = None;
                    self.selected = None;
                    self.map = Some((key, map));
                }
                Ok(RegionsOutcome::Count(count)) => {
                    if let Some(reason) = count.stopped {
                        self.held = Some((key.clone(), reason.describe().to_string()));
                    }
                    self.whole_box = Some((key, count));
                }
                Err(e) => self.held = Some((key, e)),
            }
        }
        let current =
            |k: &RegionsKey| k.doc_id == wanted.doc_id && k.box_revision == wanted.box_revision;
        if self.whole_box.as_ref().is_some_and(|(k, _)| !current(k)) {
            self.whole_box = None;
        }
        if self
            .job
            .as_ref()
            .is_some_and(|j| !current(&j.key) || (j.key.axes.is_some() && j.key != *wanted))
        {
            self.job = None;
        }
        let known = match wanted.axes {
            Some(_) => self.map.as_ref().is_some_and(|(k, _)| k == wanted),
            None => self.whole_box.as_ref().is_some_and(|(k, _)| k == wanted),
        };
        let held = self.held.as_ref().is_some_and(|(k, _)| k == wanted);
        if !known && !held && self.job.is_none() {
            self.start(ctx, state, wanted.clone());
        }
    }

    fn progress_line(&mut self, ui: &mut egui::Ui) {
        let Some(job) = &self.job else {
            return;
        };
        let what = if job.key.axes.is_some() {
            "Splitting the plane into regions"
        } else {
            "Counting the regions of the whole box"
        };
        let mut cancel = false;
        ui.horizontal(|ui| {
            let text = format!(
                "{what}{} — {}",
                if job.step.is_empty() {
                    String::new()
                } else {
                    format!(": {}", job.step)
                },
                format_elapsed(job.task.elapsed())
            );
            let bar = match job.fraction {
                Some(f) => egui::ProgressBar::new(f as f32),
                None => egui::ProgressBar::new(0.0).animate(true),
            };
            ui.add(bar.text(text).desired_width(420.0));
            cancel = ui
                .add_enabled(
                    !job.task.is_cancelling(),
                    egui::Button::new("Cancel counting"),
                )
                .on_hover_text("stop counting; the regions found so far are kept (\"at least N\")")
                .clicked();
        });
        if cancel && let Some(job) = &self.job {
            job.task.cancel();
        }
    }

    fn held_line(&mut self, ui: &mut egui::Ui, ctx: &egui::Context, state: &AppState) {
        let Some((key, reason)) = self.held.clone() else {
            return;
        };
        if key.doc_id != state.doc.id || key.box_revision != state.doc.box_revision() {
            return;
        }
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("The last region computation stopped: {reason}."),
            );
            if ui
                .button("Compute again")
                .on_hover_text("restart the enumeration from scratch")
                .clicked()
            {
                self.start(ctx, state, key);
            }
        });
    }
}

/// "760 regions (exact)" or "at least 12,000 regions (the region cap was reached)".
pub fn count_summary(count: usize, exact: bool) -> String {
    if exact {
        format!("{count} linear regions")
    } else {
        format!("at least {count} linear regions")
    }
}

impl View for RegionsView {
    fn id(&self) -> &'static str {
        "regions"
    }

    fn title(&self) -> &'static str {
        "Regions"
    }

    fn explanation(&self) -> &'static str {
        "The network is affine on each linear region (one activation pattern of its ReLUs); \
         fewer regions usually mean an easier MILP. Exact partition of the 2-D input (or of a \
         slice through the box centre), and the count after each hidden layer."
    }

    fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        let ctx = ui.ctx().clone();
        let dim = state.doc.network.input_dim();
        let outputs = state.doc.network.output_dim();
        if dim >= 2 {
            self.x_axis = self.x_axis.min(dim - 1);
            self.y_axis = self.y_axis.min(dim - 1);
            if self.x_axis == self.y_axis {
                self.y_axis = (self.x_axis + 1) % dim;
            }
        }
        let weights = state
            .settings
            .solve
            .objective(outputs)
            .map(|o| o.weights)
            .unwrap_or_else(|_| {
                let mut w = vec![0.0; outputs];
                w[0] = 1.0;
                w
            });
        let doc_key = |axes| RegionsKey {
            doc_id: state.doc.id,
            box_revision: state.doc.box_revision(),
            axes,
        };
        let map_key = doc_key((dim >= 2).then_some([self.x_axis, self.y_axis]));
        // A whole-box count for 1-D inputs; otherwise the map, plus a whole-box count on request.
        self.refresh(&ctx, state, &map_key);

        ui.horizontal_wrapped(|ui| {
            if dim >= 2 {
                egui::ComboBox::from_label("fill")
                    .selected_text(self.colouring.label())
                    .show_ui(ui, |ui| {
                        for c in Colouring::ALL {
                            ui.selectable_value(&mut self.colouring, c, c.label());
                        }
                    })
                    .response
                    .on_hover_text(
                        "pattern: one colour per activation pattern; objective: c·f(x) from dark \
                         blue (smallest) to yellow (largest), exact inside each region",
                    );
                ui.checkbox(&mut self.outlines, "outlines").on_hover_text(
                    "draw region boundaries (while at most 6,000 regions are in view)",
                );
            }
            if dim > 2 {
                slice_axes_picker(ui, "regions", dim, &mut self.x_axis, &mut self.y_axis);
                let whole = doc_key(None);
                let have_whole = self.whole_box.as_ref().is_some_and(|(k, _)| *k == whole);
                if ui
                    .add_enabled(
                        self.job.is_none() && !have_whole,
                        egui::Button::new("Count the whole box"),
                    )
                    .on_hover_text(
                        "count the regions of the full input box: exact (an LP per split) up to \
                         6 inputs, a sampled lower bound beyond",
                    )
                    .clicked()
                {
                    self.start(&ctx, state, whole);
                }
            }
        });
        self.progress_line(ui);
        self.held_line(ui, &ctx, state);

        let map = self
            .map
            .as_ref()
            .filter(|(k, _)| k.doc_id == state.doc.id)
            .map(|(k, m)| (k.clone(), m.clone()));
        let whole = self
            .whole_box
            .as_ref()
            .filter(|(k, _)| k.doc_id == state.doc.id)
            .map(|(_, c)| c.clone());
        summary_lines(ui, dim, map.as_ref(), whole.as_ref(), &map_key);

        if dim < 2 {
            if let Some(count) = &whole {
                per_layer_plot(
                    ui,
                    None,
                    Some(&count.per_layer),
                    ui.available_height().min(360.0),
                );
            }
            return;
        }
        let Some((shown_key, map)) = map else {
            return;
        };
        if !self
            .colours
            .as_ref()
            .is_some_and(|c| c.is_for(&map, self.colouring, &weights))
        {
            self.colours = Some(Colours::compute(&map, self.colouring, &weights));
        }
        let optimum = state.last_solve.as_ref().and_then(|s| {
            let x = s.outcome.as_ref().ok()?.x.clone()?;
            (s.request.doc_id == state.doc.id && s.request.box_revision == state.doc.box_revision())
                .then_some(x)
        });
        if let Some((lo, hi)) = self.colours.as_ref().and_then(|c| c.range)
            && self.colouring != Colouring::Pattern
        {
            ui.label(format!(
                "objective: dark blue = {}, yellow = {}",
                format_number(lo),
                format_number(hi)
            ))
            .on_hover_text(
                "the objective chosen on the left, c·f(x); its sense does not matter here",
            );
        }
        let axes = map.axes;
        let available = ui.available_size();
        let map_width = (available.x - SIDE_WIDTH - 12.0).max(280.0);
        ui.horizontal_top(|ui| {
            let column = egui::Layout::top_down(egui::Align::Min);
            ui.allocate_ui_with_layout(egui::vec2(map_width, available.y), column, |ui| {
                ui.set_min_width(map_width);
                if shown_key.axes != map_key.axes || shown_key.box_revision != map_key.box_revision
                {
                    ui.weak("Updating…");
                }
                if let Some(colours) = &self.colours {
                    let highlight = self.hovered.or(self.selected);
                    let (hovered, clicked) = draw_map(
                        ui,
                        &map,
                        colours.per_vertex.as_slice(),
                        (self.outlines, highlight),
                        optimum.as_deref(),
                    );
                    self.hovered = hovered;
                    if clicked {
                        self.selected = hovered;
                    }
                }
            });
            ui.vertical(|ui| {
                ui.set_width(SIDE_WIDTH);
                let slice_counts = Some(map.per_layer.as_slice());
                let whole_counts = whole.as_ref().map(|c| c.per_layer.as_slice());
                per_layer_plot(
                    ui,
                    if dim == 2 { None } else { slice_counts },
                    if dim == 2 { slice_counts } else { whole_counts },
                    220.0,
                );
                ui.separator();
                region_details(ui, &map, self.hovered.or(self.selected), &weights, axes);
            });
        });
    }
}

/// Draws the map with `(outlines, highlighted region)`; returns the region under the pointer
/// and whether the map was clicked.
fn draw_map(
    ui: &mut egui::Ui,
    map: &RegionMap,
    colours: &[Vec<Color32>],
    (outlines, highlight): (bool, Option<usize>),
    optimum: Option<&[f64]>,
) -> (Option<usize>, bool) {
    let [i, j] = map.axes;
    let b = map.plane_box;
    let side = ui
        .available_width()
        .min(ui.available_height() - 28.0)
        .max(200.0);
    let response = Plot::new("regions_map")
        .legend(Legend::default())
        // Square on screen whatever the box: both inputs get the same room.
        .width(side)
        .height(side)
        .x_axis_label(format!("x{i}"))
        .y_axis_label(format!("x{j}"))
        .include_x(b[0][0])
        .include_x(b[0][1])
        .include_y(b[1][0])
        .include_y(b[1][1])
        .label_formatter(move |hover| {
            let p = match hover {
                HoverPosition::NearDataPoint { position, .. } => position,
                HoverPosition::Elsewhere { position } => position,
            };
            Some(format!(
                "x{i} = {}, x{j} = {}",
                format_number(p.x),
                format_number(p.y)
            ))
        })
        .show(ui, |plot| {
            plot.add(RegionsItem {
                base: PlotItemBase::new(String::new()),
                map,
                colours,
                outlines,
                highlight,
            });
            if let Some(x) = optimum {
                // A white ring keeps the marker visible on any fill.
                plot.points(
                    Points::new("", vec![[x[i], x[j]]])
                        .color(Color32::WHITE)
                        .radius(8.0)
                        .shape(MarkerShape::Circle)
                        .filled(true),
                );
                plot.points(
                    Points::new("x* (last solve)", vec![[x[i], x[j]]])
                        .color(palette::INCUMBENT)
                        .radius(6.0)
                        .shape(MarkerShape::Circle)
                        .filled(true),
                );
            }
            plot.pointer_coordinate()
                .filter(|_| plot.response().hovered())
                .map(|p| [p.x, p.y])
        });
    let pointer = response.inner;
    let hovered = pointer.and_then(|p| map.region_at(p));
    (hovered, response.response.clicked())
}

fn summary_lines(
    ui: &mut egui::Ui,
    dim: usize,
    map: Option<&(RegionsKey, Arc<RegionMap>)>,
    whole: Option<&RegionCount>,
    wanted: &RegionsKey,
) {
    if let Some((key, map)) = map
        && key.box_revision == wanted.box_revision
    {
        let where_ = if dim == 2 {
            "over the input box".to_string()
        } else {
            format!(
                "in the slice (x{}, x{}) through the box centre",
                map.axes[0], map.axes[1]
            )
        };
        let stopped = map
            .stopped
            .map_or(String::new(), |r| format!(", stopped: {}", r.describe()));
        ui.label(
            egui::RichText::new(format!(
                "{} {where_}",
                count_summary(map.count(), map.exact())
            ))
            .strong(),
        )
        .on_hover_text(format!(
            "exact 2-D partition into convex polygons in {}; regions thinner than ε = {} \
             across a boundary are merged into a neighbour{stopped}",
            format_elapsed(std::time::Duration::from_secs_f64(map.time_s.max(0.0))),
            format_number(map.tolerance)
        ));
    }
    if let Some(count) = whole {
        let how = match count.samples {
            Some(n) => format!("distinct patterns over {n} random inputs, a lower bound"),
            None => format!("{}, {} LPs", count.method.key(), count.lps_solved),
        };
        ui.label(
            egui::RichText::new(format!(
                "{} over the whole box ({how}, {})",
                count_summary(count.count, count.exact),
                format_elapsed(std::time::Duration::from_secs_f64(count.time_s.max(0.0)))
            ))
            .strong(),
        );
    }
}

/// Bars of log10(regions) after each hidden layer: the slice's (if any) and the box's.
fn per_layer_plot(
    ui: &mut egui::Ui,
    slice: Option<&[usize]>,
    whole: Option<&[usize]>,
    height: f32,
) {
    let bars = |counts: &[usize], offset: f64, width: f64| -> Vec<Bar> {
        counts
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                Bar::new((k + 1) as f64 + offset, (n.max(1) as f64).log10())
                    .width(width)
                    .name(format!("after layer {}: {n} regions", k + 1))
            })
            .collect()
    };
    let both = slice.is_some() && whole.is_some();
    let (offset, width) = if both { (0.18, 0.34) } else { (0.0, 0.6) };
    ui.label("Regions after each hidden layer (log scale)")
        .on_hover_text(
            "regions of the network truncated after hidden layer 1, 2, …: each layer can only \
             split regions further",
        );
    let layers = slice.or(whole).map_or(0, <[usize]>::len);
    Plot::new("regions_per_layer")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_x(0.5)
        .include_x(layers as f64 + 0.5)
        .include_y(0.0)
        .x_axis_label("hidden layer")
        .y_grid_spacer(decade_marks)
        .y_axis_formatter(|mark, _| power_label(mark.value))
        .x_axis_formatter(|mark, _| {
            if mark.value.fract() == 0.0 && mark.value >= 1.0 {
                format!("{}", mark.value as i64)
            } else {
                String::new()
            }
        })
        .label_formatter(|hover| match hover {
            HoverPosition::NearDataPoint { position, .. } => Some(format!(
                "layer {:.0}: {} regions",
                position.x.round(),
                format_number(10f64.powf(position.y).round())
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            if let Some(counts) = slice {
                plot.bar_chart(
                    BarChart::new("slice", bars(counts, -offset, width)).color(palette::series(1)),
                );
            }
            if let Some(counts) = whole {
                let name = if both { "whole box" } else { "regions" };
                plot.bar_chart(
                    BarChart::new(name, bars(counts, offset, width)).color(palette::series(0)),
                );
            }
        });
    let text = slice
        .or(whole)
        .map(|c| {
            c.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    if !text.is_empty() {
        ui.label(format!("after layers 1, 2, …: {text}"));
    }
}

/// The hovered (or pinned) region: its pattern and affine pieces.
fn region_details(
    ui: &mut egui::Ui,
    map: &RegionMap,
    index: Option<usize>,
    weights: &[f64],
    axes: [usize; 2],
) {
    let Some(region) = index.and_then(|k| map.regions.get(k)) else {
        ui.weak("Hover over a region (click to pin it) to see its activation pattern and the affine function the network computes on it.");
        return;
    };
    let k = index.unwrap_or(0);
    ui.strong(format!("Region {} of {}", k + 1, map.count()));
    ui.label(format!("area {}", format_number(region.area())));
    if let Some((g, h)) = region.objective_piece(weights) {
        ui.label(format!("objective here: {}", format_affine(&g, axes, h)))
            .on_hover_text("c·f(x) is exactly this affine function on the whole region");
    }
    if region.outputs.len() > 1 {
        for (j, piece) in region.outputs.iter().enumerate().take(8) {
            ui.label(format!(
                "y{j} = {}",
                format_affine(&piece.gradient, axes, piece.offset)
            ));
        }
    }
    ui.label("pattern (0 inactive, 1 active, c saturated):")
        .on_hover_text("the phase of every hidden neuron on this region, one line per layer");
    egui::ScrollArea::vertical()
        .id_salt("region_pattern")
        .max_height(ui.available_height().max(60.0))
        .show(ui, |ui| {
            for line in pattern_lines(&region.pattern) {
                ui.add(egui::Label::new(egui::RichText::new(line).monospace()).wrap());
            }
        });
}
