//! Network: the architecture layer by layer, every neuron a dot coloured by its stability;
//! hover for its bounds, big-M and weights, click to select it.

use super::{View, legend_entry, palette};
use crate::gui::document::{Analysis, ScaledAnalysis};
use crate::gui::state::AppState;
use eframe::egui::{self, Color32, Pos2, Rect, Sense, Stroke, pos2, vec2};
use reluscope::bounds::{NeuronState, big_m, neuron_state};
use reluscope::network::{Activation, InputBox, Network};
use reluscope::numbers::format_number;

/// Above this many connections, only the hovered or selected neuron's are drawn (a dense
/// hairball helps nobody and costs frame time).
const MAX_DRAWN_EDGES: usize = 2_500;

/// The Network view and its selection.
#[derive(Default)]
pub struct NetworkView {
    selected: Option<NeuronRef>,
    /// The document the selection belongs to (a new network clears it).
    selected_doc: u64,
}

/// A neuron: column 0 is the input, column `k` the `k`-th layer (the output layer last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeuronRef {
    /// Column.
    pub column: usize,
    /// Index within the column.
    pub index: usize,
}

/// Where a column's dots are.
#[derive(Debug, Clone, Copy)]
struct Column {
    x: f32,
    top: f32,
    spacing: f32,
    radius: f32,
    count: usize,
}

impl Column {
    fn position(&self, i: usize) -> Pos2 {
        pos2(self.x, self.top + self.spacing * i as f32)
    }
}

/// Column positions for `widths` inside `rect`: dots shrink as layers widen.
fn layout(rect: Rect, widths: &[usize]) -> Vec<Column> {
    let n = widths.len().max(1);
    let margin_x = 40.0;
    let dx = (rect.width() - 2.0 * margin_x).max(10.0) / (n.saturating_sub(1)).max(1) as f32;
    let usable = (rect.height() - 40.0).max(10.0);
    widths
        .iter()
        .enumerate()
        .map(|(k, &count)| {
            let spacing = (usable / count.max(1) as f32).min(28.0);
            let radius = (spacing * 0.38).clamp(1.2, 9.0);
            let height = spacing * count.saturating_sub(1) as f32;
            let x = if n == 1 {
                rect.center().x
            } else {
                rect.left() + margin_x + dx * k as f32
            };
            Column {
                x,
                top: rect.center().y + 10.0 - height / 2.0,
                spacing,
                radius,
                count,
            }
        })
        .collect()
}

/// The neuron under `pointer`, if any.
fn hit_test(columns: &[Column], pointer: Pos2) -> Option<NeuronRef> {
    let (column, c) = columns
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| (a.x - pointer.x).abs().total_cmp(&(b.x - pointer.x).abs()))?;
    let reach = (c.radius + 3.0).max(c.spacing * 0.5).max(5.0);
    if (c.x - pointer.x).abs() > reach.max(8.0) || c.count == 0 {
        return None;
    }
    let index = if c.spacing > 0.0 {
        ((pointer.y - c.top) / c.spacing).round()
    } else {
        0.0
    };
    if index < 0.0 || index >= c.count as f32 {
        return None;
    }
    let index = index as usize;
    (c.position(index).distance(pointer) <= reach).then_some(NeuronRef { column, index })
}

/// What the tooltip and the details box say about a neuron.
pub struct NeuronInfo {
    /// E.g. `layer 2, neuron 7`.
    pub title: String,
    /// Its state, if it has one.
    pub state: Option<NeuronState>,
    /// Lines of facts.
    pub lines: Vec<String>,
}

fn state_name(state: NeuronState) -> &'static str {
    match state {
        NeuronState::StablyActive => "stably active (linear on the whole box, no binary)",
        NeuronState::StablyInactive => "stably inactive (always 0, no binary)",
        NeuronState::StablySaturated => "stably saturated (always at its cap, no binary)",
        NeuronState::Unstable => "unstable (needs a binary and big-M constraints)",
        NeuronState::Linear => "linear output",
    }
}

