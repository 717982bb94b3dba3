//! One cell of a study: one network (trained with one variant and seed, or read from a
//! file) and everything measured on it. Cells are independent and deterministic given their
//! seeds, so they can run in any order, on any machine.

use super::StudyError;
use super::StudySpec;
use crate::analysis::AnalysisReport;
use crate::bounds::BoundMethod;
use crate::control::TaskControl;
use crate::error::Error;
use crate::formats::load_network;
use crate::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveOptions, SolveReport};
use crate::network::{InputBox, Network};
use crate::numbers::median;
use crate::pipeline::{MilpSetup, PreparedMilp, SolveMethod, solve};
use crate::regions::{RegionOptions, count_regions, default_method};
use crate::scaling::ScalingMethod;
use crate::tightening::compute_bounds;
use crate::training::{BenchmarkFunction, Dataset, train};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

/// Where a cell's network comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CellSource {
    /// Trained on a benchmark function.
    Trained {
        /// Function key (`peaks`, `ackley:5`, …).
        function: String,
        /// Hidden widths.
        hidden: Vec<usize>,
        /// Training variant (`plain`, `l1=1e-3`, …).
        variant: String,
        /// Training seed.
        seed: u64,
    },
    /// Read from a network file (its stored box).
    File {
        /// The file.
        path: PathBuf,
    },
}

/// One independent unit of work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSpec {
    /// Stable identifier, also the cell's file name (`peaks_25x25_l1-1e-3_s0`).
    pub id: String,
    /// Its network.
    pub source: CellSource,
}

impl CellSpec {
    /// The function key, or `file` for a network file.
    pub fn function(&self) -> &str {
        match &self.source {
            CellSource::Trained { function, .. } => function,
            CellSource::File { .. } => "file",
        }
    }

    /// The training variant, or `file`.
    pub fn variant(&self) -> &str {
        match &self.source {
            CellSource::Trained { variant, .. } => variant,
            CellSource::File { .. } => "file",
        }
    }
}

/// Every cell of `spec`, in a fixed order (functions × layouts × variants × seeds, then the
/// files); the same spec always lists the same cells with the same ids.
pub fn list_cells(spec: &StudySpec) -> Vec<CellSpec> {
    let mut cells = Vec::new();
    for function in &spec.functions {
        for hidden in &spec.hidden {
            for variant in &spec.variants {
                for &seed in &spec.seeds {
                    let layout: Vec<String> = hidden.iter().map(usize::to_string).collect();
                    let id = format!(
                        "{}_{}_{}_s{seed}",
                        function.replace(':', ""),
                        layout.join("x"),
                        variant.replace('=', "-").replace('+', "_")
                    );
                    cells.push(CellSpec {
                        id,
                        source: CellSource::Trained {
                            function: function.clone(),
                            hidden: hidden.clone(),
                            variant: variant.clone(),
                            seed,
                        },
                    });
                }
            }
        }
    }
    for (k, path) in spec.networks.iter().enumerate() {
        let stem: String = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        cells.push(CellSpec {
            id: format!("file{k}_{stem}"),
            source: CellSource::File { path: path.clone() },
        });
    }
    cells
}

/// One solve: medians over the HiGHS seeds for the MILP, and the forward check of `x*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolveFigures {
    /// `milp`, `regions`, `branch`, or the path `auto` took (`auto:regions`, …).
    pub method: String,
    /// `optimal`, `time_limit`, … (of the run with the median time).
    pub status: String,
    /// The objective at `x*`.
    pub objective: Option<f64>,
    /// The proven bound.
    pub best_bound: Option<f64>,
    /// Relative gap at the end.
    pub gap: Option<f64>,
    /// Median nodes (regions or boxes for the non-MILP paths).
    pub nodes: f64,
    /// Median wall time, seconds.
    pub time_s: f64,
    /// Every run's time, seconds.
    pub times_s: Vec<f64>,
    /// `x*`.
    pub x: Option<Vec<f64>>,
    /// The network's output at `x*` by a forward pass done here.
    pub forward_value: Option<f64>,
    /// Whether the forward pass agrees with the objective (`|f(x*) − obj| ≤ 10⁻⁶(1 + |obj|)`).
    pub forward_ok: bool,
}

