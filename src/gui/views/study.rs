//! Study: the figures and findings of a study directory (`reluscope study --out DIR`),
//! interactive; a click on a point opens that cell's network in the other views.

use super::View;
use super::chart_plot::chart_plot;
use crate::gui::state::AppState;
use eframe::egui;

/// The Study view (its state lives in [`AppState::study`]).
pub struct StudyView;

impl View for StudyView {
    fn id(&self) -> &'static str {
        "study"
    }

    fn title(&self) -> &'static str {
        "Study"
    }

    fn explanation(&self) -> &'static str {
        "The figures and findings of a study made by `reluscope study --out DIR`: load the \
         directory, pick a figure, point at a dot to see its cell, click to open its network."
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        let ctx = ui.ctx().clone();
        ui.horizontal(|ui| {
            let label = ui.label("Study directory:");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut state.study.path_field)
                        .hint_text("a directory written by reluscope study --out")
                        .desired_width(360.0),
                )
                .labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let loading = state.study.loading.is_some();
            if ui
                .add_enabled(!loading, egui::Button::new("Load study"))
                .on_hover_text("read the directory's cells and draw its figures")
                .clicked()
                || (entered && !loading)
            {
                state.load_study(&ctx);
            }
            if loading {
                ui.spinner();
            }
        });
        let Some(study) = &state.study.loaded else {
            ui.label("No study loaded. Make one with `reluscope study --quick --out DIR`, then load DIR.");
            return;
        };
        ui.label(format!(
            "{}: {} of {} cells present{}, {} figures",
            study.dir.display(),
            study.present,
            study.total,
            if study.failed > 0 {
                format!(" ({} failed)", study.failed)
            } else {
                String::new()
            },
            study.figures.len()
        ));
        if study.figures.is_empty() {
            ui.label("This study has no finished cell to draw.");
            return;
        }
        let selected = state.study.selected.min(study.figures.len() - 1);
        let mut choice = selected;
        ui.horizontal(|ui| {
            let label = ui.label("Figure:");
            egui::ComboBox::from_id_salt("study_figure")
                .selected_text(study.figures[selected].chart.title.clone())
                .width(520.0)
                .show_ui(ui, |ui| {
                    for (k, f) in study.figures.iter().enumerate() {
                        ui.selectable_value(&mut choice, k, f.chart.title.clone());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        let figure = &study.figures[selected];
        let height = (ui.available_height() - 190.0).clamp(200.0, 520.0);
        // One plot id per figure: egui_plot remembers bounds by id, and another figure's
        // would hide this one's points.
        let on = chart_plot(
            ui,
            &format!("study_plot_{}", figure.name),
            &figure.chart,
            height,
            &mut state.study.positions,
        );
        match &on.label {
            Some(id) => ui.label(format!("cell {id}: click to open its network")),
            None => ui.weak("point at a dot to see its cell"),
        };
        egui::CollapsingHeader::new("Findings")
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("study_findings")
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong("claim");
                        ui.strong("verdict");
                        ui.strong("evidence");
                        ui.end_row();
                        for f in &study.findings {
                            ui.label(&f.claim);
                            ui.label(f.verdict.word());
                            ui.label(&f.evidence);
                            ui.end_row();
                        }
                    });
            });
        state.study.selected = choice;
        state.study.hovered = on.label.clone();
        if on.clicked
            && let Some(id) = on.label
        {
            state.open_study_cell(&ctx, &id);
        }
    }
}
