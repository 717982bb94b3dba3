//! The guided tour: the study's story in seven steps on the shipped samples. Each step opens
//! the right sample, view and settings (and may start a solve), so that a teacher can walk a
//! class through it with Next.

use super::document::NetworkSource;
use super::settings::SolverSetting;
use super::state::AppState;
use eframe::egui;
use reluscope::bounds::BoundMethod;
use reluscope::scaling::ScalingMethod;

/// What a step does besides opening a sample, a view and settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TourAction {
    /// Nothing more.
    Show,
    /// Start a solve with the step's settings.
    Solve,
    /// Tick the last two runs for comparison.
    CompareLastTwo,
}

/// One step of the tour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TourStep {
    /// Heading.
    pub title: &'static str,
    /// What to look at, and why.
    pub text: &'static str,
    /// The sample it opens (none: keep the network).
    pub sample: Option<&'static str>,
    /// The bound method it selects.
    pub bounds: BoundMethod,
    /// The view it shows.
    pub view: &'static str,
    /// What else it does.
    pub action: TourAction,
}

/// The steps, in order.
pub const TOUR: [TourStep; 7] = [
    TourStep {
        title: "Interval bounds grow with depth",
        text: "peaks_25x5 (5 hidden layers of 25), interval arithmetic. Each layer's bounds are computed from the \
               previous layer's as if every neuron could take any value in its range at once, \
               so the largest big-M grows roughly geometrically from layer to layer: the red \
               line on a log axis.",
        sample: Some("peaks_25x5"),
        bounds: BoundMethod::Interval,
        view: "big_m",
        action: TourAction::Show,
    },
    TourStep {
        title: "LP-OBBT shrinks them",
        text: "The same network with LP-based bound tightening: each bound is the optimum of an \
               LP over the relaxed network, which knows how neurons depend on each other. The \
               blue line stays below the red from the second layer on; the first layer's \
               bounds are exact either way.",
        sample: None,
        bounds: BoundMethod::LpObbt,
        view: "big_m",
        action: TourAction::Show,
    },
    TourStep {
        title: "L1 regularisation makes neurons stable",
        text: "peaks_25x5_l1: the same layout trained with an L1 penalty on the weights. Many neurons now never \
               switch over the box (stably active or inactive): they need no binary variable. \
               Compare the unstable (orange) bars with the plain network's.",
        sample: Some("peaks_25x5_l1"),
        bounds: BoundMethod::LpObbt,
        view: "stability",
        action: TourAction::Show,
    },
    TourStep {
        title: "Fewer linear regions",
        text: "The same L1 network's linear regions: far fewer than the plain network's (open \
               peaks_25x5 from the Sample list to compare). Fewer regions, fewer \
               combinations of active neurons for branch and bound to sort out.",
        sample: None,
        bounds: BoundMethod::LpObbt,
        view: "regions",
        action: TourAction::Show,
    },
    TourStep {
        title: "Solving the plain network",
        text: "peaks_25x3 (3 hidden layers of 25), plain training, minimising its output by the big-M MILP with LP-OBBT bounds: watch the \
               incumbent (red) come down and the best bound (blue) come up until they meet.",
        sample: Some("peaks_25x3"),
        bounds: BoundMethod::LpObbt,
        view: "solve",
        action: TourAction::Solve,
    },
    TourStep {
        title: "Solving the L1 network",
        text: "peaks_25x3_l1: the same layout trained with L1, the same MILP settings. With more stable neurons and \
               fewer regions it needs fewer nodes and less time.",
        sample: Some("peaks_25x3_l1"),
        bounds: BoundMethod::LpObbt,
        view: "solve",
        action: TourAction::Solve,
    },
    TourStep {
        title: "Compare the two runs",
        text: "The two solves ticked in Runs and overlaid here: the L1 network's incumbent \
               and bound meet far sooner. Runs divides times, nodes and big-M by the baseline \
               (the plain network's run); Big-M growth and Stability overlay the two runs \
               too. Accuracy was the price: the L1 network fits Peaks less closely.",
        sample: None,
        bounds: BoundMethod::LpObbt,
        view: "solve",
        action: TourAction::CompareLastTwo,
    },
];

