//! The left side panel: open a network, edit the input box, pick the bound method and the
//! rescaling, set the objective and the solver, Solve / Cancel.

use super::document::{NetworkSource, ProblemKind, displayable, format_range};
use super::samples::SAMPLES;
use super::settings::{SolverChoice, SolverSetting};
use super::state::AppState;
use super::worker::{format_elapsed, format_seconds};
use eframe::egui::{self, DragValue, RichText};
use reluscope::bounds::BoundMethod;
use reluscope::numbers::format_number;
use reluscope::scaling::ScalingMethod;
use std::path::PathBuf;

/// Draws the side panel.
pub fn side_panel(ui: &mut egui::Ui, state: &mut AppState) {
    network_section(ui, state);
    ui.separator();
    if state.doc.problem.is_some() {
        problem_section(ui, state);
        ui.separator();
    }
    box_section(ui, state);
    ui.separator();
    bounds_section(ui, state);
    ui.separator();
    scaling_section(ui, state);
    ui.separator();
    objective_section(ui, state);
    ui.separator();
    solve_section(ui, state);
}

fn network_section(ui: &mut egui::Ui, state: &mut AppState) {
    let ctx = ui.ctx().clone();
    let net = &state.doc.network;
    ui.label(RichText::new(format!("Network: {}", net.name)).heading())
        .on_hover_text(format!("from {}", state.doc.source.describe()));
    ui.label(format!(
        "{} ({} hidden neurons, {} parameters)",
        net.architecture(),
        net.hidden_neurons(),
        net.parameter_count()
    ))
    .on_hover_text("widths from input to output");
    egui::CollapsingHeader::new("Open a network")
        .default_open(true)
        .show(ui, |ui| {
            let label = ui.label("File path:");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut state.path_field)
                        .hint_text("network, problem or .vnnlib file")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let loading = state.load_task.is_some();
                if ui
                    .add_enabled(!loading, egui::Button::new("Open"))
                    .on_hover_text("read the file typed above (the current network stays open if it fails)")
                    .clicked()
                    || (enter && !loading)
                {
                    let path = PathBuf::from(state.path_field.trim());
                    state.open_path(&ctx, path);
                }
                if ui
                    .add_enabled(state.dialog_task.is_none(), egui::Button::new("Browse…"))
                    .on_hover_text("choose a file with the system dialog (Ctrl+O); you can also drop a file on the window")
                    .clicked()
                {
                    state.open_dialog(&ctx);
                }
                if loading {
                    ui.spinner();
                }
            });
            let current_sample = match &state.doc.source {
                NetworkSource::Sample(name) => Some(*name),
                NetworkSource::File(_) | NetworkSource::Trained(_) => None,
            };
            let mut chosen = None;
            egui::ComboBox::new("sample_picker", "Sample")
                .selected_text(current_sample.unwrap_or("choose…"))
                .show_ui(ui, |ui| {
                    for sample in SAMPLES {
                        if ui
                            .selectable_label(current_sample == Some(sample.name), sample.name)
                            .on_hover_text(sample.description)
                            .clicked()
                        {
                            chosen = Some(sample.name);
                        }
                    }
                })
                .response
                .on_hover_text("sample networks built into the app");
            if let Some(name) = chosen {
                state.open_sample(name);
            }
            if !state.settings.recent.is_empty() {
                let mut open_recent = None;
                egui::CollapsingHeader::new("Recent files")
                    .default_open(false)
                    .show(ui, |ui| {
                        for path in &state.settings.recent {
                            let name = path
                                .file_name()
                                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                            if ui
                                .small_button(name)
                                .on_hover_text(path.display().to_string())
                                .clicked()
                            {
                                open_recent = Some(path.clone());
                            }
                        }
                    });
                if let Some(path) = open_recent {
                    state.open_path(&ctx, path);
                }
            }
        });
}

/// Shown lines of a problem's constraints before "… and N more".
const PROBLEM_LINES: usize = 8;

