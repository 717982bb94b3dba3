//! Training: train a network on a benchmark function or a CSV file on a worker, with a live
//! loss curve and Cancel; then open the result for analysis or save it.

use super::big_m::{decade_marks, power_label};
use super::{View, palette};
use crate::gui::state::AppState;
use crate::gui::train_task::{DataChoice, FUNCTION_NAMES, FinishedTraining, LossCurve};
use crate::gui::worker::{format_elapsed, format_seconds};
use eframe::egui::{self, DragValue, RichText};
use egui_plot::{HoverPosition, Legend, Line, Plot, PlotPoints, VLine};
use reluscope::numbers::format_number;
use reluscope::training::{TrainedNetwork, TrainingConfig};
use std::time::Duration;

/// Width of the form column, in points.
const FORM_WIDTH: f32 = 330.0;

/// The Training view (stateless: the form is in the settings, the run in the state).
pub struct TrainView;

impl View for TrainView {
    fn id(&self) -> &'static str {
        "train"
    }

    fn title(&self) -> &'static str {
        "Training"
    }

    fn explanation(&self) -> &'static str {
        "Train a dense ReLU network (Adam, early stopping) with the study's regularizers, watch \
         its loss, then open it for analysis: L1, clipped ReLU and dropout change how hard the \
         MILP is."
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(FORM_WIDTH);
                egui::ScrollArea::vertical()
                    .id_salt("train_form_scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| form(ui, state));
            });
            ui.separator();
            ui.vertical(|ui| progress_and_result(ui, state));
        });
    }
}

/// A row of the form: a label the widget is labelled by, then the widget.
fn row(
    ui: &mut egui::Ui,
    label: &str,
    tooltip: &str,
    add: impl FnOnce(&mut egui::Ui) -> egui::Response,
) {
    let l = ui.label(label).on_hover_text(tooltip);
    add(ui).labelled_by(l.id).on_hover_text(tooltip);
    ui.end_row();
}

