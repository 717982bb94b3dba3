//! Beside the map: how many regions (of the plane, of the whole box), the count after each
//! hidden layer, and the pattern and affine pieces of the region under the pointer.

use crate::gui::region_map::{RegionsKey, format_affine, pattern_lines};
use crate::gui::views::big_m::{decade_marks, power_label};
use crate::gui::views::{layer_axis_label, palette};
use crate::gui::worker::format_elapsed;
use eframe::egui;
use egui_plot::{Bar, BarChart, HoverPosition, Legend, Plot};
use reluscope::numbers::format_number;
use reluscope::regions::{RegionCount, RegionMap};
use std::sync::Arc;

/// "760 regions (exact)" or "at least 12,000 regions (the region cap was reached)".
fn count_summary(count: usize, exact: bool) -> String {
    if exact {
        format!("{count} linear regions")
    } else {
        format!("at least {count} linear regions")
    }
}

/// The count of the plane's regions and, once computed, of the whole box's.
pub(super) fn summary_lines(
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
pub(super) fn per_layer_plot(
    ui: &mut egui::Ui,
    doc_id: u64,
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
    // One id per network: a series hidden by a legend click comes back on the next one.
    Plot::new(("regions_per_layer", doc_id))
        .height(height)
        // Counts grow with depth: the top left is where the bars are lowest.
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .include_x(0.5)
        .include_x(layers as f64 + 0.5)
        .include_y(0.0)
        .x_axis_label("hidden layer")
        .x_grid_spacer(crate::gui::views::layer_marks)
        .y_grid_spacer(decade_marks)
        .y_axis_formatter(|mark, _| power_label(mark.value))
        .x_axis_formatter(|mark, _| layer_axis_label(mark.value))
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
pub(super) fn region_details(
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
