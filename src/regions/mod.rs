//! Linear regions of a ReLU network over its input box.
//!
//! A network with piecewise-linear hidden activations is affine on each *activation region*
//! `R(p) = {x ∈ box : every hidden neuron is in the phase p says}` (inactive `a < 0`, active,
//! or for a clipped ReLU saturated `a > c`). The number of regions with a non-empty interior
//! is one of the study's complexity indicators.
//!
//! - [`count_exact`]: exact count in any input dimension, splitting layer by layer with LPs;
//! - [`partition_2d`]: the exact partition of a 2-D input (or a 2-D slice) into convex
//!   polygons, with each region's pattern and affine output function; the map answers point
//!   lookups ([`RegionMap::region_at`]) and gives the objective on a region
//!   ([`PlaneRegion::objective_piece`]) or over the plane ([`RegionMap::objective_range`]);
//! - [`sample_patterns`]: distinct patterns over seeded random samples, a lower bound;
//! - [`solve_by_regions`]: the optimum of `cᵀf(x)` as the best of the per-region LP optima;
//! - [`count_regions`]: one entry point choosing among the above, as the CLI does.
//!
//! # The interior tolerance
//! Both exact methods build the partition the same way: the box is split by the neurons of
//! layer 1 one after the other, each resulting cell by the neurons of layer 2 (whose
//! pre-activations are affine on the cell), and so on. A breakpoint hyperplane `a(x) = t`
//! (with `t = 0`, or `t = c` for a clipped ReLU) splits a cell `C` only if
//!
//! `min_{x∈C} (a(x) − t)/‖∇a‖ < −ε` and `max_{x∈C} (a(x) − t)/‖∇a‖ > ε`,
//!
//! i.e. only if `C` reaches more than a Euclidean distance `ε` beyond the hyperplane on both
//! sides. Otherwise the cell stays whole and takes the phase of the side it reaches farther
//! into (`above` iff `max + min > 0`); the sliver of width `≤ ε` on the other side is merged
//! into it. Every counted region therefore has a non-empty interior, and only regions thinner
//! than `ε` across one of their bounding hyperplanes are missed.
//! `ε = tolerance · (longest side of the box)` with [`DEFAULT_TOLERANCE`]` = 1e-7` by default:
//! well above the accuracy of the LP solvers (≈ 1e-12 for the dense solver, ≈ 1e-9 for
//! HiGHS), far below any region a plot or a grid could show.
//!
//! Neurons that interval/symbolic bounds prove stable over the whole box can never split a
//! cell; they are skipped and take their proven phase.

mod benchmark;
mod exact;
mod optimum;
mod pattern;
mod plane_queries;
mod polygon;
mod prune;
mod refine;
mod sampled;
mod slice;

pub use benchmark::{RegionsBenchmark, regions_benchmark};
pub use exact::{LpBackend, count_exact};
pub(crate) use optimum::{RegionMinimum, minimise_over_regions};
pub use optimum::{solve_by_regions, solve_by_regions_with};
pub use pattern::{ActivationPattern, AffinePiece, Phase};
pub use polygon::{PlaneRegion, RegionMap, partition_2d};
pub use sampled::sample_patterns;
pub use slice::Slice;

use crate::network::{InputBox, Network, NetworkError};
use serde::Serialize;
use thiserror::Error;

/// Default relative interior tolerance: `ε = 1e-7 ·` the longest side of the box.
pub const DEFAULT_TOLERANCE: f64 = 1e-7;

/// Default cap on the number of regions of the exact methods.
pub const DEFAULT_MAX_REGIONS: usize = 1_000_000;

/// Default number of samples of the sampled estimate.
pub const DEFAULT_SAMPLES: usize = 100_000;

/// Largest input dimension for which [`default_method`] picks the exact general method.
pub const EXACT_MAX_INPUTS: usize = 6;

