//! Solve: the running or last MILP solve: status, objective, bound, gap, x* and the forward
//! check, incumbent and bound over time, and the HiGHS log.

use super::{View, legend_entry, palette};
use crate::gui::controls::coefficient_line;
use crate::gui::document::{ScaledAnalysis, displayable};
use crate::gui::settings::SolverChoice;
use crate::gui::state::AppState;
use crate::gui::worker::{format_elapsed, format_seconds};
use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints, Points};
use reluscope::figures::tick_label;
use reluscope::milp::{SolveProgress, SolveReport};
use reluscope::numbers::format_number;
use std::time::Duration;

/// The Solve view (stateless).
pub struct SolveView;

/// Where the curves end: the time (now for a running solve, the end for a finished one) and
/// the final values, which meet when the optimum is proven.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceEnd {
    /// Solver time of the end, seconds.
    pub time_s: f64,
    /// The final incumbent (a finished solve's objective).
    pub incumbent: Option<f64>,
    /// The final bound.
    pub bound: Option<f64>,
    /// Whether the solve ended proven optimal (the meeting point is marked).
    pub proven: bool,
}

/// `(t, incumbent)` and `(t, bound)` step series of a trace, carried on to `end` (the value
/// holds until the next snapshot, and until the end).
fn trace_series(trace: &[SolveProgress], end: Option<TraceEnd>) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let step = |pick: fn(&SolveProgress) -> Option<f64>, last_value: Option<f64>| {
        let mut out = super::step_line(trace.iter().filter_map(|p| pick(p).map(|v| (p.time_s, v))));
        if let Some(end) = end {
            let held = out.last().map(|p| p[1]);
            if let Some(v) = last_value.or(held).filter(|v| v.is_finite())
                && out.last().is_none_or(|p| p[0] <= end.time_s)
            {
                if let Some(h) = held {
                    out.push([end.time_s, h]);
                }
                out.push([end.time_s, v]);
            }
        }
        out
    };
    (
        step(|p| p.primal_bound, end.and_then(|e| e.incumbent)),
        step(|p| p.dual_bound, end.and_then(|e| e.bound)),
    )
}

fn trace_plot(
    ui: &mut egui::Ui,
    id: u64,
    trace: &[SolveProgress],
    end: Option<TraceEnd>,
    height: f32,
) {
    let (incumbent, bound) = trace_series(trace, end);
    if incumbent.is_empty() && bound.is_empty() {
        ui.weak(
            "No progress reported yet (HiGHS reports when it finds points or improves the bound).",
        );
        return;
    }
    // The legend sits above the plot, never over the curves' meeting point.
    ui.horizontal(|ui| {
        legend_entry(
            ui,
            palette::INCUMBENT,
            "incumbent (best point found)",
            "the best objective value of a point found so far",
        );
        legend_entry(
            ui,
            palette::BOUND,
            "best bound (proven)",
            "no point can be better than this",
        );
        if end.is_some_and(|e| e.proven) {
            ui.weak("• the dot: where they met (optimal)");
        }
    });
    let meeting = end
        .filter(|e| e.proven)
        .and_then(|e| e.incumbent.map(|v| [e.time_s, v]));
    Plot::new(("solve_trace", id))
        .height(height)
        .x_axis_label("seconds")
        .y_axis_label("objective")
        .x_axis_formatter(|m, _| tick_label(m.value))
        .y_axis_formatter(|m, _| tick_label(m.value))
        .show(ui, |plot| {
            plot.line(
                Line::new("incumbent (best point found)", PlotPoints::from(incumbent))
                    .color(palette::INCUMBENT)
                    .width(2.0)
                    // Steps have vertical segments; a band would smear them.
                    .allow_band(false),
            );
            plot.line(
                Line::new("best bound (proven)", PlotPoints::from(bound))
                    .color(palette::BOUND)
                    .width(2.0)
                    .allow_band(false),
            );
            if let Some(p) = meeting {
                plot.points(
                    Points::new("optimum", PlotPoints::from(vec![p]))
                        .color(palette::INCUMBENT)
                        .radius(5.0),
                );
            }
        });
}

