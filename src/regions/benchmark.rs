//! Timing both exact methods on one 2-input network.

use super::{RegionOptions, RegionsError, count_exact, partition_2d};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use serde::Serialize;

/// Counts and times of the two exact methods on one network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionsBenchmark {
    /// The network's name.
    pub name: String,
    /// Its architecture, e.g. `2-25-25-1`.
    pub architecture: String,
    /// Regions found by the 2-D partition.
    pub count_2d: usize,
    /// Best wall-clock time of the 2-D partition over the repetitions, seconds.
    pub time_2d_s: f64,
    /// Regions found by the general method.
    pub count_general: usize,
    /// Best wall-clock time of the general method, seconds.
    pub time_general_s: f64,
    /// LPs the general method solved.
    pub lps: usize,
    /// `time_general_s / time_2d_s`.
    pub ratio: f64,
}

/// Runs [`partition_2d`] and [`count_exact`] on a 2-input `network` over `input_box`
/// `repetitions` times each (at least once) and keeps the best time of each.
pub fn regions_benchmark(
    network: &Network,
    input_box: &InputBox,
    options: &RegionOptions,
    repetitions: usize,
) -> Result<RegionsBenchmark, RegionsError> {
    let control = TaskControl::default();
    let (mut time_2d, mut time_general) = (f64::INFINITY, f64::INFINITY);
    let (mut count_2d, mut count_general, mut lps) = (0, 0, 0);
    for _ in 0..repetitions.max(1) {
        let map = partition_2d(network, input_box, None, options, &control)?;
        time_2d = time_2d.min(map.time_s);
        count_2d = map.count();
        let general = count_exact(network, input_box, options, &control)?;
        time_general = time_general.min(general.time_s);
        count_general = general.count;
        lps = general.lps_solved;
    }
    Ok(RegionsBenchmark {
        name: network.name.clone(),
        architecture: network.architecture(),
        count_2d,
        time_2d_s: time_2d,
        count_general,
        time_general_s: time_general,
        lps,
        ratio: time_general / time_2d.max(1e-9),
    })
}