impl SolveFigures {
    fn of_runs(method: String, network: &Network, mut runs: Vec<SolveReport>) -> Self {
        runs.sort_by(|a, b| a.time_s.total_cmp(&b.time_s));
        let mut times: Vec<f64> = runs.iter().map(|r| r.time_s).collect();
        let mut nodes: Vec<f64> = runs.iter().map(|r| r.nodes as f64).collect();
        let times_s = times.clone();
        let time_s = median(&mut times).unwrap_or(f64::NAN);
        let nodes = median(&mut nodes).unwrap_or(f64::NAN);
        let middle = runs.swap_remove(runs.len() / 2);
        let forward_value = middle.x.as_ref().map(|x| network.forward(x)[0]);
        let forward_ok = match (forward_value, middle.objective) {
            (Some(f), Some(obj)) => (f - obj).abs() <= 1e-6 * (1.0 + obj.abs()),
            _ => false,
        };
        Self {
            method,
            status: middle.status,
            objective: middle.objective,
            best_bound: middle.best_bound,
            gap: middle.gap,
            nodes,
            time_s,
            times_s,
            x: middle.x,
            forward_value,
            forward_ok,
        }
    }
}

/// Figures of one hidden layer under one treatment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerFigures {
    /// Stable neurons, percent.
    pub stable_percent: f64,
    /// Binaries of the layer.
    pub binaries: usize,
    /// Largest big-M of the layer (after rescaling), if any neuron is unstable.
    pub max_big_m: Option<f64>,
    /// Median big-M of the layer.
    pub median_big_m: Option<f64>,
}

/// One treatment of a network: a bound method and a rescaling, and the MILP they give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Treatment {
    /// Bound method key.
    pub bounds: String,
    /// Rescaling key.
    pub rescaling: String,
    /// Time of the bounds, seconds.
    pub bounds_time_s: f64,
    /// Time of the rescaling, seconds.
    pub scaling_time_s: f64,
    /// Stable hidden neurons, percent.
    pub stable_percent: f64,
    /// Binaries of the MILP.
    pub binaries: usize,
    /// Largest hidden big-M.
    pub max_big_m: Option<f64>,
    /// Per hidden layer.
    pub layers: Vec<LayerFigures>,
    /// Why the bounds stopped early (the time limit, LPs that failed), if they did: then they
    /// are looser
    /// than the method's own (finished where they could) and the findings leave them out.
    #[serde(default)]
    pub bounds_stopped: Option<String>,
    /// The MILP, when the study solves with `milp`.
    pub milp: Option<SolveFigures>,
    /// The post-processing's net effect against the baseline treatment (the study's first
    /// bound method and first rescaling): its MILP time plus post-processing time minus
    /// ours, in seconds; positive when this treatment paid for itself.
    pub net_saving_s: Option<f64>,
}

/// The regions of a cell's network over its box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionFigures {
    /// Count (a lower bound unless `exact`).
    pub count: usize,
    /// Whether the count is exact.
    pub exact: bool,
    /// `exact`, `exact_2d` or `sampled`.
    pub method: String,
    /// Seconds.
    pub time_s: f64,
}

/// Everything measured on one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// The cell.
    pub cell: CellSpec,
    /// The network in the study directory (`networks/ID.json`).
    pub network_file: String,
    /// Widths such as `2-25-25-1`.
    pub architecture: String,
    /// The box as `[lo, hi]` pairs.
    pub input_box: Vec<[f64; 2]>,
    /// RMSE on the test split (trained cells).
    pub test_rmse: Option<f64>,
    /// Epochs trained.
    pub epochs: Option<usize>,
    /// Training time, seconds.
    pub train_time_s: Option<f64>,
    /// Linear regions.
    pub regions: Option<RegionFigures>,
    /// One entry per bound method × rescaling.
    pub treatments: Vec<Treatment>,
    /// The solves that bring their own bounds (`regions`, `branch`, `auto`).
    pub solves: Vec<SolveFigures>,
    /// Why the cell failed, if it did (the figures before the failure are kept).
    pub error: Option<String>,
    /// Wall time of the whole cell, seconds.
    pub time_s: f64,
}

impl CellResult {
    /// The function key, or `file`.
    pub fn function(&self) -> &str {
        self.cell.function()
    }

    /// The hidden layout as `25x25` (the architecture's middle for a file).
    pub fn layout(&self) -> String {
        // A failed cell has no architecture; a network without hidden layers no layout.
        let widths: Vec<&str> = self.architecture.split('-').collect();
        if widths.len() < 3 {
            return String::new();
        }
        widths[1..widths.len() - 1].join("x")
    }

    /// The treatment with bound method `bounds` and rescaling `rescaling`.
    pub fn treatment(&self, bounds: &str, rescaling: &str) -> Option<&Treatment> {
        self.treatments
            .iter()
            .find(|t| t.bounds == bounds && t.rescaling == rescaling)
    }
}