fn log_area(ui: &mut egui::Ui, log: &[String], height: f32) {
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    egui::ScrollArea::vertical()
        .id_salt("solver_log")
        .max_height(height)
        .auto_shrink([false, true])
        .stick_to_bottom(true)
        .show_rows(ui, row_height, log.len(), |ui, rows| {
            for line in &log[rows] {
                ui.monospace(line);
            }
        });
}

fn format_value(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.10}"))
}

/// What the rescaling of a solve did (the objective and x* are unchanged by it).
fn scaling_lines(ui: &mut egui::Ui, s: &ScaledAnalysis) {
    ui.label(format!(
        "rescaling: {} in {}, max big-M {}; the objective and x* are those of the original network",
        displayable(s.scaling.label()),
        format_seconds(s.scaling_time_s()),
        s.max_big_m().map_or("–".into(), format_number),
    ))
    .on_hover_text(displayable(s.scaling.description()));
    ui.label(coefficient_line(
        s.report.coefficient_range_before,
        s.report.coefficient_range_after,
    ))
    .on_hover_text("smallest and largest |coefficient| of the MILP before and after the rescaling");
}

/// The result lines of a report (also what the tests read); `by_regions` for the region solver,
/// whose "nodes" are regions and which builds no MILP.
pub fn report_lines(r: &SolveReport, solver: SolverChoice) -> Vec<(String, &'static str)> {
    match solver {
        SolverChoice::Regions => return region_report_lines(r),
        SolverChoice::Branch => return branch_report_lines(r),
        SolverChoice::Milp => {}
    }
    let status = match &r.status_detail {
        Some(d) => format!("{} ({d})", r.status),
        None => r.status.clone(),
    };
    let mut lines = vec![
        (
            format!("status: {status}"),
            "why HiGHS stopped: optimal (within the gap), time_limit, cancelled, …",
        ),
        (
            format!("objective: {}", format_value(r.objective)),
            "value of the best point found (the incumbent)",
        ),
        (
            format!("best bound: {}", format_value(r.best_bound)),
            "no point can be better than this: proven by branch and bound",
        ),
        (
            format!(
                "gap: {}",
                r.gap.map_or("–".into(), |g| format!("{:.4}%", 100.0 * g))
            ),
            "|objective − best bound| / |objective|: 0 means proven optimal",
        ),
        (
            if r.lp_iterations > 0 {
                format!("nodes: {}, LP iterations: {}", r.nodes, r.lp_iterations)
            } else {
                format!("nodes: {}", r.nodes)
            },
            "branch-and-bound nodes explored (and simplex iterations when HiGHS reports them)",
        ),
        (
            format!(
                "time: {:.3} s solve, {:.2} ms to build the MILP",
                r.time_s,
                r.build_time_s * 1e3
            ),
            "HiGHS run time, and the time to write the MILP and find a starting point",
        ),
        (
            format!(
                "model: {} variables, {} constraints, {}, {} nonzeros",
                r.variables,
                r.constraints,
                r.binaries_summary(),
                r.nonzeros
            ),
            "size of the big-M MILP: one binary per unstable ReLU, except the one-sided ones \
             (the objective only pushes them down: h ≥ max(a, 0) suffices)",
        ),
    ];
    point_lines(
        r,
        "the network evaluated at x* directly: a tiny difference shows the MILP models the network faithfully",
        &mut lines,
    );
    if let Some(s) = r.start_objective {
        lines.push((
            format!("start: {}", format_number(s)),
            "the first incumbent handed to HiGHS: the best of the random inputs, improved by \
             the walk over linear regions when it is on",
        ));
    }
    if let Some(w) = &r.local_search {
        lines.push((
            format!("start found by {}", w.summary()),
            "from the best sampled inputs, the best point of each linear region (an LP), then \
             the best neighbouring region, until none improves",
        ));
    }
    if let Some(c) = &r.root_cuts {
        lines.push((
            format!("root cuts {}", c.summary()),
            "ideal-formulation cuts added before branch and bound: the LP relaxation's bound \
             without and with them (a tighter root bound leaves less for the tree to prove)",
        ));
    }
    for w in &r.warnings {
        lines.push((
            format!("warning: {w}"),
            "why this result deserves caution although it passed its checks",
        ));
    }
    lines
}

