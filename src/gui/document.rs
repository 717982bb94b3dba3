//! The open network and what has been computed about it for the current input box.

use reluscope::analysis::{AnalysisReport, LayerStats};
use reluscope::bounds::{BoundMethod, NetworkBounds, interval_bounds};
use reluscope::network::{InputBox, Network};
use reluscope::pipeline::PreparedMilp;
use reluscope::scaling::{ScaledProblem, ScalingError, ScalingMethod};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Interval arithmetic runs on the UI thread below this many weights (it costs about one
/// multiply-add per weight, so ~1 ms); larger networks get a worker like the other methods.
pub const INLINE_INTERVAL_LIMIT: usize = 1_000_000;

/// Rescaling runs on the UI thread up to this many weights: it builds the MILP twice for the
/// coefficient ranges, about 0.5 ms per 1,000 weights in the dev profile (≈ 0.4 ms for a
/// 2×25 network, 3 ms for 5×50, 60 ms for 784-256-256-10); larger networks use a worker.
pub const INLINE_SCALING_LIMIT: usize = 2_000;

/// A configuration must stay on screen this long to become the ghost of the next one, so that
/// dragging a box bound compares against the box before the drag, not the previous frame.
const GHOST_SETTLE: Duration = Duration::from_millis(300);

/// Where the open network came from.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkSource {
    /// An embedded sample, by name.
    Sample(&'static str),
    /// A file.
    File(PathBuf),
    /// A network trained in this session (not saved yet), by name.
    Trained(String),
}

impl NetworkSource {
    /// For titles and tooltips.
    pub fn describe(&self) -> String {
        match self {
            NetworkSource::Sample(name) => format!("embedded sample {name}"),
            NetworkSource::File(p) => p.display().to_string(),
            NetworkSource::Trained(name) => format!("{name}, trained in this session"),
        }
    }
}

/// Whether an attached problem came from a problem file or is a VNNLIB property of the open
/// network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A problem file (networks, constraints, alternatives, maybe an objective).
    ProblemFile,
    /// A VNNLIB property (the unsafe set): solving it verifies.
    Property,
}

/// A problem or property open beside the network: its constraints apply to every solve, and
/// the views show its network `shown`.
#[derive(Debug, Clone)]
pub struct AttachedProblem {
    /// The problem (its box is replaced by the document's at each solve).
    pub problem: reluscope::problem::Problem,
    /// The file it came from.
    pub source: PathBuf,
    /// Problem file or property.
    pub kind: ProblemKind,
    /// Which of its networks the views show.
    pub shown: usize,
}

impl AttachedProblem {
    /// The problem over `input_box` (the box as edited in the app).
    pub fn with_box(&self, input_box: &InputBox) -> reluscope::problem::Problem {
        reluscope::problem::Problem {
            input_box: input_box.clone(),
            ..self.problem.clone()
        }
    }
}

/// Bounds of one method for the current box, with their figures.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The bounds.
    pub bounds: Arc<NetworkBounds>,
    /// Per-layer statistics and totals.
    pub report: AnalysisReport,
}

impl Analysis {
    /// Collects the figures of `bounds`, with the warnings about the MILP built on them
    /// (ill-conditioning, bounds that stopped early).
    pub fn new(network: &Network, input_box: &InputBox, bounds: NetworkBounds) -> Self {
        let mut report = AnalysisReport::new(network, input_box, &bounds);
        let bounds = Arc::new(bounds);
        if let Ok(prepared) =
            PreparedMilp::from_bounds(network, input_box, (*bounds).clone(), ScalingMethod::None)
        {
            report.warnings = prepared.warnings(input_box);
        }
        Self { bounds, report }
    }

    /// The method that produced the bounds.
    pub fn method(&self) -> BoundMethod {
        self.bounds.method
    }

    /// Statistics of the hidden layers (of the rescaled network for a rescaling).
    pub fn hidden_stats(&self) -> Vec<LayerStats> {
        self.report.hidden_stats()
    }

    /// Largest big-M over the unstable hidden neurons (of the MILP that is built).
    pub fn max_big_m(&self) -> Option<f64> {
        self.report.max_hidden_big_m()
    }
}

