//! The guided tour: the study's story in seven steps on the shipped samples. Each step opens
//! the right sample, view and settings (and may start a solve), so that a teacher can walk a
//! class through it with Next.

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
        text: "Peaks 5x25, interval arithmetic. Each layer's bounds are computed from the \
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
        text: "Peaks 5x25 trained with an L1 penalty on the weights. Many neurons now never \
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
        text: "Peaks 3x25, plain training, the big-M MILP with LP-OBBT bounds: watch the \
               incumbent (red) come down and the best bound (blue) come up until they meet.",
        sample: Some("peaks_25x3"),
        bounds: BoundMethod::LpObbt,
        view: "solve",
        action: TourAction::Solve,
    },
    TourStep {
        title: "Solving the L1 network",
        text: "Peaks 3x25 trained with L1, the same MILP settings. With more stable neurons and \
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
    /// Shows step `k` of the tour: opens its sample, selects its bounds and view, and does
    /// its action (a solve runs in the MILP with a 60 s limit).
    pub fn tour_step(&mut self, ctx: &egui::Context, k: usize) {
        let Some(step) = TOUR.get(k) else {
            self.tour = None;
            return;
        };
        self.tour = Some(k);
        if let Some(sample) = step.sample
            && self.doc.network.name != sample
        {
            self.open_sample(sample);
        }
        self.set_scaling_method(ScalingMethod::None);
        self.set_bound_method(step.bounds);
        self.requested_view = Some(step.view);
        match step.action {
            TourAction::Show => {}
            TourAction::Solve => {
                self.settings.solve.solver = SolverSetting::Milp;
                self.settings.solve.time_limit_on = true;
                self.settings.solve.time_limit_s = 60.0;
                self.start_solve(ctx);
            }
            TourAction::CompareLastTwo => {
                let n = self.runs.len();
                self.runs_compared = (n.saturating_sub(2)..n).collect();
                self.runs_baseline = n.checked_sub(2);
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
                if ui.add_enabled(k > 0, egui::Button::new("Back")).clicked() {
                    go = Some(k - 1);
                }
                let busy = state.solve.is_some();
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
        state.tour = None;
    } else if let Some(k) = go {
        state.tour_step(ctx, k);
    }
}
