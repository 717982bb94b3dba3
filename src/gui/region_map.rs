//! The data behind the Regions view: the exact 2-D partition (or a count of the regions of the
//! whole box) computed on a worker, plus the pure functions the view draws with (region
//! colours, descriptions). Point lookup and the objective on a region are questions to the
//! library's `RegionMap` and `PlaneRegion`.

use super::worker::Task;
use eframe::egui::{self, Color32};
use reluscope::control::TaskControl;
use reluscope::network::{InputBox, Network};
use reluscope::numbers::format_number;
use reluscope::regions::{
    ActivationPattern, RegionCount, RegionMap, RegionOptions, Slice, count_regions, default_method,
    partition_2d,
};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Cap on the regions the app enumerates: beyond it the result reads "at least N". A map of
/// 250,000 polygons still draws in a few milliseconds per frame.
pub const APP_MAX_REGIONS: usize = 250_000;

/// Time limit of a region computation started by the app, in seconds (Cancel stops it sooner).
pub const APP_TIME_LIMIT_S: f64 = 300.0;

/// What a region computation depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionsKey {
    /// The document.
    pub doc_id: u64,
    /// The box revision.
    pub box_revision: u64,
    /// The plane's input axes (`[0, 1]` for two inputs); `None` for a whole-box count.
    pub axes: Option<[usize; 2]>,
}

/// The result of a region computation.
pub enum RegionsOutcome {
    /// The partition of a plane (two inputs, or a slice through the box centre).
    Map(Arc<RegionMap>),
    /// A count over the whole box (any input dimension).
    Count(RegionCount),
}

/// A message of a region worker.
pub enum RegionsMessage {
    /// Fraction done and the current step.
    Progress(f64, String),
    /// The result or the error, as one line.
    Done(Result<RegionsOutcome, String>),
}

/// A region computation on a worker, with its latest progress.
pub struct RegionsJob {
    /// What it computes.
    pub key: RegionsKey,
    /// The worker.
    pub task: Task<RegionsMessage>,
    /// Fraction done, once reported.
    pub fraction: Option<f64>,
    /// The current step.
    pub step: String,
}

impl RegionsJob {
    /// Starts the partition of the plane `key.axes` (a whole-box count when `None`).
    ///
    /// For more than two inputs the plane is the slice through the box centre; a whole-box
    /// count uses the CLI's default method (exact up to 6 inputs, sampled beyond).
    pub fn start(
        ctx: &egui::Context,
        key: RegionsKey,
        network: Arc<Network>,
        input_box: InputBox,
    ) -> Self {
        let axes = key.axes;
        let task = Task::spawn(
            ctx,
            "regions",
            move |reporter| {
                let control = reporter.task_control(RegionsMessage::Progress);
                let options = RegionOptions {
                    max_regions: APP_MAX_REGIONS,
                    time_limit: Some(APP_TIME_LIMIT_S),
                    ..RegionOptions::default()
                };
                let outcome = compute(&network, &input_box, axes, &options, &control);
                reporter.send(RegionsMessage::Done(outcome));
            },
            |e| RegionsMessage::Done(Err(e)),
        );
        Self {
            key,
            task,
            fraction: None,
            step: String::new(),
        }
    }

    /// Applies the worker's messages; returns the outcome once it ends.
    pub fn poll(&mut self) -> Option<Result<RegionsOutcome, String>> {
        let mut done = None;
        for message in self.task.drain() {
            match message {
                RegionsMessage::Progress(f, step) => {
                    self.fraction = Some(f);
                    self.step = step;
                }
                RegionsMessage::Done(outcome) => done = Some(outcome),
            }
        }
        if done.is_none() && self.task.is_finished() {
            done = Some(Err("the region worker stopped unexpectedly".into()));
        }
        done
    }
}

