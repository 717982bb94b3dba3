//! What the app remembers between sessions (eframe persistence) and the solve settings.

use super::train_task::TrainForm;
use reluscope::bounds::BoundMethod;
use reluscope::milp::{Cuts, NetworkSolveOptions, Objective, Sense, SolveOptions};
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::{SolveMethod, choose_method};
use reluscope::scaling::ScalingMethod;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many recent files the Open section lists.
pub const MAX_RECENT: usize = 10;

/// Everything persisted; unknown or missing fields fall back to the defaults, so an old or
/// damaged store never stops the app from starting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The network file open when the app was last closed (`None` for a sample).
    pub last_network: Option<PathBuf>,
    /// The sample open when the app was last closed, if it was a sample.
    pub last_sample: Option<String>,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// Key of the bound method (`ia`, …), see [`BoundMethod::key`].
    pub method: String,
    /// Key of the rescaling applied before solving (`none`, …), see [`ScalingMethod::key`].
    pub scaling: String,
    /// Id of the selected view (see `views::View::id`).
    pub tab: String,
    /// Objective and solver settings.
    pub solve: SolveSettings,
    /// The Training view's form.
    pub train: TrainForm,
    /// A light theme (for projectors and print) instead of the dark one.
    pub light_theme: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            last_network: None,
            last_sample: None,
            recent: Vec::new(),
            method: BoundMethod::Interval.key().to_string(),
            scaling: ScalingMethod::None.key().to_string(),
            tab: String::new(),
            solve: SolveSettings::default(),
            train: TrainForm::default(),
            light_theme: false,
        }
    }
}

impl Settings {
    /// The selected bound method (interval arithmetic if the stored key is unknown).
    pub fn bound_method(&self) -> BoundMethod {
        BoundMethod::from_key(&self.method).unwrap_or(BoundMethod::Interval)
    }

    /// Selects a bound method.
    pub fn set_bound_method(&mut self, method: BoundMethod) {
        self.method = method.key().to_string();
    }

    /// The selected rescaling (none if the stored key is unknown).
    pub fn scaling_method(&self) -> ScalingMethod {
        ScalingMethod::from_key(&self.scaling).unwrap_or(ScalingMethod::None)
    }

    /// Selects a rescaling.
    pub fn set_scaling_method(&mut self, scaling: ScalingMethod) {
        self.scaling = scaling.key().to_string();
    }

    /// Puts `path` first in the recent list (no duplicates, at most [`MAX_RECENT`]).
    pub fn push_recent(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }
}

/// What to optimise and how long to try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolveSettings {
    /// Maximise instead of minimise.
    pub maximize: bool,
    /// Optimise a weighted combination of the outputs instead of one output.
    pub use_combination: bool,
    /// The output to optimise (clamped to the network's outputs).
    pub output: usize,
    /// The combination weights as typed, e.g. `1, -0.5`.
    pub combination: String,
    /// Whether the time limit applies.
    pub time_limit_on: bool,
    /// Time limit in seconds.
    pub time_limit_s: f64,
    /// Relative MIP gap at which HiGHS stops.
    pub mip_gap: f64,
    /// The solver behind the Solve button.
    pub solver: SolverSetting,
    /// Add the ideal-formulation cuts at the root of the MILP (`--cuts ideal`).
    pub ideal_cuts: bool,
    /// Improve the MILP's sampled start by a walk over linear regions.
    pub local_search: bool,
    /// Write the neurons the objective and constraints only push down without a binary (off:
    /// `--all-binaries`).
    pub one_sided: bool,
}

/// The solver picked in the Solver section; `auto` is resolved per network when a solve starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverSetting {
    /// The big-M MILP.
    Milp,
    /// The region enumeration.
    Regions,
    /// Branch and bound over the input box.
    Branch,
    /// The fastest exact path for the network (`reluscope::pipeline::choose_method`); also
    /// what an unknown stored value reads as.
    #[default]
    #[serde(other)]
    Auto,
}

impl SolverSetting {
    /// The library's method for this setting (`auto` stays `auto`).
    pub fn method(self) -> SolveMethod {
        match self {
            SolverSetting::Auto => SolveMethod::Auto,
            SolverSetting::Milp => SolveMethod::Milp,
            SolverSetting::Regions => SolveMethod::Regions,
            SolverSetting::Branch => SolveMethod::Branch,
        }
    }