/// The facts about neuron `r` under `analysis`.
pub fn neuron_info(
    network: &Network,
    input_box: &InputBox,
    analysis: Option<&Analysis>,
    r: NeuronRef,
) -> NeuronInfo {
    if r.column == 0 {
        let (lo, hi) = (input_box.lower()[r.index], input_box.upper()[r.index]);
        return NeuronInfo {
            title: format!("input x{}", r.index),
            state: None,
            lines: vec![format!(
                "ranges over [{}, {}] (the input box)",
                format_number(lo),
                format_number(hi)
            )],
        };
    }
    let layer = &network.layers()[r.column - 1];
    let is_output = r.column == network.layers().len();
    let title = if is_output {
        format!("output y{}", r.index)
    } else {
        format!("layer {}, neuron {}", r.column, r.index)
    };
    let mut lines = Vec::new();
    let mut state = None;
    if let Some(b) = analysis.and_then(|a| a.bounds.layers.get(r.column - 1)) {
        let (l, u) = (b.lower[r.index], b.upper[r.index]);
        lines.push(format!(
            "pre-activation bounds [L, U] = [{}, {}]",
            format_number(l),
            format_number(u)
        ));
        let s = neuron_state(layer.activation, l, u);
        lines.push(format!("state: {}", state_name(s)));
        if s == NeuronState::Unstable {
            lines.push(format!(
                "big-M = max(−L, U) = {}",
                format_number(big_m(l, u))
            ));
        }
        state = Some(s);
    }
    let row = layer.weights.row(r.index);
    let norm = row.iter().map(|w| w * w).sum::<f64>().sqrt();
    let min = row.iter().copied().fold(f64::INFINITY, f64::min);
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    lines.push(format!(
        "weights in: {} (norm {}, min {}, max {}), bias {}",
        row.len(),
        format_number(norm),
        format_number(min),
        format_number(max),
        format_number(layer.bias[r.index])
    ));
    lines.push(match layer.activation {
        Activation::Relu => "activation: ReLU max(a, 0)".to_string(),
        Activation::ClippedRelu { cap } => {
            format!(
                "activation: clipped ReLU min(max(a, 0), {})",
                format_number(cap)
            )
        }
        Activation::Linear => "activation: none (linear output)".to_string(),
    });
    NeuronInfo {
        title,
        state,
        lines,
    }
}

/// What the selected rescaling does to a hidden neuron: its factor and its big-M after.
fn scaled_line(scaled: Option<&ScaledAnalysis>, r: NeuronRef) -> Option<String> {
    let scaled = scaled?;
    let k = r.column.checked_sub(1)?;
    let factor = *scaled
        .problem()
        .report
        .as_ref()?
        .factors
        .layers
        .get(k)?
        .get(r.index)?;
    let b = scaled.problem().bounds.layers.get(k)?;
    let (l, u) = (b.lower[r.index], b.upper[r.index]);
    let mut line = format!(
        "{} rescaling: factor s = {}, bounds [{}, {}]",
        scaled.scaling.key(),
        format_number(factor),
        format_number(l),
        format_number(u)
    );
    if l < 0.0 && u > 0.0 {
        line.push_str(&format!(", big-M {}", format_number(big_m(l, u))));
    }
    Some(line)
}

fn colour_of(state: Option<NeuronState>) -> Color32 {
    match state {
        Some(NeuronState::StablyActive) => palette::ACTIVE,
        Some(NeuronState::StablyInactive) => palette::INACTIVE,
        Some(NeuronState::StablySaturated) => palette::SATURATED,
        Some(NeuronState::Unstable) => palette::UNSTABLE,
        Some(NeuronState::Linear) | None => palette::NEUTRAL,
    }
}

fn edge_colour(w: f64, scale: f64, strong: bool) -> Color32 {
    let t = if scale > 0.0 {
        (w.abs() / scale).min(1.0) as f32
    } else {
        0.0
    };
    let alpha = if strong {
        60.0 + 195.0 * t
    } else {
        8.0 + 70.0 * t
    };
    let base = if w >= 0.0 {
        Color32::from_rgb(70, 130, 220)
    } else {
        Color32::from_rgb(220, 80, 70)
    };
    Color32::from_rgba_unmultiplied(base.r(), base.g(), base.b(), alpha as u8)
}

