//! Runs: one row per finished solve, sortable by any column, exportable as CSV, to compare
//! configurations side by side.

use super::View;
use crate::gui::export::ExportKind;
use crate::gui::runs::{RunColumn, sorted_order};
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
         and compare. Click a column header to sort."
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
                .add_enabled(!state.runs.is_empty(), egui::Button::new("Clear runs"))
                .on_hover_text("empty the table")
                .clicked()
            {
                state.runs.clear();
            }
            ui.label(format!("{} run(s)", state.runs.len()));
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
                        for &i in &order {
                            let record = &state.runs[i];
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
