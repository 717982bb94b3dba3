//! The map of the regions: each convex polygon filled (by pattern or objective), outlines
//! while few are in view, the highlighted region, the optimum, and the region under the pointer.

use crate::gui::region_map::{Colouring, pattern_colour};
use crate::gui::surface_data::colormap;
use crate::gui::views::palette;
use eframe::egui::{self, Color32, Mesh, Shape, Stroke};
use egui_plot::{
    HoverPosition, Legend, MarkerShape, Plot, PlotBounds, PlotGeometry, PlotImage, PlotItem,
    PlotItemBase, PlotPoint, PlotTransform, Points,
};
use reluscope::numbers::format_number;
use reluscope::regions::{PlaneRegion, RegionMap};
use std::ops::RangeInclusive;
use std::sync::Arc;

/// Region outlines are drawn while at most this many regions are in view (beyond that they
/// would cover the fills; zooming in brings them back).
const MAX_OUTLINED: usize = 6_000;

/// Fill colours of every vertex of every region, for one map, colouring and objective.
pub(super) struct Colours {
    map: Arc<RegionMap>,
    colouring: Colouring,
    weights: Vec<f64>,
    /// One colour per polygon vertex, region by region.
    pub(super) per_vertex: Vec<Vec<Color32>>,
    /// The objective's range over the map, if known.
    pub(super) range: Option<(f64, f64)>,
}

impl Colours {
    /// The colours of `map` filled by `colouring` with objective weights `weights`.
    pub(super) fn compute(map: &Arc<RegionMap>, colouring: Colouring, weights: &[f64]) -> Self {
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

    /// Whether these colours were computed for this map, colouring and objective.
    pub(super) fn is_for(
        &self,
        map: &Arc<RegionMap>,
        colouring: Colouring,
        weights: &[f64],
    ) -> bool {
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
    /// Regions in view in the last drawing (for the note when outlines are capped).
    in_view_count: &'a std::cell::Cell<usize>,
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
        self.in_view_count.set(in_view.len());
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

/// What the map reports after drawing.
pub(super) struct MapResponse {
    /// The region under the pointer.
    pub hovered: Option<usize>,
    /// Whether the map was clicked.
    pub clicked: bool,
    /// Regions in view; outlines are drawn up to [`MAX_OUTLINED`] of them.
    pub in_view: usize,
}

/// Whether outlines were asked for but not drawn: too many regions in view.
pub(super) fn outlines_capped(outlines: bool, in_view: usize) -> bool {
    outlines && in_view > MAX_OUTLINED
}

/// The note shown when outlines are capped.
pub(super) fn capped_outlines_note(in_view: usize) -> String {
    format!(
        "Outlines hidden: {in_view} regions in view, more than {MAX_OUTLINED}. Zoom in (scroll \
         or drag a box) to see them."
    )
}

/// Draws the map with `(outlines, highlighted region)`, `x*` and the shading of the infeasible
/// points (a texture over the plane box).
pub(super) fn draw_map(
    ui: &mut egui::Ui,
    doc_id: u64,
    map: &RegionMap,
    colours: &[Vec<Color32>],
    (outlines, highlight): (bool, Option<usize>),
    optimum: Option<&[f64]>,
    shade: Option<egui::TextureId>,
) -> MapResponse {
    let in_view_count = std::cell::Cell::new(0);
    let [i, j] = map.axes;
    let b = map.plane_box;
    let side = ui
        .available_width()
        .min(ui.available_height() - 28.0)
        .max(200.0);
    // One id per network: legend visibility and zoom start afresh on the next one.
    let response = Plot::new(("regions_map", doc_id))
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
                in_view_count: &in_view_count,
            });
            if let Some(texture) = shade {
                let (x0, x1, y0, y1) = (b[0][0], b[0][1], b[1][0], b[1][1]);
                plot.image(PlotImage::new(
                    "infeasible (shaded)",
                    texture,
                    PlotPoint::new(0.5 * (x0 + x1), 0.5 * (y0 + y1)),
                    egui::vec2((x1 - x0) as f32, (y1 - y0) as f32),
                ));
            }
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
    MapResponse {
        hovered,
        clicked: response.response.clicked(),
        in_view: in_view_count.get(),
    }
}
