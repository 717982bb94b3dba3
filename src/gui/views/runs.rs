//! Runs: one row per finished solve, sortable by any column, exportable as CSV and JSON, to
//! compare configurations side by side: ticked runs are overlaid in Solve, Big-M growth and
//! Stability, and the difference columns divide by a baseline run.

use super::View;
use crate::gui::export::ExportKind;
use crate::gui::runs::{RunColumn, ratio_text, sorted_order};
use crate::gui::state::AppState;
use eframe::egui;

/// The Runs view (the sort order lives in the state, so that CSV export follows it).
pub struct RunsView;

impl View for RunsView {
    fn id(&self) -> &'static str {
        "runs"
    }

    fn title(&self) -> &'static str {
        "Runs"
    }

    fn explanation(&self) -> &'static str {
        "One row per finished solve: change the bound method, box or objective, solve again, \
         and compare. Tick runs to overlay them in Solve, Big-M growth and Stability; pick a \
         baseline for the ratio columns. Click a column header to sort."
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!state.runs.is_empty(), egui::Button::new("Export CSV…"))
                .on_hover_text("save the table, in the order shown, as a CSV file")
                .clicked()
            {
                state.begin_export(ExportKind::RunsCsv);
            }
            if ui
                .add_enabled(!state.runs.is_empty(), egui::Button::new("Export JSON…"))
                .on_hover_text("save every run in full (curves and per-layer figures) as JSON")
                .clicked()
            {
                state.begin_export(ExportKind::RunsJson);
            }
            if ui
                .add_enabled(!state.runs.is_empty(), egui::Button::new("Clear runs"))
                .on_hover_text("empty the table")
                .clicked()
            {
                state.clear_runs();
            }
            ui.label(format!("{} run(s)", state.runs.len()));
            let compared = state.compared_runs().len();
            if compared > 0 {
                ui.label(format!("{compared} compared"));
                if ui
                    .button("Clear comparison")
                    .on_hover_text("untick every run")
                    .clicked()
                {
                    state.runs_compared.clear();
                }
            }
        });
        if state.runs.is_empty() {
            ui.label("No runs yet: press Solve (F5).");
            return;
        }
        let (sort_index, ascending) = state.runs_sort;
        let sort_column = RunColumn::ALL
            .get(sort_index)
            .copied()
            .unwrap_or(RunColumn::Number);
        let order = sorted_order(&state.runs, sort_column, ascending);
        let mut clicked = None;
        egui::ScrollArea::both()
            .id_salt("runs_table")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("runs_grid")
                    .striped(true)
                    .min_col_width(30.0)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        ui.strong("compare").on_hover_text(
                            "tick two or more runs to overlay their curves and per-layer \
                             figures in Solve, Big-M growth and Stability",
                        );
                        ui.strong("baseline")
                            .on_hover_text("the run the ratio columns divide by");
                        for (title, tooltip) in RATIO_COLUMNS {
                            ui.strong(title).on_hover_text(tooltip);
                        }
                        for (k, column) in RunColumn::ALL.iter().enumerate() {
                            let arrow = match (k == sort_index, ascending) {
                                (true, true) => " (asc)",
                                (true, false) => " (desc)",
                                _ => "",
                            };
                            if ui
                                .selectable_label(
                                    k == sort_index,
                                    format!("{}{arrow}", column.title()),
                                )
                                .on_hover_text(format!("{}; click to sort", column.explanation()))
                                .clicked()
                            {
                                clicked = Some(k);
                            }
                        }
                        ui.end_row();
                        let baseline = state.runs_baseline.and_then(|b| state.runs.get(b)).cloned();
                        for &i in &order {
                            let mut ticked = state.runs_compared.contains(&i);
                            if ui
                                .checkbox(&mut ticked, "")
                                .on_hover_text(format!("compare run #{}", i + 1))
                                .changed()
                            {
                                if ticked {
                                    state.runs_compared.push(i);
                                } else {
                                    state.runs_compared.retain(|&k| k != i);
                                }
                            }
                            let is_baseline = state.runs_baseline == Some(i);
                            if ui
                                .radio(is_baseline, "")
                                .on_hover_text(format!("make run #{} the baseline", i + 1))
                                .clicked()
                            {
                                state.runs_baseline = (!is_baseline).then_some(i);
                            }
                            let record = &state.runs[i];
                            let ratios = match &baseline {
                                Some(b) => [
                                    ratio_text(record.solve_time_s, b.solve_time_s),
                                    ratio_text(
                                        record.nodes.map(|n| n as f64),
                                        b.nodes.map(|n| n as f64),
                                    ),
                                    ratio_text(record.max_big_m, b.max_big_m),
                                ],
                                None => ["-".to_string(), "-".to_string(), "-".to_string()],
                            };
                            for ratio in ratios {
                                ui.label(ratio);
                            }
                            for column in RunColumn::ALL {
                                ui.label(column.cell(i + 1, record));
                            }
                            ui.end_row();
                        }
                    });
            });
        if let Some(k) = clicked {
            state.runs_sort = if k == sort_index {
                (k, !ascending)
            } else {
                (k, true)
            };
        }
    }
}

/// The difference columns: this run's figure divided by the baseline's.
const RATIO_COLUMNS: [(&str, &str); 3] = [
    ("time ×", "solve time divided by the baseline run's"),
    (
        "nodes ×",
        "nodes (or regions, boxes) divided by the baseline run's",
    ),
    ("max M ×", "largest big-M divided by the baseline run's"),
];
