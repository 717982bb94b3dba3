//! The app: start-up, the frame layout (menu, side panel, tabs, status bar, notice toast), the
//! export window, shortcuts, drag and drop, and persistence.

use super::controls;
use super::document::NetworkSource;
use super::export::ExportKind;
use super::samples::{self, SAMPLES};
use super::settings::Settings;
use super::state::{AppState, NoticeKind};
use super::tasks::DialogTask;
use super::views::{View, all_views};
use super::worker::format_elapsed;
use eframe::egui::{self, Key, Modifiers};
use reluscope::formats::load_network;
use std::path::PathBuf;

/// The desktop app: the state plus the views.
pub struct ReluscopeApp {
    /// Everything but per-view UI state.
    pub state: AppState,
    views: Vec<Box<dyn View>>,
    active: usize,
}

/// What the export window asked for (applied after drawing it, to keep borrows simple).
enum ExportAction {
    Browse,
    Save,
    Close,
}

impl ReluscopeApp {
    /// Starts with `network` if given, else the last network if it still exists, else the last
    /// sample or the default sample. A file that fails to load is reported and the default
    /// sample opens instead.
    pub fn new(settings: Settings, network: Option<PathBuf>) -> Self {
        let explicit = network.is_some();
        let file = network.or_else(|| settings.last_network.clone().filter(|p| p.exists()));
        let mut error = None;
        let mut opened = None;
        if let Some(path) = file {
            match load_network(&path) {
                Ok(n) => opened = Some((n, NetworkSource::File(path))),
                Err(e) => error = Some(format!("cannot open: {e}")),
            }
        }
        let (network, source) = opened.unwrap_or_else(|| {
            let sample = (!explicit)
                .then(|| settings.last_sample.as_deref().and_then(samples::find))
                .flatten()
                .or_else(|| samples::find(samples::DEFAULT_SAMPLE))
                .unwrap_or(&SAMPLES[0]);
            // The embedded samples are checked by the test suite; a broken build is a bug.
            let network = sample.load().expect("embedded sample networks parse");
            (network, NetworkSource::Sample(sample.name))
        });
        let mut app_settings = settings;
        if let NetworkSource::File(p) = &source {
            app_settings.push_recent(p);
            app_settings.last_network = Some(p.clone());
            app_settings.last_sample = None;
        }
        let views = all_views();
        let active = views
            .iter()
            .position(|v| v.id() == app_settings.tab)
            .unwrap_or(0);
        let mut state = AppState::new(app_settings, network, source);
        if let Some(e) = error {
            state.error(e);
        } else if let Some(note) = state.doc.box_note.clone() {
            state.info(note);
        }
        Self {
            state,
            views,
            active,
        }
    }

