//! Regions: the network's linear regions — the exact map of a 2-D input (or of a slice through
//! the box centre), each region filled by its activation pattern or by the objective, the MILP
//! optimum marked, hover or click for a region's pattern and affine piece — and the number of
//! regions after each hidden layer.
//!
//! `map` draws the partition (fills, outlines, hover); `details` writes the counts, the
//! per-layer bars and the facts of the region under the pointer.

mod details;
mod map;

use crate::gui::contour::SampledGrid;
use crate::gui::region_map::{Colouring, RegionsJob, RegionsKey, RegionsOutcome};
use crate::gui::state::AppState;
use crate::gui::surface_data::{feasible_points, infeasible_shade_image};
use crate::gui::views::{View, slice_axes_picker};
use crate::gui::worker::{Task, format_elapsed};
use details::{per_layer_plot, region_details, summary_lines};
use eframe::egui::{self, TextureHandle};
use map::{Colours, draw_map};
use reluscope::numbers::format_number;
use reluscope::regions::{RegionCount, RegionMap};
use std::sync::Arc;

/// Width of the column beside the map (per-layer plot and region details).
const SIDE_WIDTH: f32 = 330.0;

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
    /// The shading of the points no alternative of the attached problem allows, for the map
    /// and problem it was computed for (by identity), and the worker computing it.
    shade: Option<(ShadeKey, TextureHandle)>,
    shade_task: Option<(ShadeKey, Task<Vec<bool>>)>,
}

/// What a shading was computed for: the map and the problem, by identity.
type ShadeKey = (usize, usize);

/// Points per axis of the shading.
const SHADE_RESOLUTION: usize = 120;

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
            shade: None,
            shade_task: None,
        }
    }
}

/// The grid of the shading over the map's plane box.
fn shade_grid(map: &RegionMap) -> SampledGrid {
    let b = map.plane_box;
    SampledGrid {
        nx: SHADE_RESOLUTION,
        ny: SHADE_RESOLUTION,
        x_range: (b[0][0], b[0][1]),
        y_range: (b[1][0], b[1][1]),
        values: Vec::new(),
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

    /// Gives the region count of the whole box, when the view has it for the network and box
    /// on screen (the map of a 2-input network, or the whole-box count), to the app state, so
    /// that runs of this network and box carry it.
    fn note_whole_box_count(&self, state: &mut AppState, dim: usize) {
        let current =
            |k: &RegionsKey| k.doc_id == state.doc.id && k.box_revision == state.doc.box_revision();
        let whole = match (&self.map, &self.whole_box) {
            (Some((k, map)), _) if dim == 2 && current(k) => Some((map.count(), map.exact())),
            (_, Some((k, count))) if current(k) => Some((count.count, count.exact)),
            _ => None,
        };
        if let Some((count, exact)) = whole {
            let (doc, revision) = (state.doc.id, state.doc.box_revision());
            state.note_region_count(doc, revision, count, exact);
        }
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

    /// The texture shading the infeasible points of `map` for the attached problem, computed
    /// on a worker (forward passes of every network of the problem on a grid).
    fn shade_for(
        &mut self,
        ctx: &egui::Context,
        state: &AppState,
        map: &Arc<RegionMap>,
    ) -> Option<egui::TextureId> {
        let attached = state.doc.problem.as_ref()?;
        let key = (Arc::as_ptr(map) as usize, Arc::as_ptr(attached) as usize);
        if let Some((task_key, task)) = &mut self.shade_task {
            let task_key = *task_key;
            for feasible in task.drain() {
                let image = infeasible_shade_image(&shade_grid(map), &feasible);
                let texture =
                    ctx.load_texture("regions_infeasible", image, egui::TextureOptions::NEAREST);
                self.shade = Some((task_key, texture));
            }
            if task.is_finished() {
                self.shade_task = None;
            }
        }
        let known = self.shade.as_ref().is_some_and(|(k, _)| *k == key);
        let running = self.shade_task.as_ref().is_some_and(|(k, _)| *k == key);
        if !known && !running {
            let problem = attached.with_box(state.doc.input_box());
            let (base, axes, grid) = (map.base_point.clone(), map.axes, shade_grid(map));
            let task = Task::spawn(
                ctx,
                "regions-shade",
                move |reporter| {
                    if let Some(feasible) =
                        feasible_points(&problem, &grid, &base, axes, &|| reporter.is_cancelled())
                    {
                        reporter.send(feasible);
                    }
                },
                |_| Vec::new(),
            );
            self.shade_task = Some((key, task));
        }
        self.shade
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, t)| t.id())
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
        if self.shade_task.is_some() {
            return true;
        }
        self.job.is_some()
    }

    fn comparison(&self) -> Option<crate::gui::views::Comparison> {
        Some(crate::gui::views::Comparison::Regions)
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
        let (doc_id, box_revision) = (state.doc.id, state.doc.box_revision());
        let doc_key = |axes| RegionsKey {
            doc_id,
            box_revision,
            axes,
        };
        let map_key = doc_key((dim >= 2).then_some([self.x_axis, self.y_axis]));
        // A whole-box count for 1-D inputs; otherwise the map, plus a whole-box count on request.
        self.refresh(&ctx, state, &map_key);
        self.note_whole_box_count(state, dim);

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
                    doc_id,
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
            if self.colouring == Colouring::Objective {
                crate::gui::views::colour_bar(ui, "objective c·f(x)", lo, hi);
            } else {
                ui.label(format!(
                    "darker where the objective c·f(x) is smaller ({} to {})",
                    format_number(lo),
                    format_number(hi)
                ));
            }
        }
        let shade = self.shade_for(&ctx, state, &map);
        if shade.is_some() {
            ui.weak("shaded: points that satisfy no alternative of the problem's constraints");
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
                    let drawn = draw_map(
                        ui,
                        doc_id,
                        &map,
                        colours.per_vertex.as_slice(),
                        (self.outlines, highlight),
                        optimum.as_deref(),
                        shade,
                    );
                    self.hovered = drawn.hovered;
                    if drawn.clicked {
                        self.selected = drawn.hovered;
                    }
                    if map::outlines_capped(self.outlines, drawn.in_view) {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            map::capped_outlines_note(drawn.in_view),
                        );
                    }
                }
            });
            ui.vertical(|ui| {
                ui.set_width(SIDE_WIDTH);
                let slice_counts = Some(map.per_layer.as_slice());
                let whole_counts = whole.as_ref().map(|c| c.per_layer.as_slice());
                per_layer_plot(
                    ui,
                    doc_id,
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