fn form(ui: &mut egui::Ui, state: &mut AppState) {
    let running = state.training.running.is_some();
    let ctx = ui.ctx().clone();
    ui.add_enabled_ui(!running, |ui| {
        let f = &mut state.settings.train;
        ui.strong("Data");
        ui.horizontal(|ui| {
            ui.radio_value(&mut f.data, DataChoice::Function, "benchmark function")
                .on_hover_text("Latin hypercube samples of a function whose minima are known");
            ui.radio_value(&mut f.data, DataChoice::Csv, "CSV file")
                .on_hover_text("a file whose columns are the inputs, then one output");
        });
        egui::Grid::new("train_data_grid")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| match f.data {
                DataChoice::Function => {
                    let l = ui.label("Function");
                    egui::ComboBox::from_id_salt("train_function")
                        .selected_text(f.function.as_str())
                        .show_ui(ui, |ui| {
                            for name in FUNCTION_NAMES {
                                ui.selectable_value(&mut f.function, name.to_string(), name);
                            }
                        })
                        .response
                        .labelled_by(l.id)
                        .on_hover_text(
                            "peaks on [-2, 2]², Himmelblau on [-5, 5]² (four minima), Ackley \
                             on [-3.5, 3.5]^d",
                        );
                    ui.end_row();
                    if f.function == "ackley" {
                        row(ui, "Dimension", "inputs of Ackley's function", |ui| {
                            ui.add(DragValue::new(&mut f.ackley_dim).range(1..=64))
                        });
                    }
                    row(
                        ui,
                        "Samples",
                        "points sampled from the function (Latin hypercube), split 70/15/15 \
                         into training, validation and test",
                        |ui| {
                            ui.add(
                                DragValue::new(&mut f.samples)
                                    .range(0..=10_000_000)
                                    .speed(50.0),
                            )
                        },
                    );
                }
                DataChoice::Csv => {
                    row(
                        ui,
                        "CSV path",
                        "columns: the inputs, then one output; a header line is allowed",
                        |ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut f.csv_path)
                                    .hint_text("data.csv")
                                    .desired_width(220.0),
                            )
                        },
                    );
                    row(
                        ui,
                        "Box",
                        "the input box stored with the network, lo,hi;lo,hi;… (empty: the \
                         data's range)",
                        |ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut f.csv_box)
                                    .hint_text("optional, e.g. -1,1;-1,1")
                                    .desired_width(220.0),
                            )
                        },
                    );
                }
            });
        ui.add_space(4.0);
        ui.strong("Network and regularizers");
        egui::Grid::new("train_model_grid")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                row(
                    ui,
                    "Hidden widths",
                    "neurons per hidden layer, e.g. 25,25 for two layers of 25",
                    |ui| {
                        ui.add(
                            egui::TextEdit::singleline(&mut f.hidden)
                                .hint_text("25,25")
                                .desired_width(120.0),
                        )
                    },
                );
                row(
                    ui,
                    "L1 λ",
                    "penalty λ·Σ|w|: drives weights to 0, more stable neurons and fewer \
                     linear regions (try 1e-4 to 1e-2)",
                    |ui| {
                        ui.add(
                            DragValue::new(&mut f.l1)
                                .speed(1e-5)
                                .range(0.0..=f64::MAX)
                                .max_decimals(6),
                        )
                    },
                );
                row(ui, "L2 λ", "penalty λ·Σw²: small weights", |ui| {
                    ui.add(
                        DragValue::new(&mut f.l2)
                            .speed(1e-5)
                            .range(0.0..=f64::MAX)
                            .max_decimals(6),
                    )
                });
                let l = ui
                    .checkbox(&mut f.clip_on, "Clipped ReLU cap")
                    .on_hover_text(
                        "hidden layers compute min(max(a, 0), c): bounded outputs, two breakpoints \
                     per neuron",
                    );
                ui.add_enabled(
                    f.clip_on,
                    DragValue::new(&mut f.clip).speed(0.01).max_decimals(4),
                )
                .labelled_by(l.id)
                .on_hover_text("the cap c of the clipped ReLU");
                ui.end_row();
                row(
                    ui,
                    "Dropout",
                    "rate p in [0, 1) of hidden outputs dropped during training: redundant \
                     neurons, which cost solve time",
                    |ui| ui.add(DragValue::new(&mut f.dropout).speed(0.01).max_decimals(3)),
                );
            });
        ui.add_space(4.0);
        ui.strong("Optimisation");
        egui::Grid::new("train_opt_grid")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                row(
                    ui,
                    "Epochs",
                    "the most passes over the training data",
                    |ui| ui.add(DragValue::new(&mut f.epochs).range(0..=1_000_000)),
                );
                row(
                    ui,
                    "Patience",
                    "stop after this many epochs without a better validation loss (0: never \
                     stop early); the best epoch's weights are kept",
                    |ui| ui.add(DragValue::new(&mut f.patience).range(0..=1_000_000)),
                );
                row(ui, "Batch size", "points per Adam step", |ui| {
                    ui.add(DragValue::new(&mut f.batch_size).range(0..=1_000_000))
                });
                row(ui, "Learning rate", "Adam's step size η", |ui| {
                    ui.add(
                        DragValue::new(&mut f.learning_rate)
                            .speed(1e-4)
                            .range(0.0..=10.0)
                            .max_decimals(6),
                    )
                });
                row(
                    ui,
                    "Seed",
                    "seeds the sampling, the split, the initial weights, the batch order and \
                     dropout: the same settings and seed give the same network",
                    |ui| ui.add(DragValue::new(&mut f.seed)),
                );
            });
        if ui
            .small_button("Defaults")
            .on_hover_text("the settings of `reluscope train` and of the sample networks")
            .clicked()
        {
            *f = Default::default();
        }
    });
    ui.add_space(6.0);
    // Checked every frame (cheap), so a bad value is explained before anything starts.
    let invalid = state.settings.train.validate().err();
    ui.horizontal(|ui| {
        let train = ui
            .add_enabled(
                !running && invalid.is_none(),
                egui::Button::new(RichText::new("Train").strong()),
            )
            .on_hover_text("train on a worker thread; the app stays usable meanwhile")
            .on_disabled_hover_text(if running {
                "a training run is in progress"
            } else {
                "fix the settings first (see the message below)"
            });
        if train.clicked() {
            state.start_training(&ctx);
        }
    });
    let error_colour = ui.visuals().error_fg_color;
    if let Some(e) = invalid.as_ref().or(state.training.error.as_ref()) {
        ui.add(egui::Label::new(RichText::new(e).color(error_colour)).wrap());
    }
}

fn progress_and_result(ui: &mut egui::Ui, state: &mut AppState) {
    if let Some(run) = &state.training.running {
        let epochs = run.curve.epochs();
        ui.strong(format!(
            "Training {} hidden on {}…",
            widths(&run.config),
            run.data.label()
        ));
        ui.add(
            egui::ProgressBar::new(run.fraction())
                .text(format!("epoch {epochs} / {}", run.config.epochs))
                .desired_width(ui.available_width().min(480.0)),
        );
        let mut text = format!("elapsed {}", format_elapsed(run.task.elapsed()));
        if let Some(r) = run.curve.last {
            text.push_str(&format!(
                "; train MSE {}, validation MSE {}",
                format_number(r.train_loss),
                format_number(r.validation_loss)
            ));
        }
        ui.label(text);
        let cancelling = run.task.is_cancelling();
        let cancel = ui
            .add_enabled(
                !cancelling,
                egui::Button::new(if cancelling {
                    "Cancelling…"
                } else {
                    "Cancel training"
                }),
            )
            .on_hover_text(
                "stop after the current epoch, keeping the network of the best epoch so far",
            )
            .clicked();
        let height = (ui.available_height() - 10.0).max(160.0);
        loss_plot(ui, &run.curve, None, height);
        // Keep the elapsed time moving between epochs.
        ui.ctx().request_repaint_after(Duration::from_millis(250));
        if cancel {
            state.cancel_training();
        }
        return;
    }
    let training = &mut state.training;
    let Some(last) = &training.last else {
        ui.label(
            "Set the data, the architecture and the regularizers on the left and press Train. \
             The loss curve appears here, epoch by epoch.",
        );
        return;
    };
    let ctx = ui.ctx().clone();
    let mut action = None;
    match &last.outcome {
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("training failed: {e}"));
        }
        Ok(t) => action = result_lines(ui, last, t, &mut training.save_path),
    }
    let best = last.outcome.as_ref().ok().map(|t| t.best_epoch);
    let height = (ui.available_height() - 10.0).max(160.0);
    loss_plot(ui, &last.curve, best, height);
    match action {
        Some(ResultAction::Open) => state.open_trained(),
        Some(ResultAction::Save) => {
            let path = std::path::PathBuf::from(state.training.save_path.trim());
            state.save_trained(&ctx, path);
        }
        Some(ResultAction::SaveAs) => state.save_trained_dialog(&ctx),
        None => {}
    }
}