/// The problem or property open beside the network: its networks (a picker), constraints,
/// alternatives and objective, and a button to close it.
fn problem_section(ui: &mut egui::Ui, state: &mut AppState) {
    let Some(attached) = state.doc.problem.clone() else {
        return;
    };
    let name = attached.source.file_name().map_or_else(
        || attached.source.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let heading = match attached.kind {
        ProblemKind::ProblemFile => format!("Problem: {name}"),
        ProblemKind::Property => format!("Property: {name}"),
    };
    ui.label(RichText::new(heading).heading())
        .on_hover_text(attached.source.display().to_string());
    let networks = &attached.problem.networks;
    if networks.len() > 1 {
        let mut chosen = None;
        egui::ComboBox::new("problem_network", "network shown")
            .selected_text(networks[attached.shown].name.clone())
            .show_ui(ui, |ui| {
                for (k, n) in networks.iter().enumerate() {
                    if ui
                        .selectable_label(k == attached.shown, n.name.clone())
                        .clicked()
                    {
                        chosen = Some(k);
                    }
                }
            })
            .response
            .on_hover_text("the network the views show; Solve takes all of them");
        if let Some(k) = chosen {
            state.show_problem_network_index(k);
        }
    }
    let lines = attached.problem.describe_lines();
    // Long properties fold away so that the solver stays within reach.
    egui::CollapsingHeader::new(format!("constraints and objective ({} lines)", lines.len()))
        .default_open(lines.len() <= 4)
        .show(ui, |ui| {
            for line in lines.iter().take(PROBLEM_LINES) {
                ui.monospace(line);
            }
            if lines.len() > PROBLEM_LINES {
                ui.weak(format!("… and {} more", lines.len() - PROBLEM_LINES));
            }
        });
    let what = match (attached.kind, attached.problem.objective.is_some()) {
        (ProblemKind::Property, _) | (_, false) => {
            "Solve verifies: sat (a checked counterexample), unsat or unknown"
        }
        (_, true) => "Solve optimises the problem's objective over every network",
    };
    ui.weak(what);
    if ui
        .button("Close problem")
        .on_hover_text("solve the network alone again (the network and box stay)")
        .clicked()
    {
        state.detach_problem();
    }
}

fn box_section(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Input box")
        .on_hover_text("the MILP optimises over lo ≤ x ≤ hi; a smaller box gives tighter bounds");
    let doc = &mut state.doc;
    let mut changed = false;
    let rows = doc.box_edit.len();
    // Only the visible rows are laid out, so a 784-input network costs what a 2-input one does.
    let row_height = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
    let label_width = 14.0 + 7.0 * (rows.max(1) as f32).log10().ceil();
    egui::ScrollArea::vertical()
        .id_salt("box_editor")
        .max_height(220.0)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, rows, |ui, range| {
            for k in range {
                let pair = &mut doc.box_edit[k];
                ui.horizontal(|ui| {
                    ui.add_sized([label_width, row_height], egui::Label::new(format!("x{k}")));
                    let speed = ((pair[1] - pair[0]).abs().max(1e-3)) * 0.005;
                    changed |= ui
                        .add(DragValue::new(&mut pair[0]).speed(speed).max_decimals(6))
                        .on_hover_text(format!("lower bound of input {k}"))
                        .changed();
                    changed |= ui
                        .add(DragValue::new(&mut pair[1]).speed(speed).max_decimals(6))
                        .on_hover_text(format!("upper bound of input {k}"))
                        .changed();
                });
            }
        });
    if rows > 8 {
        ui.weak(format!("{rows} inputs"));
    }
    if let Some(e) = &doc.box_error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("{e}; the last valid box is used"),
        );
    }
    if let Some(note) = &doc.box_note {
        ui.weak(note);
    }
    if changed {
        state.apply_box_edit();
    }
    if ui
        .button("Reset box")
        .on_hover_text("restore the box stored with the network")
        .clicked()
    {
        state.reset_box();
    }
}

fn bounds_section(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Bound method").on_hover_text(
        "how the pre-activation bounds L ≤ a ≤ U are computed: they decide which neurons are \
         stable and how large the big-M constants are",
    );
    let selected = state.settings.bound_method();
    for method in BoundMethod::ALL {
        let mut text = method.label().to_string();
        if let Some(a) = state.doc.analysis(method) {
            text.push_str(&format!(
                "  ({}, {:.0}% stable)",
                format_seconds(a.report.time_s),
                a.report.stable_percent
            ));
        }
        if ui
            .radio(selected == method, text)
            .on_hover_text(displayable(method.description()))
            .clicked()
            && selected != method
        {
            state.set_bound_method(method);
        }
    }
    if let Some(a) = state.doc.analysis(selected) {
        warning_lines(ui, &a.report.warnings);
    }
    let ctx = ui.ctx().clone();
    if let Some(task) = &state.bounds_task {
        let fraction = task.fraction.unwrap_or(0.0) as f32;
        let text = format!(
            "{} {}{}",
            task.key.2.key(),
            format_elapsed(task.task.elapsed()),
            if task.step.is_empty() {
                String::new()
            } else {
                format!(": {}", task.step)
            }
        );
        ui.add(egui::ProgressBar::new(fraction).text(text).animate(true));
        let cancelling = task.task.is_cancelling();
        if ui
            .add_enabled(
                !cancelling,
                egui::Button::new(if cancelling {
                    "Cancelling…"
                } else {
                    "Cancel bounds"
                }),
            )
            .on_hover_text("stop computing these bounds (within about a second)")
            .clicked()
        {
            state.cancel_bounds();
        }
    } else if state.bounds_stopped == Some(state.wanted_bounds()) {
        ui.horizontal(|ui| {
            ui.label(format!("{} bounds not computed.", selected.key()));
            if ui
                .button("Compute")
                .on_hover_text("start computing the selected bounds again")
                .clicked()
            {
                state.compute_selected_bounds(&ctx);
            }
        });
    }
}