/// A method's bounds after a rescaling: the network and bounds the MILP is built from, and
/// their figures (with the unscaled big-M and the coefficient ranges beside them).
#[derive(Debug, Clone)]
pub struct ScaledAnalysis {
    /// The bound method.
    pub method: BoundMethod,
    /// The rescaling (never `None`: unscaled figures are plain [`Analysis`]).
    pub scaling: ScalingMethod,
    /// The original bounds and the rescaled network and bounds, ready to solve.
    pub prepared: Arc<PreparedMilp>,
    /// Figures of the rescaled MILP.
    pub report: AnalysisReport,
}

impl ScaledAnalysis {
    /// Rescales `bounds` (of `network` over `input_box`) with `scaling`, as
    /// `reluscope::pipeline::PreparedMilp::from_bounds` does for the CLI.
    pub fn compute(
        network: &Network,
        input_box: &InputBox,
        bounds: &NetworkBounds,
        scaling: ScalingMethod,
    ) -> Result<Self, ScalingError> {
        let prepared = PreparedMilp::from_bounds(network, input_box, bounds.clone(), scaling)?;
        Ok(Self::from_prepared(network, input_box, prepared, scaling))
    }

    /// The figures of a MILP prepared by `reluscope::pipeline` (`prepare_milp` or
    /// `PreparedMilp::from_bounds`).
    pub fn from_prepared(
        network: &Network,
        input_box: &InputBox,
        prepared: PreparedMilp,
        scaling: ScalingMethod,
    ) -> Self {
        let report = prepared.report(network, input_box);
        Self {
            method: prepared.original_bounds.method,
            scaling,
            prepared: Arc::new(prepared),
            report,
        }
    }

    /// The rescaled network and bounds the MILP is built from.
    pub fn problem(&self) -> &ScaledProblem {
        &self.prepared.problem
    }

    /// E.g. `lp + balanced`.
    pub fn label(&self) -> String {
        series_label(self.method, self.scaling)
    }

    /// Statistics of the hidden layers (of the rescaled network for a rescaling).
    pub fn hidden_stats(&self) -> Vec<LayerStats> {
        self.report.hidden_stats()
    }

    /// Largest big-M over the unstable hidden neurons (of the MILP that is built).
    pub fn max_big_m(&self) -> Option<f64> {
        self.report.max_hidden_big_m()
    }

    /// Seconds spent rescaling.
    pub fn scaling_time_s(&self) -> f64 {
        self.report.scaling_time_s
    }
}

/// `lp` without scaling, `lp + balanced` with it.
pub fn series_label(method: BoundMethod, scaling: ScalingMethod) -> String {
    match scaling {
        ScalingMethod::None => method.key().to_string(),
        s => format!("{} + {}", method.key(), s.key()),
    }
}

/// `[1.000e-3, 2.500e2] (ratio 2.500e5)`: smallest and largest |coefficient| of a MILP.
pub fn format_range(range: Option<(f64, f64)>) -> String {
    match range {
        Some((lo, hi)) => format!("[{lo:.3e}, {hi:.3e}] (ratio {:.3e})", hi / lo),
        None => "–".to_string(),
    }
}

/// The per-layer stability of one configuration, kept to draw it as a ghost later.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilitySnapshot {
    /// E.g. `interval arithmetic, box [-2, 2] × [-2, 2]`.
    pub label: String,
    /// Hidden layers only.
    pub layers: Vec<LayerStats>,
}

/// Identifies what the views show: which box revision and which method's bounds.
type DisplayKey = (u64, BoundMethod);

/// The open network, its input box and the analyses of that box.
pub struct Document {
    /// The network (shared with workers).
    pub network: Arc<Network>,
    /// Where it came from.
    pub source: NetworkSource,
    /// Unique per loaded network, so that results of a previous network are discarded.
    pub id: u64,
    /// The current (valid) box.
    input_box: InputBox,
    /// Bumped on every box change, so that results for an older box are discarded.
    box_revision: u64,
    /// The box as being edited; may be invalid (then `box_error` says why).
    pub box_edit: Vec<[f64; 2]>,
    /// Why `box_edit` is not applied, if it is invalid.
    pub box_error: Option<String>,
    /// One analysis per method computed for the current box, in the order they finished.
    analyses: Vec<Analysis>,
    /// Rescaled analyses of the current box, one per (method, scaling) computed so far.
    scaled: Vec<ScaledAnalysis>,
    /// The configuration currently displayed and since when.
    displayed: Option<(DisplayKey, Instant, StabilitySnapshot)>,
    /// The configuration displayed before the current one.
    pub ghost: Option<StabilitySnapshot>,
    /// Set when the file had no box and a default one was made up.
    pub box_note: Option<String>,
    /// A problem or property open beside the network.
    pub problem: Option<Arc<AttachedProblem>>,
}