impl NetworkView {
    fn draw(
        &self,
        painter: &egui::Painter,
        columns: &[Column],
        network: &Network,
        analysis: Option<&Analysis>,
        focus: Option<NeuronRef>,
        text_colour: Color32,
    ) {
        let layers = network.layers();
        let total_edges: usize = layers.iter().map(|l| l.weights.len()).sum();
        // Connections first so that dots cover them.
        let draw_all = total_edges <= MAX_DRAWN_EDGES;
        let draw_row = |painter: &egui::Painter, k: usize, i: usize, scale: f64, strong: bool| {
            let (from, to) = (&columns[k], &columns[k + 1]);
            let end = to.position(i);
            let width = if strong { 1.5 } else { 1.0 };
            for (j, &w) in layers[k].weights.row(i).iter().enumerate() {
                if w != 0.0 {
                    painter.line_segment(
                        [from.position(j), end],
                        Stroke::new(width, edge_colour(w, scale, strong)),
                    );
                }
            }
        };
        let max_abs = |w: ndarray::ArrayView1<f64>| w.iter().fold(0.0f64, |m, w| m.max(w.abs()));
        // Connections first so that dots cover them. A large network only gets the focused
        // neuron's incoming connections, so its frame cost does not grow with the weights.
        if draw_all {
            for (k, layer) in layers.iter().enumerate() {
                let scale = layer.weights.iter().fold(0.0f64, |m, w| m.max(w.abs()));
                for i in 0..layer.outputs() {
                    draw_row(painter, k, i, scale, false);
                }
            }
        }
        if let Some(f) = focus
            && f.column >= 1
            && let Some(layer) = layers.get(f.column - 1)
            && f.index < layer.outputs()
        {
            draw_row(
                painter,
                f.column - 1,
                f.index,
                max_abs(layer.weights.row(f.index)),
                true,
            );
        }
        for (k, column) in columns.iter().enumerate() {
            let states: Vec<Option<NeuronState>> = if k == 0 {
                vec![None; column.count]
            } else {
                let activation = layers[k - 1].activation;
                match analysis.and_then(|a| a.bounds.layers.get(k - 1)) {
                    Some(b) => b
                        .lower
                        .iter()
                        .zip(&b.upper)
                        .map(|(&l, &u)| Some(neuron_state(activation, l, u)))
                        .collect(),
                    None => vec![None; column.count],
                }
            };
            for (i, state) in states.into_iter().enumerate() {
                painter.circle_filled(column.position(i), column.radius, colour_of(state));
            }
            let header = if k == 0 {
                format!("input ({})", column.count)
            } else if k == layers.len() {
                format!("output ({})", column.count)
            } else {
                format!("layer {k} ({})", column.count)
            };
            painter.text(
                pos2(column.x, column.top - column.radius - 6.0),
                egui::Align2::CENTER_BOTTOM,
                header,
                egui::FontId::proportional(12.0),
                text_colour,
            );
        }
        if let Some(f) = focus
            && let Some(c) = columns.get(f.column)
        {
            painter.circle_stroke(
                c.position(f.index),
                c.radius + 3.0,
                Stroke::new(2.0, text_colour),
            );
        }
    }
}