/// What can go wrong counting regions.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RegionsError {
    /// An LP reached the time limit; the enumeration stops with what it found.
    #[error("the time limit was reached")]
    OutOfTime,
    /// The box has another dimension than the network input.
    #[error("the input box has {found} dimensions but the network takes {expected} inputs")]
    BoxDimension {
        /// Network input dimension.
        expected: usize,
        /// Box dimension.
        found: usize,
    },
    /// A side of the box (or of the slice plane) has zero width: no region has an interior.
    #[error(
        "the box has zero width along input {axis}: regions need a box of positive volume \
         (fix that input with a 2-D slice instead)"
    )]
    ZeroVolumeBox {
        /// The flat input.
        axis: usize,
    },
    /// A 2-D method was asked for a network whose input is not 2-D, without a slice.
    #[error("the network has {inputs} inputs: the 2-D partition needs 2 inputs or a slice")]
    NotTwoDimensional {
        /// Input dimension.
        inputs: usize,
    },
    /// The slice is malformed or does not fit the network.
    #[error("invalid slice: {0}")]
    Slice(String),
    /// An option is out of range.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The objective does not fit the network.
    #[error("{0}")]
    Objective(String),
    /// An LP could not be solved.
    #[error("LP solver: {0}")]
    Solver(String),
    /// The network or its box is unusable.
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// How the regions were counted; the JSON names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMethod {
    /// Layer-by-layer splitting with LPs, any input dimension.
    Exact,
    /// Layer-by-layer splitting of convex polygons, 2 inputs or a 2-D slice.
    #[serde(rename = "exact_2d")]
    Exact2d,
    /// Distinct activation patterns over random samples: a lower bound.
    Sampled,
}

impl CountMethod {
    /// The stable key: `exact`, `exact_2d` or `sampled`.
    pub fn key(self) -> &'static str {
        match self {
            CountMethod::Exact => "exact",
            CountMethod::Exact2d => "exact_2d",
            CountMethod::Sampled => "sampled",
        }
    }
}

/// Why an exact enumeration stopped before the end (its result is then a lower bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// More regions than `max_regions`.
    MaxRegions,
    /// The cells of a layer took more memory than `max_memory_bytes`.
    MaxMemory,
    /// The time limit passed.
    TimeLimit,
    /// The user cancelled.
    Cancelled,
}

impl StopReason {
    /// A short explanation for reports.
    pub fn describe(self) -> &'static str {
        match self {
            StopReason::MaxMemory => "the memory cap was reached",
            StopReason::MaxRegions => "the region cap was reached",
            StopReason::TimeLimit => "the time limit was reached",
            StopReason::Cancelled => "cancelled",
        }
    }
}

/// Default memory cap of an enumeration: 1 GiB of stored cells, well within a desktop's
/// memory (a cell of a `d`-input network split `k` times holds about `(k + 3d)·d` numbers).
pub const DEFAULT_MAX_MEMORY_BYTES: usize = 1 << 30;

/// Settings of the exact methods.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionOptions {
    /// Stop (result "at least N") once a layer has more than this many regions.
    pub max_regions: usize,
    /// Stop (result "at least N") after this many seconds.
    pub time_limit: Option<f64>,
    /// Stop (result "at least N") once the cells of a layer take more than this many bytes
    /// (an estimate of their polytopes or polygons; default [`DEFAULT_MAX_MEMORY_BYTES`]).
    pub max_memory_bytes: usize,
    /// Relative interior tolerance: `ε = tolerance ·` longest box side (see the module doc).
    pub tolerance: f64,
    /// LP solver of the general method.
    pub lp: LpBackend,
    /// Refine the cells of a layer in parallel (rayon).
    pub parallel: bool,
    /// For the region optimum only: drop cells whose objective bound cannot beat the best
    /// value found so far (branch and bound over regions; the optimum is unchanged). Counts
    /// always enumerate every region.
    pub prune: bool,
}

impl Default for RegionOptions {
    fn default() -> Self {
        Self {
            max_regions: DEFAULT_MAX_REGIONS,
            time_limit: None,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
            tolerance: DEFAULT_TOLERANCE,
            lp: LpBackend::Dense,
            parallel: true,
            prune: true,
        }
    }
}