/// Warnings about the MILP (ill-conditioning, bounds stopped early), in the warning colour and
/// wrapped so that they never widen the panel.
pub fn warning_lines(ui: &mut egui::Ui, warnings: &[String]) {
    for warning in warnings {
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!("Warning: {warning}"))
                    .color(ui.visuals().warn_fg_color),
            )
            .wrap(),
        );
    }
}

/// A warning when a rescaling widens the MILP's coefficient range (largest / smallest
/// |coefficient|) instead of narrowing it.
pub fn widening_warning(before: Option<(f64, f64)>, after: Option<(f64, f64)>) -> Option<String> {
    let ratio = |r: Option<(f64, f64)>| r.filter(|(lo, _)| *lo > 0.0).map(|(lo, hi)| hi / lo);
    let (b, a) = (ratio(before)?, ratio(after)?);
    (a > b * (1.0 + 1e-9)).then(|| {
        format!(
            "This rescaling widens the coefficient range (max/min {} to {}), which makes the MILP's \
             numerics harder, not easier: try another rescaling or none.",
            format_number(b),
            format_number(a)
        )
    })
}

/// The coefficient line of the scaling panel (also what the tests read).
pub fn coefficient_line(before: Option<(f64, f64)>, after: Option<(f64, f64)>) -> String {
    format!(
        "MILP coefficients |a|: {} before, {} after rescaling",
        format_range(before),
        format_range(after)
    )
}

fn scaling_section(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Rescaling").on_hover_text(
        "ReLU is positively homogeneous: multiplying a hidden neuron's incoming weights and bias \
         by s > 0 and dividing its outgoing weights by s computes the same function, while its \
         bounds and big-M scale by s. The MILP is built from the rescaled network; stable \
         neurons and binaries do not change.",
    );
    let selected = state.settings.scaling_method();
    for scaling in ScalingMethod::ALL {
        if ui
            .radio(selected == scaling, displayable(scaling.label()))
            .on_hover_text(displayable(scaling.description()))
            .clicked()
            && selected != scaling
        {
            state.set_scaling_method(scaling);
        }
    }
    if selected == ScalingMethod::None {
        return;
    }
    let method = state.settings.bound_method();
    match state.selected_scaled() {
        Some(scaled) => {
            let r = &scaled.report;
            ui.label(coefficient_line(
                r.coefficient_range_before,
                r.coefficient_range_after,
            ))
            .on_hover_text(
                "smallest and largest |coefficient| of the whole MILP (weights, biases, big-M \
                 and bounds) before and after the rescaling; a smaller ratio is easier on the \
                 solver's numerics",
            );
            if let Some(warning) =
                widening_warning(r.coefficient_range_before, r.coefficient_range_after)
            {
                ui.colored_label(ui.visuals().warn_fg_color, warning);
            }
            let before = r.max_hidden_big_m_unscaled();
            ui.label(format!(
                "{} rescaled in {}; max big-M {} before, {} after",
                scaled.label(),
                format_seconds(scaled.scaling_time_s()),
                before.map_or("–".into(), format_number),
                scaled.max_big_m().map_or("–".into(), format_number),
            ))
            .on_hover_text(
                "time to choose the factors and rescale, and the largest big-M before and after",
            );
            warning_lines(ui, &r.warnings);
        }
        None if state.scaling_failed == Some(state.wanted_scaling()) => {
            ui.weak("the rescaling failed (see the message)");
        }
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(format!("rescaling follows the {} bounds…", method.key()));
            });
        }
    }
}