/// What the result's buttons asked for.
enum ResultAction {
    Open,
    Save,
    SaveAs,
}

/// `25×25`.
fn widths(config: &TrainingConfig) -> String {
    let hidden: Vec<String> = config.hidden.iter().map(usize::to_string).collect();
    hidden.join("×")
}

/// The final figures and the Open / Save buttons; returns the button pressed.
fn result_lines(
    ui: &mut egui::Ui,
    last: &FinishedTraining,
    t: &TrainedNetwork,
    save_path: &mut String,
) -> Option<ResultAction> {
    let how = if t.cancelled {
        format!(
            "Cancelled after {} epochs; the network of the best epoch ({}) is kept",
            t.epochs, t.best_epoch
        )
    } else {
        format!(
            "Finished: {} epochs (best {}) in {}",
            t.epochs,
            t.best_epoch,
            format_seconds(t.time_s)
        )
    };
    ui.strong(format!(
        "{} ({}) trained on {}",
        t.network.name,
        t.network.architecture(),
        last.data.label()
    ));
    ui.label(how);
    let c = &last.config;
    ui.weak(format!(
        "hidden {}, {}, L1 λ {}, L2 λ {}, dropout {}, learning rate {}, seed {}",
        widths(c),
        c.hidden_activation().name(),
        c.l1,
        c.l2,
        c.dropout,
        c.learning_rate,
        c.seed
    ));
    ui.label(format!("train RMSE: {:.8}", t.train_rmse))
        .on_hover_text("root mean squared error on the training split, in output units");
    ui.label(format!("validation RMSE: {:.8}", t.validation_rmse))
        .on_hover_text("on the validation split, which picked the epoch");
    ui.label(format!("test RMSE: {:.8}", t.test_rmse))
        .on_hover_text("on the held-out test split: how well the network generalises");
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new("Open for analysis").strong())
            .on_hover_text("make this network the open network (the current one is replaced)")
            .clicked()
        {
            action = Some(ResultAction::Open);
        }
        if ui
            .button("Save as…")
            .on_hover_text("choose a file with the system dialog: .json, .onnx or .nnet")
            .clicked()
        {
            action = Some(ResultAction::SaveAs);
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label("Network file:");
        ui.add(
            egui::TextEdit::singleline(save_path)
                .hint_text("network.json, .onnx or .nnet")
                .desired_width(320.0),
        )
        .labelled_by(l.id)
        .on_hover_text("where Save network writes: the format follows the extension");
        if ui
            .button("Save network")
            .on_hover_text("write the network to the path typed here (.json, .onnx or .nnet)")
            .clicked()
        {
            action = Some(ResultAction::Save);
        }
    });
    action
}

fn loss_plot(ui: &mut egui::Ui, curve: &LossCurve, best_epoch: Option<usize>, height: f32) {
    if curve.train.is_empty() && curve.validation.is_empty() {
        ui.weak("No epoch finished yet.");
        return;
    }
    Plot::new("loss_curve")
        .height(height)
        .legend(Legend::default())
        .allow_scroll(false)
        .x_axis_label("epoch")
        .y_axis_label("MSE (log scale)")
        .y_grid_spacer(decade_marks)
        .y_axis_formatter(|mark, _| power_label(mark.value))
        .label_formatter(|hover| {
            Some(match hover {
                HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => format!(
                    "{plot_name}\nepoch {:.0}: MSE {}",
                    position.x,
                    format_number(10f64.powf(position.y))
                ),
                HoverPosition::Elsewhere { position } => {
                    format!("MSE {}", format_number(10f64.powf(position.y)))
                }
            })
        })
        .show(ui, |plot| {
            plot.line(
                Line::new("train MSE", PlotPoints::from(curve.train.clone()))
                    .color(palette::series(0))
                    .width(1.5),
            );
            plot.line(
                Line::new("validation MSE", PlotPoints::from(curve.validation.clone()))
                    .color(palette::series(1))
                    .width(2.0),
            );
            if let Some(best) = best_epoch {
                plot.vline(
                    VLine::new("best epoch", best as f64)
                        .color(palette::INCUMBENT)
                        .width(1.0),
                );
            }
        });
}