/// How a cell's network was trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingFigures {
    /// RMSE on the test split.
    pub test_rmse: f64,
    /// Epochs run.
    pub epochs: usize,
    /// Wall time, seconds.
    pub time_s: f64,
}

/// Builds (trains or reads) the network of `cell`, with how it was trained for a trained one.
pub fn cell_network(
    spec: &StudySpec,
    cell: &CellSpec,
    control: &TaskControl,
) -> Result<(Network, Option<TrainingFigures>), Error> {
    match &cell.source {
        CellSource::Trained {
            function,
            hidden,
            variant,
            seed,
        } => {
            let function = BenchmarkFunction::parse(function)?;
            let config = spec
                .training_config(hidden, variant, *seed)
                .map_err(|e| Error::Invalid(e.to_string()))?;
            let data = Dataset::from_function(function, config.samples, config.seed)?;
            let cancel = control.cancel.clone();
            let trained = train(&data, &config, &mut |_| {
                if cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })?;
            if trained.cancelled {
                return Err(Error::Invalid("cancelled".into()));
            }
            let network = trained.network.named(cell.id.clone());
            Ok((
                network,
                Some(TrainingFigures {
                    test_rmse: trained.test_rmse,
                    epochs: trained.epochs,
                    time_s: trained.time_s,
                }),
            ))
        }
        CellSource::File { path } => Ok((load_network(path)?, None)),
    }
}

/// Measures `network` (the network of `cell`) as `spec` says: regions, then every treatment
/// (bounds × rescaling, with its MILP over the HiGHS seeds), then the solves that bring
/// their own bounds. A failure stops the cell and is recorded in `error`, keeping the
/// figures measured before it.
pub fn measure_cell(
    spec: &StudySpec,
    cell: &CellSpec,
    network: &Network,
    training: Option<TrainingFigures>,
    control: &TaskControl,
) -> Result<CellResult, StudyError> {
    let started = Instant::now();
    // A library caller may pass a spec `run_study` never saw (e.g. no HiGHS seed).
    spec.validate()?;
    let bounds = spec.bound_methods()?;
    let scalings = spec.scaling_methods()?;
    let solves = spec.solve_method_list()?;
    let input_box = network.input_box().cloned();
    let mut result = CellResult {
        cell: cell.clone(),
        network_file: format!("networks/{}.json", cell.id),
        architecture: network.architecture(),
        input_box: input_box.as_ref().map_or_else(Vec::new, |b| {
            b.lower()
                .iter()
                .zip(b.upper())
                .map(|(l, u)| [*l, *u])
                .collect()
        }),
        test_rmse: training.map(|t| t.test_rmse),
        epochs: training.map(|t| t.epochs),
        train_time_s: training.map(|t| t.time_s),
        regions: None,
        treatments: Vec::new(),
        solves: Vec::new(),
        error: None,
        time_s: 0.0,
    };
    match &input_box {
        // A failed cell, not a stopped study: the other cells still run.
        None => {
            result.error = Some(format!(
                "{}: the network stores no input box (ONNX stores none; convert it with a box)",
                cell.id
            ));
        }
        Some(input_box) => {
            if let Err(e) = measure_into(
                spec,
                network,
                input_box,
                (&bounds, &scalings, &solves),
                &mut result,
                control,
            ) {
                result.error = Some(e.to_string());
            }
        }
    }
    fill_net_savings(&mut result.treatments);
    result.time_s = started.elapsed().as_secs_f64();
    Ok(result)
}

type Choices<'a> = (&'a [BoundMethod], &'a [ScalingMethod], &'a [SolveMethod]);