impl View for NetworkView {
    fn id(&self) -> &'static str {
        "network"
    }

    fn title(&self) -> &'static str {
        "Network"
    }

    fn explanation(&self) -> &'static str {
        "Every neuron of every layer, coloured by what the bounds prove about it over the input \
         box. Hover a dot for its bounds, big-M and weights; click to select it."
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        if self.selected_doc != state.doc.id {
            self.selected = None;
            self.selected_doc = state.doc.id;
        }
        let network = state.doc.network.clone();
        let analysis = state.doc.shown_analysis(state.settings.bound_method());
        let clipped = network
            .hidden_layers()
            .iter()
            .any(|l| matches!(l.activation, Activation::ClippedRelu { .. }));
        ui.horizontal_wrapped(|ui| {
            legend_entry(
                ui,
                palette::ACTIVE,
                "stably active",
                "L ≥ 0: linear on the whole box; no binary",
            );
            legend_entry(
                ui,
                palette::INACTIVE,
                "stably inactive",
                "U ≤ 0: always 0; no binary",
            );
            if clipped {
                legend_entry(
                    ui,
                    palette::SATURATED,
                    "saturated",
                    "clipped ReLU with L ≥ cap: constant; no binary",
                );
            }
            legend_entry(
                ui,
                palette::UNSTABLE,
                "unstable",
                "L < 0 < U: one binary and big-M constraints",
            );
            legend_entry(
                ui,
                palette::NEUTRAL,
                "input / output",
                "inputs range over the box; outputs are linear",
            );
        });
        let details_height = if self.selected.is_some() { 120.0 } else { 30.0 };
        let size = vec2(
            ui.available_width(),
            (ui.available_height() - details_height).max(120.0),
        );
        let (response, painter) = ui.allocate_painter(size, Sense::click());
        let columns = layout(response.rect, &network.widths());
        let hovered = response.hover_pos().and_then(|p| hit_test(&columns, p));
        if response.clicked() {
            self.selected = hovered;
        }
        let focus = hovered.or(self.selected);
        self.draw(
            &painter,
            &columns,
            &network,
            analysis,
            focus,
            ui.visuals().strong_text_color(),
        );
        if self.selected.is_some() && hovered != self.selected {
            // Keep the selection ring visible while another neuron is hovered.
            if let Some(s) = self.selected
                && let Some(c) = columns.get(s.column)
            {
                painter.circle_stroke(
                    c.position(s.index),
                    c.radius + 3.0,
                    Stroke::new(1.5, ui.visuals().selection.stroke.color),
                );
            }
        }
        if let Some(h) = hovered {
            let mut info = neuron_info(&network, state.doc.input_box(), analysis, h);
            info.lines.extend(scaled_line(state.selected_scaled(), h));
            response.on_hover_ui_at_pointer(|ui| {
                ui.label(
                    egui::RichText::new(&info.title)
                        .strong()
                        .color(colour_of(info.state)),
                );
                for line in &info.lines {
                    ui.label(line);
                }
                ui.weak("click to select");
            });
        }
        match self.selected {
            Some(s) => {
                let mut info = neuron_info(&network, state.doc.input_box(), analysis, s);
                info.lines.extend(scaled_line(state.selected_scaled(), s));
                ui.group(|ui| {
                    ui.horizontal(|ui| {
                        ui.strong(format!("Selected: {}", info.title));
                        if ui
                            .small_button("Clear selection")
                            .on_hover_text("deselect the neuron")
                            .clicked()
                        {
                            self.selected = None;
                        }
                    });
                    for line in &info.lines {
                        ui.label(line);
                    }
                });
            }
            None => {
                ui.weak("Click a neuron to keep its details here.");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::document::{Document, NetworkSource};
    use crate::gui::samples;

    #[test]
    fn every_dot_is_found_where_it_is_drawn() {
        let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(900.0, 600.0));
        let widths = [2, 25, 50, 1];
        let columns = layout(rect, &widths);
        for (column, c) in columns.iter().enumerate() {
            for index in 0..c.count {
                let p = c.position(index);
                assert!(rect.contains(p));
                assert_eq!(hit_test(&columns, p), Some(NeuronRef { column, index }));
            }
        }
        assert_eq!(hit_test(&columns, pos2(5.0, 5.0)), None);
    }

    #[test]
    fn neuron_facts_use_the_bounds() {
        let doc = Document::new(
            samples::default_network().unwrap(),
            NetworkSource::Sample("peaks_25x2"),
            1,
        );
        let analysis = doc.analysis(reluscope::bounds::BoundMethod::Interval);
        let b = &analysis.unwrap().bounds.layers[0];
        let unstable = (0..25)
            .find(|&i| b.lower[i] < 0.0 && b.upper[i] > 0.0)
            .unwrap();
        let info = neuron_info(
            &doc.network,
            doc.input_box(),
            analysis,
            NeuronRef {
                column: 1,
                index: unstable,
            },
        );
        assert_eq!(info.state, Some(NeuronState::Unstable));
        assert!(info.lines.iter().any(|l| l.starts_with("big-M")));
        assert!(info.lines.iter().any(|l| l.starts_with("weights in: 2 ")));
        let input = neuron_info(
            &doc.network,
            doc.input_box(),
            analysis,
            NeuronRef {
                column: 0,
                index: 1,
            },
        );
        assert!(input.lines[0].contains("[-2, 2]"));
    }
}