impl RegionOptions {
    /// When the work must end: the earlier of `time_limit` after `started` and the
    /// control's own deadline.
    pub(crate) fn deadline(
        &self,
        started: std::time::Instant,
        control: &crate::control::TaskControl,
    ) -> Option<std::time::Instant> {
        let own = crate::control::deadline_after(started, self.time_limit);
        match (own, control.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn validate(&self) -> Result<(), RegionsError> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0 && self.tolerance < 0.1) {
            return Err(RegionsError::InvalidOption(format!(
                "tolerance must lie in (0, 0.1), found {}",
                self.tolerance
            )));
        }
        if self.max_regions == 0 {
            return Err(RegionsError::InvalidOption(
                "max_regions must be at least 1".into(),
            ));
        }
        if let Some(t) = self.time_limit
            && !(t.is_finite() && t > 0.0)
        {
            return Err(RegionsError::InvalidOption(format!(
                "time limit must be a positive number of seconds, found {t}"
            )));
        }
        Ok(())
    }
}

/// A region count; field names are the stable JSON keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCount {
    /// Number of regions: exact when `exact`, otherwise a lower bound ("at least").
    pub count: usize,
    /// Whether `count` is the exact number of regions (up to the interior tolerance).
    pub exact: bool,
    /// Regions of the network truncated after hidden layer 1, 2, … (exact entries when
    /// `exact`; after a stop, the last entry is a lower bound and layers not reached are
    /// absent; for `sampled`, distinct pattern prefixes).
    pub per_layer: Vec<usize>,
    /// How the regions were counted.
    pub method: CountMethod,
    /// Wall-clock time in seconds.
    pub time_s: f64,
    /// Number of samples (sampled method only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Why an exact method stopped early, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<StopReason>,
    /// The absolute interior tolerance `ε` used (exact methods).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// LPs solved (general method).
    pub lps_solved: usize,
    /// LPs the dense solver handed to HiGHS (general method; 0 in all measurements so far).
    pub lp_fallbacks: usize,
}

/// Which method to use, and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// [`count_exact`].
    Exact,
    /// [`partition_2d`].
    Exact2d,
    /// [`sample_patterns`] with `samples` points drawn with `seed`.
    Sampled {
        /// Number of random points.
        samples: usize,
        /// Seed of the generator.
        seed: u64,
    },
}

/// The method the CLI uses by default: `exact_2d` for 2 inputs (or a slice), `exact` for at
/// most [`EXACT_MAX_INPUTS`] inputs, `sampled` with [`DEFAULT_SAMPLES`] otherwise.
pub fn default_method(inputs: usize, sliced: bool) -> Method {
    if sliced || inputs == 2 {
        Method::Exact2d
    } else if inputs <= EXACT_MAX_INPUTS {
        Method::Exact
    } else {
        Method::Sampled {
            samples: DEFAULT_SAMPLES,
            seed: 0,
        }
    }
}

/// Counts the regions of `network` over `input_box` (or over the 2-D `slice` of it) with
/// `method`.
pub fn count_regions(
    network: &Network,
    input_box: &InputBox,
    slice: Option<&Slice>,
    method: Method,
    options: &RegionOptions,
    control: &crate::control::TaskControl,
) -> Result<RegionCount, RegionsError> {
    let (network, input_box) = match slice {
        Some(s) => s.restrict(network, input_box)?,
        None => (network.clone(), input_box.clone()),
    };
    match method {
        Method::Exact => count_exact(&network, &input_box, options, control),
        Method::Exact2d => {
            partition_2d(&network, &input_box, None, options, control).map(|map| map.region_count())
        }
        Method::Sampled { samples, seed } => {
            sample_patterns(&network, &input_box, samples, seed, control)
        }
    }
}

/// Checks that the box fits the network and has positive volume; returns `ε` for `tolerance`.
fn check_box(network: &Network, input_box: &InputBox, tolerance: f64) -> Result<f64, RegionsError> {
    if input_box.dim() != network.input_dim() {
        return Err(RegionsError::BoxDimension {
            expected: network.input_dim(),
            found: input_box.dim(),
        });
    }
    let mut longest: f64 = 0.0;
    for (axis, (&lo, &hi)) in input_box.lower().iter().zip(input_box.upper()).enumerate() {
        if hi <= lo {
            return Err(RegionsError::ZeroVolumeBox { axis });
        }
        longest = longest.max(hi - lo);
    }
    Ok(tolerance * longest)
}