    /// Restores the settings from eframe's storage, then starts as [`Self::new`].
    pub fn from_creation_context(
        cc: &eframe::CreationContext<'_>,
        network: Option<PathBuf>,
    ) -> Self {
        let settings = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, eframe::APP_KEY))
            .unwrap_or_default();
        let mut app = Self::new(settings, network);
        if let Some(storage) = cc.storage {
            app.restore_runs(storage);
        }
        app
    }

    /// Restores the Runs table saved by the last session (an unreadable table, e.g. from an
    /// incompatible version, starts empty).
    pub fn restore_runs(&mut self, storage: &dyn eframe::Storage) {
        self.state.runs = eframe::get_value(storage, RUNS_KEY).unwrap_or_default();
    }

    /// The id of the view shown.
    #[cfg(test)]
    pub fn active_view(&self) -> &'static str {
        self.views[self.active].id()
    }

    /// The ids of every view, in tab order.
    pub fn view_ids(&self) -> Vec<&'static str> {
        self.views.iter().map(|v| v.id()).collect()
    }

    /// Shows the view with this id (if any).
    pub fn select_view(&mut self, id: &str) {
        if let Some(k) = self.views.iter().position(|v| v.id() == id) {
            self.active = k;
            self.state.settings.tab = id.to_string();
        }
    }

    /// Whether a worker of the state or of a view is running.
    pub fn is_busy(&self) -> bool {
        self.state.is_busy() || self.views.iter().any(|v| v.is_busy())
    }

    /// Draws one frame of the whole app into `ui` (the root of the window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.state.poll(&ctx);
        self.handle_shortcuts(&ctx);
        self.handle_dropped_files(&ctx);
        if let Some(id) = self.state.requested_view.take() {
            self.select_view(id);
        }
        let method = self.state.settings.bound_method();
        self.state.doc.update_display(method);
        let theme = if self.state.settings.light_theme {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        };
        if ctx.theme() != theme {
            ctx.set_theme(theme);
        }

        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui));
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(300.0)
            .min_size(240.0)
            .show(ui, |ui| {
                // Solve and Cancel stay in sight below the scrolling settings.
                egui::Panel::bottom("solve_strip")
                    .show(ui, |ui| controls::solve_buttons(ui, &mut self.state));
                egui::ScrollArea::vertical()
                    .id_salt("controls_scroll")
                    .show(ui, |ui| controls::side_panel(ui, &mut self.state));
            });
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.export_window(&ctx);
        super::tour::tour_window(&ctx, &mut self.state);
        self.notice_toast(&ctx);
        self.drop_overlay(&ctx);
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let (open, solve) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::COMMAND, Key::O),
                i.consume_key(Modifiers::NONE, Key::F5),
            )
        });
        if open {
            self.state.open_dialog(ctx);
        }
        if solve {
            self.state.start_solve(ctx);
        }
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(file) = dropped.first() {
            let path = file.path().to_path_buf();
            if path.as_os_str().is_empty() {
                self.state
                    .error("cannot open the dropped file: it has no path");
            } else {
                self.state.open_path(ctx, path);
            }
        }
    }

    fn drop_overlay(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop_overlay"),
        ));
        let rect = ctx.viewport_rect();
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop a network (.json, .onnx, .nnet), a problem (.json) or a property (.vnnlib) to open it",
            egui::FontId::proportional(22.0),
            egui::Color32::WHITE,
        );
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui
                    .button("Open…  (Ctrl+O)")
                    .on_hover_text("choose a .json, .onnx or .nnet network, a problem file or a .vnnlib property")
                    .clicked()
                {
                    self.state.open_dialog(&ctx);
                    ui.close();
                }
                ui.menu_button("Samples", |ui| {
                    for sample in SAMPLES {
                        if ui.button(sample.name).on_hover_text(sample.description).clicked() {
                            self.state.open_sample(sample.name);
                            ui.close();
                        }
                    }
                });
                ui.menu_button("Recent files", |ui| {
                    if self.state.settings.recent.is_empty() {
                        ui.weak("none yet");
                    }
                    let mut chosen = None;
                    for path in &self.state.settings.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            chosen = Some(path.clone());
                        }
                    }
                    if let Some(path) = chosen {
                        self.state.open_path(&ctx, path);
                        ui.close();
                    }
                });
                ui.separator();
                if ui.button("Quit").clicked() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Export", |ui| {
                for kind in [
                    ExportKind::Mps,
                    ExportKind::Lp,
                    ExportKind::AnalysisJson,
                    ExportKind::RunsCsv,
                    ExportKind::RunsJson,
                    ExportKind::ViewPng,
                ] {
                    let tooltip = match kind {
                        ExportKind::Mps | ExportKind::Lp => {
                            "the big-M MILP with the selected bounds and objective, for any MILP solver"
                        }
                        ExportKind::AnalysisJson => "bounds, stability and big-M per layer",
                        ExportKind::RunsCsv => "the Runs table",
                        ExportKind::RunsJson => {
                            "every run in full, with its curve and per-layer figures"
                        }
                        ExportKind::ViewPng => "a screenshot of the current view",
                        ExportKind::Figure(_) | ExportKind::ShownChart => "the view's figure",
                    };
                    if ui
                        .button(format!("{}…", capitalise(kind.label())))
                        .on_hover_text(tooltip)
                        .clicked()
                    {
                        self.state.begin_export(kind);
                        ui.close();
                    }
                }
                let id = self.views[self.active].id();
                let figure = ExportKind::figure_of_view(id);
                if ui
                    .add_enabled(figure.is_some(), egui::Button::new("Figure of this view (SVG, PNG or CSV)…"))
                    .on_hover_text(
                        "the view's figure drawn as `reluscope plot` draws it, titled with the \
                         network, box and methods; .svg or .png by the file name, or .csv for \
                         the data drawn (every view but Runs, which exports as CSV and JSON)",
                    )
                    .clicked()
                    && let Some(kind) = figure
                {
                    self.state.begin_export(kind);
                    ui.close();
                }
            });
            ui.menu_button("View", |ui| {
                ui.checkbox(&mut self.state.settings.light_theme, "Light theme")
                    .on_hover_text("dark text on a light background, for projectors and print");
                ui.separator();
                let mut chosen = None;
                for (k, v) in self.views.iter().enumerate() {
                    if ui
                        .selectable_label(k == self.active, v.title())
                        .on_hover_text(v.explanation())
                        .clicked()
                    {
                        chosen = Some(v.id());
                    }
                }
                if let Some(id) = chosen {
                    self.select_view(id);
                    ui.close();
                }
            });
            ui.menu_button("Help", |ui| {
                if ui
                    .button("Guided tour…")
                    .on_hover_text(
                        "the study's story in seven steps on the samples: interval bounds grow \
                         with depth, LP-OBBT shrinks them, L1 makes neurons stable, fewer \
                         regions, a faster solve",
                    )
                    .clicked()
                {
                    let ctx = ui.ctx().clone();
                    self.state.tour_step(&ctx, 0);
                    ui.close();
                }
            });
        });
    }

    /// The notice as a toast above the status bar: it never shifts the layout, so a click
    /// aimed at a control cannot land on another one when a message appears or fades.
    fn notice_toast(&mut self, ctx: &egui::Context) {
        let Some(notice) = &self.state.notice else {
            return;
        };
        let error = notice.kind == NoticeKind::Error;
        let text = if error {
            format!("Error: {}", notice.text)
        } else {
            notice.text.clone()
        };
        let mut dismiss = false;
        egui::Area::new(egui::Id::unique("notice_toast"))
            .order(egui::Order::Foreground)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -36.0))
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(560.0);
                    ui.horizontal(|ui| {
                        let colour = if error {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).wrap());
                        dismiss = ui
                            .small_button("Dismiss")
                            .on_hover_text("hide this message")
                            .clicked();
                    });
                });
            });
        if dismiss {
            self.state.notice = None;
        }
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        let state = &mut self.state;
        ui.horizontal(|ui| {
            let mut busy = false;
            if let Some(load) = &state.load_task {
                busy = true;
                ui.spinner();
                ui.label(format!("reading {}…", load.path.display()));
            }
            if state.dialog_task.is_some() {
                busy = true;
                ui.label("waiting for the file dialog…");
            }
            if let Some(t) = &state.bounds_task {
                busy = true;
                ui.add(
                    egui::ProgressBar::new(t.fraction.unwrap_or(0.0) as f32)
                        .desired_width(140.0)
                        .animate(true),
                );
                ui.label(format!(
                    "{} bounds, {}",
                    t.key.2.key(),
                    format_elapsed(t.task.elapsed())
                ));
            }
            if let Some(s) = &state.solve {
                busy = true;
                ui.spinner();
                ui.label(format!("{}, {}", s.phase, format_elapsed(s.task.elapsed())));
                if s.task.is_cancelling() {
                    ui.label("(cancelling…)");
                }
            }
            if state.scaling_task.is_some() {
                busy = true;
                ui.spinner();
                ui.label("rescaling…");
            }
            if let Some(t) = &state.training.running {
                busy = true;
                ui.add(egui::ProgressBar::new(t.fraction()).desired_width(100.0));
                ui.label(format!(
                    "training epoch {} / {}, {}",
                    t.curve.epochs(),
                    t.config.epochs,
                    format_elapsed(t.task.elapsed())
                ));
            }
            for w in &state.write_tasks {
                busy = true;
                ui.label(format!("writing {}…", w.what));
            }
            if busy {
                // Elapsed times tick even when workers are quiet.
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(250));
            } else {
                ui.weak("Ready");
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let method = state.settings.bound_method();
                if let Some(a) = state.doc.shown_analysis(method) {
                    let scaling = state.settings.scaling_method();
                    ui.label(format!(
                        "{}  {}  ·  {} unstable of {} ({:.1}% stable), {} binaries{}",
                        state.doc.network.name,
                        state.doc.network.architecture(),
                        a.report.unstable,
                        a.report.hidden_neurons,
                        a.report.stable_percent,
                        a.report.binaries,
                        if scaling == reluscope::scaling::ScalingMethod::None {
                            String::new()
                        } else {
                            format!(", {} scaling", scaling.key())
                        }
                    ));
                }
            });
        });
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let mut chosen = None;
            for (k, v) in self.views.iter().enumerate() {
                if ui
                    .selectable_label(k == self.active, v.title())
                    .on_hover_text(v.explanation())
                    .clicked()
                {
                    chosen = Some(v.id());
                }
            }
            if let Some(id) = chosen {
                self.select_view(id);
            }
        });
        ui.separator();
        self.state.view_rect = ui.available_rect_before_wrap();
        let view = &mut self.views[self.active];
        ui.label(egui::RichText::new(view.explanation()).italics());
        let method = self.state.settings.bound_method();
        if let Some(shown) = self.state.doc.shown_analysis(method)
            && shown.method() != method
        {
            let why = if self.state.bounds_task.is_some() || self.state.solve.is_some() {
                "until they are computed"
            } else {
                "because they were not computed (press Compute on the left)"
            };
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "The {} bounds are shown instead of the {} bounds {why}.",
                    shown.method().label(),
                    method.label()
                ),
            );
        }
        ui.add_space(4.0);
        if let Some(comparison) = view.comparison() {
            crate::gui::views::compared_runs_panel(ui, &self.state, comparison);
        }
        view.ui(ui, &mut self.state);
    }

    fn export_window(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.state.export_dialog else {
            return;
        };
        let kind = dialog.kind;
        let mut action = None;
        let mut open = true;
        egui::Window::new(format!("Export {}", kind.label()))
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .show(ctx, |ui| {
                if let Some(image) = &dialog.image {
                    ui.label(format!(
                        "Screenshot: {}×{} pixels",
                        image.size[0], image.size[1]
                    ));
                }
                let label = ui.label("Save to:");
                ui.add(egui::TextEdit::singleline(&mut dialog.path).desired_width(420.0))
                    .labelled_by(label.id);
                ui.horizontal(|ui| {
                    if ui.button("Save").on_hover_text("write the file").clicked() {
                        action = Some(ExportAction::Save);
                    }
                    if ui
                        .button("Browse…")
                        .on_hover_text("choose the file with the system dialog")
                        .clicked()
                    {
                        action = Some(ExportAction::Browse);
                    }
                    if ui.button("Close").clicked() {
                        action = Some(ExportAction::Close);
                    }
                });
            });
        if !open {
            action = Some(ExportAction::Close);
        }
        match action {
            Some(ExportAction::Save) => {
                if let Some(d) = self.state.export_dialog.take() {
                    let path = PathBuf::from(d.path.trim());
                    self.state.run_export(ctx, d.kind, path, d.image);
                }
            }
            Some(ExportAction::Browse) if self.state.dialog_task.is_none() => {
                let name = PathBuf::from(dialog_path_name(&self.state));
                let file = name
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                self.state.dialog_task = Some(DialogTask::save_as(ctx, file, kind.extensions()));
            }
            Some(ExportAction::Close) => self.state.export_dialog = None,
            Some(ExportAction::Browse) | None => {}
        }
    }
}

fn dialog_path_name(state: &AppState) -> String {
    state
        .export_dialog
        .as_ref()
        .map(|d| d.path.clone())
        .unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl eframe::App for ReluscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state.settings);
        eframe::set_value(storage, RUNS_KEY, &self.state.runs);
    }
}

/// The storage key of the Runs table, kept across restarts.
pub const RUNS_KEY: &str = "reluscope_runs";