impl AppState {
    /// Closes the tour and gives back the settings the user had before it (the network it
    /// opened stays).
    pub fn close_tour(&mut self) {
        self.tour = None;
        if let Some((solve, method, scaling)) = self.tour_saved.take() {
            self.settings.solve = solve;
            if let Some(m) = BoundMethod::from_key(&method) {
                self.set_bound_method(m);
            }
            if let Some(s) = ScalingMethod::from_key(&scaling) {
                self.set_scaling_method(s);
            }
        }
    }

    /// Shows step `k` of the tour: opens its sample, selects its bounds and view, and does
    /// its action (a solve runs in the MILP with a 60 s limit).
    pub fn tour_step(&mut self, ctx: &egui::Context, k: usize) {
        let Some(step) = TOUR.get(k) else {
            self.close_tour();
            return;
        };
        if self.tour.is_none() {
            self.tour_saved = Some((
                self.settings.solve.clone(),
                self.settings.method.clone(),
                self.settings.scaling.clone(),
            ));
        }
        self.tour = Some(k);
        if k == 0 {
            self.tour_runs.clear();
        }
        // Reopen unless the sample itself is open: a file or trained network may share its
        // name, and the user may have edited the box or attached a problem.
        if let Some(sample) = step.sample {
            let open = matches!(&self.doc.source, NetworkSource::Sample(s) if *s == sample);
            if !open || self.doc.problem.is_some() || self.doc.box_revision() != 0 {
                self.detach_problem();
                self.open_sample(sample);
            }
        }
        self.set_scaling_method(ScalingMethod::None);
        self.set_bound_method(step.bounds);
        self.requested_view = Some(step.view);
        match step.action {
            TourAction::Show => {}
            TourAction::Solve => {
                // The story is "minimise the network's output": say so whatever was set.
                self.settings.solve.maximize = false;
                self.settings.solve.use_combination = false;
                self.settings.solve.output = 0;
                self.settings.solve.solver = SolverSetting::Milp;
                self.settings.solve.time_limit_on = true;
                self.settings.solve.time_limit_s = 60.0;
                self.start_solve(ctx);
            }
            TourAction::CompareLastTwo => {
                // The last run of each of the tour's solve steps, the first one the baseline.
                let of_step = |step: usize| {
                    self.tour_runs
                        .iter()
                        .rev()
                        .find(|(s, _)| *s == step)
                        .map(|(_, run)| *run)
                };
                let solve_steps: Vec<usize> = TOUR
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.action == TourAction::Solve)
                    .map(|(k, _)| k)
                    .collect();
                let runs: Vec<usize> = solve_steps.iter().filter_map(|&k| of_step(k)).collect();
                self.runs_compared = runs.clone();
                self.runs_baseline = runs.first().copied();
            }
        }
    }
}

/// The tour's window: the step, its text, Back / Next / Close.
pub fn tour_window(ctx: &egui::Context, state: &mut AppState) {
    let Some(k) = state.tour else {
        return;
    };
    let step = TOUR[k.min(TOUR.len() - 1)];
    let mut go = None;
    let mut close = false;
    egui::Window::new("Guided tour")
        // Bottom right, above the notices: over empty space, not the views' plots.
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -84.0))
        .default_width(340.0)
        .resizable(false)
        .collapsible(true)
        .show(ctx, |ui| {
            ui.label(format!("Step {} of {}", k + 1, TOUR.len()));
            ui.heading(step.title);
            ui.label(step.text);
            if state.solve.is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("solving…");
                });
            }
            ui.horizontal(|ui| {
                let busy = state.solve.is_some();
                if ui
                    .add_enabled(k > 0 && !busy, egui::Button::new("Back"))
                    .on_disabled_hover_text("wait for the solve to finish, or Cancel it")
                    .clicked()
                {
                    go = Some(k - 1);
                }
                let next = ui
                    .add_enabled(k + 1 < TOUR.len() && !busy, egui::Button::new("Next"))
                    .on_disabled_hover_text("wait for the solve to finish, or Cancel it");
                if next.clicked() {
                    go = Some(k + 1);
                }
                if ui.button("Close tour").clicked() {
                    close = true;
                }
            });
        });
    if close {
        state.close_tour();
    } else if let Some(k) = go {
        state.tour_step(ctx, k);
    }
}