impl Document {
    /// Opens `network`, with its stored box or `[-1, 1]` per input, and analyses it with
    /// interval arithmetic when that is cheap.
    pub fn new(network: Network, source: NetworkSource, id: u64) -> Self {
        let (input_box, box_note) = match network.input_box() {
            Some(b) => (b.clone(), None),
            None => (
                default_box(network.input_dim()),
                Some("the file stores no input box; using [-1, 1] for every input".to_string()),
            ),
        };
        let mut doc = Self {
            network: Arc::new(network),
            source,
            id,
            box_edit: input_box.pairs(),
            input_box,
            box_revision: 0,
            box_error: None,
            analyses: Vec::new(),
            scaled: Vec::new(),
            displayed: None,
            ghost: None,
            box_note,
            problem: None,
        };
        doc.compute_inline_interval();
        doc
    }

    /// The current valid box.
    pub fn input_box(&self) -> &InputBox {
        &self.input_box
    }

    /// Changes with every box change.
    pub fn box_revision(&self) -> u64 {
        self.box_revision
    }

    /// Validates `box_edit`; applies it if valid and different from the current box.
    ///
    /// Returns whether the box changed. An invalid edit keeps the last valid box and sets
    /// `box_error`.
    pub fn apply_box_edit(&mut self) -> bool {
        match InputBox::from_pairs(&self.box_edit) {
            Err(e) => {
                self.box_error = Some(e.to_string());
                false
            }
            Ok(b) => {
                self.box_error = None;
                self.set_box(b)
            }
        }
    }

    /// Replaces the box (and the edit fields); returns whether it changed.
    pub fn set_box(&mut self, input_box: InputBox) -> bool {
        if input_box.dim() != self.network.input_dim() || input_box == self.input_box {
            return false;
        }
        self.box_edit = input_box.pairs();
        self.box_error = None;
        self.input_box = input_box;
        self.box_revision += 1;
        self.analyses.clear();
        self.scaled.clear();
        self.compute_inline_interval();
        true
    }

    /// Restores the box stored in the file (or the default box).
    pub fn reset_box(&mut self) -> bool {
        let stored = self
            .network
            .input_box()
            .cloned()
            .unwrap_or_else(|| default_box(self.network.input_dim()));
        self.box_error = None;
        let changed = self.set_box(stored);
        self.box_edit = self.input_box.pairs();
        changed
    }

    fn compute_inline_interval(&mut self) {
        if self.network.parameter_count() <= INLINE_INTERVAL_LIMIT {
            let bounds = interval_bounds(&self.network, &self.input_box);
            self.insert_analysis(bounds);
        }
    }

    /// Stores bounds computed for the current box (replacing older ones of that method).
    pub fn insert_analysis(&mut self, bounds: NetworkBounds) {
        let analysis = Analysis::new(&self.network, &self.input_box, bounds);
        self.analyses.retain(|a| a.method() != analysis.method());
        // Rescalings of older bounds of this method are stale.
        self.scaled.retain(|s| s.method != analysis.method());
        self.analyses.push(analysis);
    }

    /// Stores a rescaled analysis of the current box (replacing an older one of that pair).
    pub fn insert_scaled(&mut self, scaled: ScaledAnalysis) {
        if scaled.scaling == ScalingMethod::None {
            return;
        }
        self.scaled
            .retain(|s| (s.method, s.scaling) != (scaled.method, scaled.scaling));
        self.scaled.push(scaled);
    }

    /// The rescaled analysis of `method` with `scaling`, if computed (never for `None`).
    pub fn scaled(&self, method: BoundMethod, scaling: ScalingMethod) -> Option<&ScaledAnalysis> {
        self.scaled
            .iter()
            .find(|s| s.method == method && s.scaling == scaling)
    }

    /// Every rescaled analysis of the current box, by method then scaling.
    pub fn scaled_analyses(&self) -> impl Iterator<Item = &ScaledAnalysis> {
        BoundMethod::ALL.into_iter().flat_map(move |m| {
            ScalingMethod::ALL
                .into_iter()
                .filter_map(move |s| self.scaled(m, s))
        })
    }