fn objective_section(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Objective").on_hover_text(
        "what the MILP optimises over the box: c·f(x), a weighted sum of the outputs",
    );
    if let Some(p) = &state.doc.problem {
        ui.weak(if p.problem.objective.is_some() {
            "the problem's (see above); the choice below colours the Surface"
        } else {
            "none: a feasibility question (see above); the choice below colours the Surface"
        });
    }
    let outputs = state.doc.network.output_dim();
    let s = &mut state.settings.solve;
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.maximize, false, "minimise")
            .on_hover_text("find the smallest value over the box");
        ui.radio_value(&mut s.maximize, true, "maximise")
            .on_hover_text("find the largest value over the box");
    });
    if outputs == 1 && !s.use_combination {
        ui.label("output 0 (the only output)");
        s.output = 0;
        return;
    }
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.use_combination, false, "output")
            .on_hover_text("optimise one output of the network");
        let mut index = s.output.min(outputs.saturating_sub(1));
        ui.add_enabled(
            !s.use_combination,
            DragValue::new(&mut index).range(0..=outputs.saturating_sub(1)),
        )
        .on_hover_text(format!("output index, 0 to {}", outputs.saturating_sub(1)));
        s.output = index;
    });
    ui.horizontal(|ui| {
        ui.radio_value(&mut s.use_combination, true, "combination")
            .on_hover_text("optimise a weighted sum of the outputs");
        let label = ui.label("c =");
        ui.add_enabled(
            s.use_combination,
            egui::TextEdit::singleline(&mut s.combination)
                .hint_text(format!("{outputs} weights, e.g. 1, -1"))
                .desired_width(120.0),
        )
        .labelled_by(label.id);
    });
    if s.use_combination
        && let Err(e) = s.objective(outputs)
    {
        ui.colored_label(ui.visuals().error_fg_color, e.to_string());
    }
}

fn solve_section(ui: &mut egui::Ui, state: &mut AppState) {
    ui.heading("Solver");
    let inputs = state.doc.network.input_dim();
    let resolved = state
        .settings
        .solve
        .solver
        .resolve(&state.doc.network, state.doc.input_box())
        .0;
    let (auto_pick, why) = SolverSetting::Auto.resolve(&state.doc.network, state.doc.input_box());
    let s = &mut state.settings.solve;
    ui.horizontal(|ui| {
        // Four choices on one line of the 300-point panel: a little tighter than the default.
        ui.spacing_mut().item_spacing.x = 4.0;
        ui.spacing_mut().icon_spacing = 3.0;
        // What auto resolves to sits in its own label and hover, not on a line of its own:
        // the panel must keep Solve in view.
        let auto_text = format!("auto ({})", auto_pick.key());
        let auto_hover = match &why {
            Some(why) => format!("the fastest exact path for this network: {why}"),
            None => "the fastest exact path for the network: the region enumeration for up to \
                     two inputs, the MILP otherwise"
                .to_string(),
        };
        ui.radio_value(&mut s.solver, SolverSetting::Auto, auto_text)
            .on_hover_text(auto_hover);
        ui.radio_value(&mut s.solver, SolverSetting::Milp, "MILP")
            .on_hover_text("the big-M MILP on HiGHS, built with the bounds and rescaling above");
        ui.radio_value(&mut s.solver, SolverSetting::Regions, "regions")
            .on_hover_text(
                "exact without a MILP: the best of the optima over every linear region (one LP \
                 per region, a polygon vertex for two inputs). Practical for a few inputs only; \
                 ignores the bounds and the rescaling",
            );
        ui.radio_value(&mut s.solver, SolverSetting::Branch, "branch")
            .on_hover_text(
                "exact without a MILP: splits the input box, drops the parts whose bound cannot \
                 beat the best point found and finishes small parts by their regions. Fast for \
                 3–5 inputs, and for 6–8 on wide networks; ignores the bounds and the rescaling",
            );
    });
    if resolved == SolverChoice::Regions && inputs > reluscope::regions::EXACT_MAX_INPUTS {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{inputs} inputs: the regions may be far too many to enumerate (the app stops at \
                 {} regions or the time limit)",
                crate::gui::region_map::APP_MAX_REGIONS
            ),
        );
    }
    if resolved == SolverChoice::Branch && inputs > reluscope::pipeline::AUTO_RACE_MAX_INPUTS {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{inputs} inputs: branching over the box may take long beyond {} inputs; the \
                 MILP is usually faster",
                reluscope::pipeline::AUTO_RACE_MAX_INPUTS
            ),
        );
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut s.time_limit_on, "time limit")
            .on_hover_text("stop HiGHS after this many seconds, keeping the best point found");
        ui.add_enabled(
            s.time_limit_on,
            DragValue::new(&mut s.time_limit_s)
                .range(0.1..=86_400.0)
                .speed(1.0)
                .suffix(" s"),
        )
        .on_hover_text("time limit in seconds");
    });
    ui.horizontal(|ui| {
        ui.label("MIP gap").on_hover_text(
            "HiGHS (and branching) stop when |best − bound| / |best| falls below this: \
             0.0001% proves optimality to about 6 digits",
        );
        let mut percent = s.mip_gap * 100.0;
        if ui
            .add_enabled(
                s.solver
                    .resolve(&state.doc.network, state.doc.input_box())
                    .0
                    != SolverChoice::Regions,
                DragValue::new(&mut percent)
                    .range(0.0..=100.0)
                    .speed(0.001)
                    .max_decimals(6)
                    .suffix(" %"),
            )
            .on_hover_text("relative MIP gap in percent")
            .changed()
        {
            s.mip_gap = percent / 100.0;
        }
    });
    let milp = resolved == SolverChoice::Milp;
    ui.horizontal(|ui| {
        ui.add_enabled(milp, egui::Checkbox::new(&mut s.ideal_cuts, "ideal cuts"))
            .on_hover_text(
                "MILP: add the ideal-formulation inequalities (Anderson et al.) that the root LP \
                 violates, in rounds, before branch and bound; the Solve view shows the root \
                 bound before and after. Sound whatever the bounds; measured not to pay on the \
                 reference networks, hence off by default",
            );
        ui.add_enabled(milp, egui::Checkbox::new(&mut s.local_search, "walk start"))
            .on_hover_text(
                "MILP: before HiGHS starts, walk from the best sampled inputs over linear \
                 regions (an LP per region) to a better first incumbent",
            );
        ui.add_enabled(
            milp,
            egui::Checkbox::new(&mut s.one_sided, "one-sided ReLUs"),
        )
        .on_hover_text(
            "MILP: a neuron the objective and the constraints only push down (its output \
             reaches them through weights of one sign) needs no binary: h ≥ max(a, 0) \
             suffices, with the same answer. Off: one binary per unstable neuron",
        );
    });
}