fn measure_into(
    spec: &StudySpec,
    network: &Network,
    input_box: &InputBox,
    (bounds, scalings, solves): Choices,
    result: &mut CellResult,
    control: &TaskControl,
) -> Result<(), Error> {
    let limited = || control.clone().with_time_limit(Some(spec.time_limit));
    let method = default_method(network.input_dim(), false);
    let count = count_regions(
        network,
        input_box,
        None,
        method,
        &RegionOptions {
            time_limit: Some(spec.time_limit),
            ..RegionOptions::default()
        },
        &limited(),
    )?;
    result.regions = Some(RegionFigures {
        count: count.count,
        exact: count.exact,
        method: count.method.key().to_string(),
        time_s: count.time_s,
    });
    let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
    let solve_options = |seed: u32| NetworkSolveOptions {
        solver: SolveOptions {
            time_limit: Some(spec.time_limit),
            random_seed: seed,
            ..SolveOptions::default()
        },
        ..NetworkSolveOptions::default()
    };
    let solve_control = SolveControl {
        cancel: control.cancel.clone(),
        ..SolveControl::default()
    };
    for &method in bounds {
        let original = compute_bounds(network, input_box, method, &limited())?;
        for &scaling in scalings {
            let prepared = PreparedMilp::from_bounds(network, input_box, original.clone(), scaling)
                .map_err(Error::Scaling)?;
            let report: AnalysisReport = prepared.report(network, input_box);
            let milp = if solves.contains(&SolveMethod::Milp) {
                let runs = (0..spec.solve_seeds)
                    .map(|seed| {
                        prepared.solve_with(
                            input_box,
                            &objective,
                            &solve_options(seed),
                            &solve_control,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Some(SolveFigures::of_runs("milp".into(), network, runs))
            } else {
                None
            };
            result.treatments.push(Treatment {
                bounds: method.key().into(),
                rescaling: scaling.key().into(),
                bounds_time_s: report.time_s,
                scaling_time_s: report.scaling_time_s,
                stable_percent: report.stable_percent,
                binaries: report.binaries,
                max_big_m: report.max_hidden_big_m(),
                layers: report
                    .hidden_layers()
                    .iter()
                    .map(|l| LayerFigures {
                        stable_percent: l.stats.stable_percent.unwrap_or(100.0),
                        binaries: l.stats.binaries,
                        max_big_m: l.stats.max_big_m,
                        median_big_m: l.stats.median_big_m,
                    })
                    .collect(),
                milp,
                net_saving_s: None,
                bounds_stopped: prepared.original_bounds.stopped.clone(),
            });
        }
    }
    for &method in solves.iter().filter(|&&m| m != SolveMethod::Milp) {
        let setup = MilpSetup {
            bounds: BoundMethod::LpObbt,
            ..MilpSetup::default()
        };
        let solved = solve(
            network,
            input_box,
            &objective,
            method,
            &setup,
            &solve_options(0),
            &RegionOptions::default(),
            &solve_control,
        )?;
        let name = if method == SolveMethod::Auto {
            format!("auto:{}", solved.method.key())
        } else {
            method.key().to_string()
        };
        result
            .solves
            .push(SolveFigures::of_runs(name, network, vec![solved.report]));
    }
    Ok(())
}

/// Sets each treatment's net saving against the first one (the baseline: the first bound
/// method, the first rescaling).
fn fill_net_savings(treatments: &mut [Treatment]) {
    let total = |t: &Treatment| {
        t.milp
            .as_ref()
            .map(|m| m.time_s + t.bounds_time_s + t.scaling_time_s)
    };
    let Some(baseline) = treatments.first().and_then(total) else {
        return;
    };
    for t in treatments.iter_mut() {
        t.net_saving_s = total(t).map(|own| baseline - own);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measuring_with_an_invalid_spec_is_an_error_not_a_panic() {
        let spec = StudySpec {
            solve_seeds: 0,
            ..StudySpec::quick()
        };
        let cell = list_cells(&StudySpec::quick()).remove(0);
        let network =
            crate::network::random_network(&[2, 3, 1], 0, crate::network::Activation::Relu)
                .unwrap();
        let err = measure_cell(&spec, &cell, &network, None, &TaskControl::default()).unwrap_err();
        assert!(err.to_string().contains("solve seeds"), "{err}");
    }

    #[test]
    fn cells_are_listed_in_a_fixed_order_with_unique_file_safe_ids() {
        let mut spec = StudySpec::quick();
        spec.hidden = vec![vec![10, 10]];
        spec.variants = vec!["plain".into(), "l1=1e-3+clip=1".into()];
        spec.functions = vec!["peaks".into(), "ackley:3".into()];
        spec.networks = vec!["a/b/peaks 25x2.json".into(), "c/peaks 25x2.json".into()];
        let cells = list_cells(&spec);
        assert_eq!(cells.len(), 2 * 2 + 2);
        assert_eq!(cells[1].id, "peaks_10x10_l1-1e-3_clip-1_s0");
        assert_eq!(cells[2].id, "ackley3_10x10_plain_s0");
        assert_eq!(cells[4].id, "file0_peaks_25x2");
        let mut ids: Vec<&str> = cells.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), cells.len());
        assert_eq!(list_cells(&spec), cells);
    }
}