fn compute(
    network: &Network,
    input_box: &InputBox,
    axes: Option<[usize; 2]>,
    options: &RegionOptions,
    control: &TaskControl,
) -> Result<RegionsOutcome, String> {
    match axes {
        Some(axes) => {
            let slice = (network.input_dim() != 2).then_some(Slice { axes, point: None });
            partition_2d(network, input_box, slice.as_ref(), options, control)
                .map(|m| RegionsOutcome::Map(Arc::new(m)))
        }
        None => {
            let method = default_method(network.input_dim(), false);
            count_regions(network, input_box, None, method, options, control)
                .map(RegionsOutcome::Count)
        }
    }
    .map_err(|e| e.to_string())
}

/// How the map fills its regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colouring {
    /// One colour per activation pattern: neighbouring regions differ.
    #[default]
    Pattern,
    /// The objective `c·f(x)`, exact within each region (it is affine there).
    Objective,
    /// The pattern's colour, darker where the objective is smaller.
    PatternShaded,
}

impl Colouring {
    /// Every colouring, in menu order.
    pub const ALL: [Colouring; 3] = [
        Colouring::Pattern,
        Colouring::Objective,
        Colouring::PatternShaded,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Colouring::Pattern => "activation pattern",
            Colouring::Objective => "objective",
            Colouring::PatternShaded => "pattern, shaded by objective",
        }
    }
}

/// A colour for `pattern`: a hue from its hash, so equal patterns look alike and neighbours
/// (which differ in at least one neuron) almost always differ.
pub fn pattern_colour(pattern: &ActivationPattern) -> Color32 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    pattern.hash(&mut hasher);
    let h = hasher.finish();
    let hue = (h & 0xffff) as f32 / 65_536.0;
    let saturation = 0.45 + 0.25 * ((h >> 16) & 0xff) as f32 / 255.0;
    let value = 0.70 + 0.25 * ((h >> 24) & 0xff) as f32 / 255.0;
    egui::ecolor::Hsva::new(hue, saturation, value, 1.0).into()
}

/// `1.5·x0 − 0.25·x1 + 2` for gradient `g` over the named axes and offset `h`.
pub fn format_affine(g: &[f64], axes: [usize; 2], h: f64) -> String {
    let mut text = String::new();
    for (k, &gk) in g.iter().enumerate().take(2) {
        let sign = if gk < 0.0 { "−" } else { "+" };
        if text.is_empty() {
            if gk < 0.0 {
                text.push('−');
            }
        } else {
            text.push_str(&format!(" {sign} "));
        }
        text.push_str(&format!("{}·x{}", format_number(gk.abs()), axes[k]));
    }
    let sign = if h < 0.0 { "−" } else { "+" };
    format!("{text} {sign} {}", format_number(h.abs()))
}

/// The region's pattern one hidden layer per line: `layer 1: 0110…` (0 inactive, 1 active,
/// c saturated), with the count of active neurons.
pub fn pattern_lines(pattern: &ActivationPattern) -> Vec<String> {
    pattern
        .layers
        .iter()
        .enumerate()
        .map(|(k, layer)| {
            let symbols: String = layer.iter().map(|p| p.symbol()).collect();
            let active = layer.iter().filter(|p| p.symbol() != '0').count();
            format!("layer {}: {symbols}  ({active}/{} on)", k + 1, layer.len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reluscope::regions::Phase;

    #[test]
    fn equal_patterns_share_a_colour() {
        let a = ActivationPattern {
            layers: vec![vec![Phase::Active, Phase::Inactive]],
        };
        let b = ActivationPattern {
            layers: vec![vec![Phase::Inactive, Phase::Active]],
        };
        assert_eq!(pattern_colour(&a), pattern_colour(&a.clone()));
        assert_ne!(pattern_colour(&a), pattern_colour(&b));
    }

    #[test]
    fn descriptions_read_well() {
        assert_eq!(
            format_affine(&[1.5, -0.25], [0, 1], 2.0),
            "1.500·x0 − 0.2500·x1 + 2"
        );
        let p = ActivationPattern {
            layers: vec![vec![Phase::Active, Phase::Inactive, Phase::Saturated]],
        };
        assert_eq!(pattern_lines(&p), vec!["layer 1: 10c  (2/3 on)"]);
    }
}