/// Solve and Cancel, the progress of a running solve and the last solve's line: pinned at
/// the bottom of the side panel, so that they stay visible however long the panel grows.
pub fn solve_buttons(ui: &mut egui::Ui, state: &mut AppState) {
    let ctx = ui.ctx().clone();
    let by_regions = state
        .settings
        .solve
        .solver
        .resolve(&state.doc.network, state.doc.input_box())
        .0
        == SolverChoice::Regions;
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let running = state.solve.is_some();
        if ui
            .add_enabled(
                !running,
                egui::Button::new(RichText::new("Solve (F5)").strong()),
            )
            .on_hover_text(match by_regions {
                false => {
                    "build the big-M MILP with the selected bounds and rescaling and solve it with HiGHS"
                }
                true => "optimise over every linear region in turn (exact, no MILP)",
            })
            .clicked()
        {
            state.start_solve(&ctx);
        }
        let cancelling = state.solve.as_ref().is_some_and(|s| s.task.is_cancelling());
        if ui
            .add_enabled(running && !cancelling, egui::Button::new("Cancel"))
            .on_hover_text("stop the solve within about a second, keeping the best point found")
            .clicked()
        {
            state.cancel_solve();
        }
    });
    if let Some(solve) = &state.solve {
        let text = format!("{} — {}", solve.phase, format_elapsed(solve.task.elapsed()));
        let bar = match solve.fraction {
            Some(f) => egui::ProgressBar::new(f as f32),
            None => egui::ProgressBar::new(0.0).animate(true),
        };
        ui.add(bar.text(text));
        if solve.task.is_cancelling() {
            ui.label("Cancelling…");
        }
    } else if let Some(last) = &state.last_solve {
        let objective = last
            .outcome
            .as_ref()
            .ok()
            .and_then(|r| r.objective)
            .map_or("–".into(), format_number);
        // Say which network and box the numbers belong to when they are not the ones shown.
        let req = &last.request;
        let whose = if req.doc_id != state.doc.id {
            format!(" (on {}, not the network shown)", req.network.name)
        } else if req.box_revision != state.doc.box_revision() {
            " (over an earlier box)".to_string()
        } else {
            String::new()
        };
        ui.label(format!(
            "Last solve{whose}: {}, objective {objective}",
            last.status()
        ));
    }
}