/// The `x*` and forward-check lines of every solver, `forward_tip` explaining the check.
fn point_lines(
    r: &SolveReport,
    forward_tip: &'static str,
    lines: &mut Vec<(String, &'static str)>,
) {
    if let Some(x) = &r.x {
        let xs: Vec<String> = x.iter().map(|v| format!("{v:.10}")).collect();
        lines.push((format!("x* = ({})", xs.join(", ")), "the best input found"));
    }
    if let (Some(f), Some(d)) = (r.forward_value, r.forward_difference) {
        lines.push((
            format!("forward check: f(x*) = {f:.10}, |f(x*) − objective| = {d:.2e}"),
            forward_tip,
        ));
    }
}

/// [`report_lines`] of the region solver.
fn region_report_lines(r: &SolveReport) -> Vec<(String, &'static str)> {
    let status = match &r.status_detail {
        Some(d) => format!("{} ({d})", r.status),
        None => r.status.clone(),
    };
    let mut lines = vec![
        (
            format!("status: {status}"),
            "optimal once every linear region was examined; otherwise the region cap, the time \
             limit or Cancel stopped it",
        ),
        (
            format!("objective: {}", format_value(r.objective)),
            "the best of the optima over the regions: exact, no MILP involved",
        ),
        (
            format!("best bound: {}", format_value(r.best_bound)),
            "equal to the objective when every region was examined",
        ),
        (
            if r.lp_iterations > 0 {
                format!("regions examined: {}, LPs: {}", r.nodes, r.lp_iterations)
            } else {
                format!("regions examined: {}", r.nodes)
            },
            "linear regions enumerated; on each, the objective is affine and its optimum is an \
             LP (a polygon vertex for two inputs)",
        ),
        (
            format!("time: {:.3} s", r.time_s),
            "enumerating the regions and optimising over each",
        ),
    ];
    point_lines(
        r,
        "the network evaluated at x* directly: agrees with the region's affine piece",
        &mut lines,
    );
    lines
}

/// [`report_lines`] of branching over the input box.
fn branch_report_lines(r: &SolveReport) -> Vec<(String, &'static str)> {
    let status = match &r.status_detail {
        Some(d) => format!("{} ({d})", r.status),
        None => r.status.clone(),
    };
    let mut lines = vec![
        (
            format!("status: {status}"),
            "optimal once every part of the box was dropped by its bound or solved exactly; \
             otherwise the time limit or Cancel stopped it",
        ),
        (
            format!("objective: {}", format_value(r.objective)),
            "the best point found, forward-evaluated",
        ),
        (
            format!("best bound: {}", format_value(r.best_bound)),
            "no input is better than this: the least bound over the parts of the box",
        ),
        (
            format!(
                "gap: {}",
                r.gap.map_or("–".into(), |g| format!("{:.4}%", 100.0 * g))
            ),
            "|objective − best bound| / |objective|: within the MIP gap means proven optimal",
        ),
        (
            format!("boxes: {}, LPs: {}", r.nodes, r.lp_iterations),
            "parts of the input box bounded (symbolic bounds), and LPs of the small parts \
             finished by their regions",
        ),
    ];
    if let Some(root) = &r.root_box_bound {
        lines.push((
            format!("root bound: {}", root.summary()),
            "the bound on the whole box before any split, with each unstable neuron's fixed \
             relaxation line and with the lines chosen for the box (a tighter bound leaves \
             fewer boxes to split)",
        ));
    }
    lines.extend([(
        format!("time: {:.3} s", r.time_s),
        "splitting, bounding and finishing the parts of the box",
    )]);
    point_lines(r, "the network evaluated at x* directly", &mut lines);
    lines
}

impl View for SolveView {
    fn id(&self) -> &'static str {
        "solve"
    }

    fn title(&self) -> &'static str {
        "Solve"
    }

    fn explanation(&self) -> &'static str {
        "The big-M MILP solved by HiGHS (or the exact region enumeration): the best point \
         found, the proven bound, and how they closed in over time. Press Solve or F5."
    }

    fn comparison(&self) -> Option<super::Comparison> {
        Some(super::Comparison::Curves)
    }

    fn ui(&mut self, ui: &mut egui::Ui, state: &mut AppState) {
        if let Some(running) = &state.solve {
            let last = running.trace.last();
            ui.horizontal(|ui| {
                ui.spinner();
                ui.strong(format!(
                    "Running: {} of {}, {} — {}",
                    running.request.objective.describe(),
                    running.request.network.name,
                    running.request.approach(),
                    running.phase
                ));
            });
            if !running.request.solver.uses_milp() {
                let bar = match running.fraction {
                    Some(f) => egui::ProgressBar::new(f as f32),
                    None => egui::ProgressBar::new(0.0).animate(true),
                };
                ui.add(bar.text(format!(
                    "elapsed {}",
                    format_elapsed(running.task.elapsed())
                )));
                if ui
                    .add_enabled(
                        !running.task.is_cancelling(),
                        egui::Button::new("Cancel solve"),
                    )
                    .on_hover_text("stop the enumeration; the best region optimum so far is kept")
                    .clicked()
                {
                    running.task.cancel();
                }
                ui.ctx().request_repaint_after(Duration::from_millis(100));
                return;
            }
            ui.label(format!(
                "elapsed {}; incumbent {}, best bound {}, gap {}, nodes {}",
                format_elapsed(running.task.elapsed()),
                last.and_then(|p| p.primal_bound)
                    .map_or("–".into(), format_number),
                last.and_then(|p| p.dual_bound)
                    .map_or("–".into(), format_number),
                last.and_then(|p| p.gap)
                    .map_or("–".into(), |g| format!("{:.2}%", 100.0 * g)),
                last.map_or(0, |p| p.nodes)
            ));
            let cancelling = running.task.is_cancelling();
            if ui
                .add_enabled(
                    !cancelling,
                    egui::Button::new(if cancelling {
                        "Cancelling…"
                    } else {
                        "Cancel solve"
                    }),
                )
                .on_hover_text("stop HiGHS within about a second, keeping the best point found")
                .clicked()
            {
                running.task.cancel();
            }
            let height = (ui.available_height() * 0.55).max(150.0);
            // Never before the last snapshot: its message may have come late.
            let latest = running.trace.last().map_or(0.0, |p| p.time_s);
            let end = running.trace_now().map(|now| TraceEnd {
                time_s: now.max(latest),
                incumbent: None,
                bound: None,
                proven: false,
            });
            trace_plot(ui, running.request.doc_id, &running.trace, end, height);
            ui.label("HiGHS log:");
            log_area(ui, &running.log, ui.available_height().max(80.0));
            // Keep the elapsed time and plot moving even between solver messages.
            ui.ctx().request_repaint_after(Duration::from_millis(100));
            return;
        }
        let Some(last) = &state.last_solve else {
            ui.label("No solve yet. Set the objective on the left and press Solve (F5).");
            return;
        };
        let req = &last.request;
        if let Some(problem) = &req.problem {
            ui.strong(format!(
                "{} over {}: {} network(s), {} constraint(s), {} alternative(s)",
                if problem.objective.is_some() {
                    "The problem's objective"
                } else {
                    "Verification"
                },
                req.input_box.describe(),
                problem.networks.len(),
                problem.constraints.len(),
                problem.disjuncts.len()
            ));
            if req.doc_id != state.doc.id {
                ui.weak("(solved for a network that is no longer open)");
            } else if req.box_revision != state.doc.box_revision() {
                ui.weak("(solved over an earlier input box)");
            }
            if let Err(failure) = &last.outcome {
                ui.label(format!("status: {}", failure.status()));
                ui.label(failure.message());
            }
            for line in &last.problem_lines {
                ui.label(line);
            }
            return;
        }
        ui.strong(format!(
            "{} of {} over {}, {}",
            req.objective.describe(),
            req.network.name,
            req.input_box.describe(),
            req.approach()
        ));
        if let Some(why) = &req.auto_reason {
            ui.label(format!("method: {} (auto: {why})", req.solver.key()))
                .on_hover_text("the path `auto` took for this network, and why");
        }
        if req.doc_id != state.doc.id {
            ui.weak("(solved for a network that is no longer open)");
        } else if req.box_revision != state.doc.box_revision() {
            ui.weak("(solved over an earlier input box)");
        }
        match &last.outcome {
            Err(failure) => {
                ui.label(format!("status: {}", failure.status()));
                ui.label(failure.message());
            }
            Ok(report) => {
                for (text, tooltip) in report_lines(report, req.solver) {
                    ui.label(text).on_hover_text(tooltip);
                }
            }
        }
        if let Some(a) = &last.analysis {
            ui.label(format!(
                "bounds: {} in {}, {:.1}% stable, max big-M {}",
                a.method().label(),
                format_seconds(a.report.time_s),
                a.report.stable_percent,
                a.max_big_m().map_or("–".into(), format_number)
            ));
        }
        if let Some(s) = &last.scaled {
            scaling_lines(ui, s);
        }
        if !req.solver.uses_milp() {
            return;
        }
        ui.separator();
        let height = (ui.available_height() * 0.6).max(140.0);
        let end = last.outcome.as_ref().ok().map(|r| TraceEnd {
            time_s: r.time_s,
            incumbent: r.objective,
            bound: r
                .best_bound
                .or(r.objective.filter(|_| r.status == "optimal")),
            proven: r.status == "optimal",
        });
        trace_plot(ui, req.doc_id, &last.trace, end, height);
        egui::CollapsingHeader::new(format!("HiGHS log ({} lines)", last.log.len()))
            .default_open(false)
            .show(ui, |ui| log_area(ui, &last.log, 300.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_become_step_lines() {
        let p = |t, primal, dual| SolveProgress {
            time_s: t,
            primal_bound: primal,
            dual_bound: dual,
            gap: None,
            nodes: 0,
        };
        let trace = [
            p(0.0, None, Some(-10.0)),
            p(1.0, Some(-2.0), Some(-5.0)),
            p(2.0, Some(-3.0), None),
        ];
        let (inc, bound) = trace_series(&trace, None);
        assert_eq!(inc, vec![[1.0, -2.0], [2.0, -2.0], [2.0, -3.0]]);
        assert_eq!(bound, vec![[0.0, -10.0], [1.0, -10.0], [1.0, -5.0]]);
        // A running solve: both curves held to the present.
        let now = TraceEnd {
            time_s: 7.0,
            incumbent: None,
            bound: None,
            proven: false,
        };
        let (inc, bound) = trace_series(&trace, Some(now));
        assert_eq!(inc.last(), Some(&[7.0, -3.0]));
        assert_eq!(bound.last(), Some(&[7.0, -5.0]));
        // A finished optimal solve: both end at the optimum, at the end time.
        let done = TraceEnd {
            time_s: 9.0,
            incumbent: Some(-4.0),
            bound: Some(-4.0),
            proven: true,
        };
        let (inc, bound) = trace_series(&trace, Some(done));
        assert_eq!(&inc[inc.len() - 2..], &[[9.0, -3.0], [9.0, -4.0]]);
        assert_eq!(&bound[bound.len() - 2..], &[[9.0, -5.0], [9.0, -4.0]]);
    }
}