    /// The concrete solver for `network` over `input_box`, with the reason when `auto` chose
    /// it.
    pub fn resolve(
        self,
        network: &Network,
        input_box: &InputBox,
    ) -> (SolverChoice, Option<String>) {
        match self {
            SolverSetting::Milp => (SolverChoice::Milp, None),
            SolverSetting::Regions => (SolverChoice::Regions, None),
            SolverSetting::Branch => (SolverChoice::Branch, None),
            // Where the CLI races branching against the MILP, the app runs the likelier
            // winner alone, so that a run shows one method's progress.
            SolverSetting::Auto => match choose_method(network, input_box, &[]) {
                (SolveMethod::Regions, why) => (SolverChoice::Regions, Some(why)),
                (SolveMethod::Branch, why) if reluscope::pipeline::auto_races(network) => {
                    match reluscope::pipeline::likelier_race_winner(network) {
                        SolveMethod::Branch => (
                            SolverChoice::Branch,
                            Some(format!(
                                "{why} on the command line; the app branches alone on both \
                                 cores"
                            )),
                        ),
                        _ => (
                            SolverChoice::Milp,
                            Some(format!(
                                "{why} on the command line; the app solves the MILP (likelier \
                                 to win on a network this small)"
                            )),
                        ),
                    }
                }
                (SolveMethod::Branch, why) => (SolverChoice::Branch, Some(why)),
                (_, why) => (SolverChoice::Milp, Some(why)),
            },
        }
    }
}

/// The solver behind a solve (what `auto` resolves to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverChoice {
    /// The best of the LP optima over all linear regions: exact, for small input dimension.
    Regions,
    /// Branch and bound over the input box: exact, for a handful of inputs.
    Branch,
    /// The big-M MILP on HiGHS, with the selected bounds and rescaling (also what an unknown
    /// stored value reads as: serde wants that fallback last).
    #[default]
    #[serde(other)]
    Milp,
}

impl SolverChoice {
    /// The name shown in the app and the Runs table.
    pub fn key(self) -> &'static str {
        match self {
            SolverChoice::Milp => "milp",
            SolverChoice::Regions => "regions",
            SolverChoice::Branch => "branch",
        }
    }

    /// Whether this solver builds the MILP (and so uses the bounds and the rescaling).
    pub fn uses_milp(self) -> bool {
        self == SolverChoice::Milp
    }
}

impl Default for SolveSettings {
    fn default() -> Self {
        Self {
            maximize: false,
            use_combination: false,
            output: 0,
            combination: String::new(),
            time_limit_on: true,
            time_limit_s: 60.0,
            mip_gap: SolveOptions::default().mip_rel_gap,
            solver: SolverSetting::Auto,
            ideal_cuts: NetworkSolveOptions::default().cuts == Cuts::Ideal,
            local_search: NetworkSolveOptions::default().local_search,
            one_sided: NetworkSolveOptions::default().one_sided,
        }
    }
}

impl SolveSettings {
    /// The sense as the library's type.
    pub fn sense(&self) -> Sense {
        if self.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        }
    }

    /// The objective for a network with `outputs` outputs, or a one-line reason why not.
    pub fn objective(&self, outputs: usize) -> Result<Objective, String> {
        if self.use_combination {
            let weights = parse_weights(&self.combination)?;
            Objective::combination(self.sense(), weights, outputs).map_err(|e| e.to_string())
        } else {
            Objective::output(self.sense(), self.output, outputs).map_err(|e| e.to_string())
        }
    }

    /// The solver options.
    pub fn options(&self) -> NetworkSolveOptions {
        NetworkSolveOptions {
            solver: SolveOptions {
                time_limit: self.time_limit_on.then_some(self.time_limit_s.max(0.0)),
                mip_rel_gap: if self.mip_gap.is_finite() {
                    self.mip_gap.max(0.0)
                } else {
                    SolveOptions::default().mip_rel_gap
                },
                ..SolveOptions::default()
            },
            cuts: if self.ideal_cuts {
                Cuts::Ideal
            } else {
                Cuts::None
            },
            local_search: self.local_search,
            one_sided: self.one_sided,
            ..NetworkSolveOptions::default()
        }
    }
}