    /// The analysis of `method` for the current box, if computed.
    pub fn analysis(&self, method: BoundMethod) -> Option<&Analysis> {
        self.analyses.iter().find(|a| a.method() == method)
    }

    /// Every analysis of the current box, cheapest method first.
    pub fn analyses(&self) -> impl Iterator<Item = &Analysis> {
        BoundMethod::ALL
            .into_iter()
            .filter_map(|m| self.analysis(m))
    }

    /// What the views show for `method`: its analysis, or interval arithmetic while it is
    /// being computed (or any analysis at all as a last resort).
    pub fn shown_analysis(&self, method: BoundMethod) -> Option<&Analysis> {
        self.analysis(method)
            .or_else(|| self.analysis(BoundMethod::Interval))
            .or_else(|| self.analyses.first())
    }

    /// Records what is displayed now for `method`; when that changes, the configuration that
    /// was on screen long enough becomes the ghost.
    pub fn update_display(&mut self, method: BoundMethod) {
        let Some(shown) = self.shown_analysis(method) else {
            return;
        };
        let key = (self.box_revision, shown.method());
        if self.displayed.as_ref().is_some_and(|(k, _, _)| *k == key) {
            return;
        }
        let snapshot = StabilitySnapshot {
            label: format!(
                "{}, box {}",
                shown.method().label(),
                self.input_box.describe()
            ),
            layers: shown.hidden_stats(),
        };
        if let Some((_, since, previous)) = self.displayed.take()
            && (self.ghost.is_none() || since.elapsed() >= GHOST_SETTLE)
        {
            self.ghost = Some(previous);
        }
        self.displayed = Some((key, Instant::now(), snapshot));
    }
}

/// `[-1, 1]` for every input.
pub fn default_box(dim: usize) -> InputBox {
    // A network always has at least one input, so this box is valid; fall back to a
    // one-dimensional box rather than panic if that ever changes.
    InputBox::new(vec![-1.0; dim], vec![1.0; dim])
        .or_else(|_| InputBox::new(vec![-1.0], vec![1.0]))
        .expect("[-1, 1] is a valid box")
}

/// Text from the library with the characters egui's default fonts cannot draw replaced
/// (`‖W‖` becomes `||W||`, arrows become `->`), so that it never shows as boxes.
pub fn displayable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // ‖, → and ← (escaped: the glyph test reads this file).
            '\u{2016}' => out.push_str("||"),
            '\u{2192}' => out.push_str("->"),
            '\u{2190}' => out.push_str("<-"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::samples;

    fn peaks() -> Document {
        Document::new(
            samples::default_network().unwrap(),
            NetworkSource::Sample("peaks_25x2"),
            1,
        )
    }

    #[test]
    fn opens_analysed_with_interval_bounds() {
        let doc = peaks();
        let a = doc.analysis(BoundMethod::Interval).unwrap();
        assert_eq!(a.hidden_stats().len(), 2);
        assert_eq!(doc.box_edit, vec![[-2.0, 2.0], [-2.0, 2.0]]);
    }

    #[test]
    fn an_inverted_box_is_reported_and_the_valid_box_kept() {
        let mut doc = peaks();
        doc.box_edit[0] = [1.0, -1.0];
        assert!(!doc.apply_box_edit());
        assert!(doc.box_error.as_deref().unwrap().contains("inverted"));
        assert_eq!(doc.input_box().lower(), &[-2.0, -2.0]);
        doc.box_edit[0] = [0.0, 1.0];
        assert!(doc.apply_box_edit());
        assert!(doc.box_error.is_none());
        assert_eq!(doc.input_box().lower(), &[0.0, -2.0]);
        assert_eq!(doc.box_revision(), 1);
        assert!(doc.reset_box());
        assert_eq!(doc.input_box().lower(), &[-2.0, -2.0]);
    }

    #[test]
    fn the_first_change_becomes_the_ghost() {
        let mut doc = peaks();
        doc.update_display(BoundMethod::Interval);
        assert!(doc.ghost.is_none());
        let before = doc.analysis(BoundMethod::Interval).unwrap().hidden_stats();
        doc.box_edit[0] = [0.0, 2.0];
        doc.apply_box_edit();
        doc.update_display(BoundMethod::Interval);
        assert_eq!(doc.ghost.as_ref().unwrap().layers, before);
    }
}