/// Parses `"1, -0.5"` (commas, semicolons or spaces between numbers).
pub fn parse_weights(text: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = text
        .split([',', ';', ' ', '\t'])
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("type one weight per output, e.g. \"1, -1\"".into());
    }
    parts
        .iter()
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("\"{s}\" is not a number"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_unique_newest_first_and_capped() {
        let mut s = Settings::default();
        for i in 0..15 {
            s.push_recent(Path::new(&format!("/n{i}.json")));
        }
        s.push_recent(Path::new("/n10.json"));
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert_eq!(s.recent[0], PathBuf::from("/n10.json"));
        assert_eq!(
            s.recent.iter().filter(|p| p.ends_with("n10.json")).count(),
            1
        );
    }

    #[test]
    fn objectives_are_validated() {
        let mut s = SolveSettings::default();
        assert!(s.objective(1).is_ok());
        s.output = 3;
        assert!(s.objective(2).unwrap_err().contains("out of range"));
        s.use_combination = true;
        s.combination = "1; -2".into();
        assert_eq!(s.objective(2).unwrap().weights, vec![1.0, -2.0]);
        s.combination = "1, x".into();
        assert!(s.objective(2).unwrap_err().contains("\"x\""));
        assert!(s.objective(3).is_err());
    }

    /// Auto in the app: regions for 2 inputs, branching for 3–5 (alone, as the app runs it:
    /// the reason says so where the command line would race the MILP), at 6–8 inputs the
    /// race's likelier winner (branching on wide networks, else the MILP), the MILP beyond.
    #[test]
    fn auto_resolves_by_input_dimension_and_says_what_the_app_runs() {
        let pick = |inputs: usize| {
            let net = reluscope::network::RandomNetwork::new(&[inputs, 6, 1])
                .build()
                .unwrap();
            let b = net.input_box().unwrap().clone();
            SolverSetting::Auto.resolve(&net, &b)
        };
        assert_eq!(pick(2).0, SolverChoice::Regions);
        let (three, why3) = pick(3);
        assert_eq!(three, SolverChoice::Branch);
        let why3 = why3.unwrap();
        assert!(
            why3.contains("both cores") && !why3.contains("the app"),
            "{why3}"
        );
        let (five, why5) = pick(5);
        assert_eq!(five, SolverChoice::Branch);
        let why5 = why5.unwrap();
        assert!(why5.contains("the app branches alone"), "{why5}");
        // A 5-input network of 50 neurons: branching alone everywhere, nothing to adjust.
        let wide = reluscope::network::RandomNetwork::new(&[5, 25, 25, 1])
            .build()
            .unwrap();
        let (choice, why) = SolverSetting::Auto.resolve(&wide, wide.input_box().unwrap());
        let why = why.unwrap();
        assert_eq!(choice, SolverChoice::Branch);
        assert!(
            why.contains("both cores") && !why.contains("the app"),
            "{why}"
        );
        let (six, why6) = pick(6);
        assert_eq!(six, SolverChoice::Milp);
        assert!(why6.unwrap().contains("the app solves the MILP"));
        let wide6 = reluscope::network::RandomNetwork::new(&[6, 50, 50, 1])
            .build()
            .unwrap();
        let (choice, why) = SolverSetting::Auto.resolve(&wide6, wide6.input_box().unwrap());
        assert_eq!(choice, SolverChoice::Branch);
        assert!(why.unwrap().contains("the app branches alone"));
        assert_eq!(pick(9).0, SolverChoice::Milp);
    }

    #[test]
    fn damaged_settings_fall_back_to_defaults() {
        let s: Settings =
            serde_json::from_str(r#"{"method":"nonsense","scaling":"zzz","extra":1}"#).unwrap();
        let solver: SolveSettings = serde_json::from_str(r#"{"solver":"zzz"}"#).unwrap();
        assert_eq!(solver.solver, SolverSetting::Auto);
        let solver: SolveSettings = serde_json::from_str(r#"{"solver":"regions"}"#).unwrap();
        assert_eq!(solver.solver, SolverSetting::Regions);
        let solver: SolveSettings = serde_json::from_str(r#"{"solver":"milp"}"#).unwrap();
        assert_eq!(solver.solver, SolverSetting::Milp);
        assert_eq!(s.bound_method(), BoundMethod::Interval);
        assert_eq!(s.scaling_method(), ScalingMethod::None);
        assert_eq!(s.solve, SolveSettings::default());
        assert_eq!(s.train, TrainForm::default());
    }
}
