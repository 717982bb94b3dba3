//! The app's figures of one network as [`Chart`]s, for `reluscope plot` and the app's
//! Export: big-M and stability per layer under each bound method, the linear regions and
//! the output surface of a 2-D box (or of the plane through the box centre), and the
//! progress of a solve.

use super::chart::{Axis, Cell, Chart, ColourBar, Mark, Series};
use super::palette::{categorical, method_colour, rescaled_dashed, sequential};
use super::render::tick_label;
use crate::bounds::BoundMethod;
use crate::control::TaskControl;
use crate::error::Error;
use crate::milp::{NetworkSolveOptions, Objective, Sense, SolveControl, SolveOptions, SolveReport};
use crate::network::{InputBox, Network};
use crate::numbers::format_number;
use crate::pipeline::{MilpSetup, SolveMethod, prepare_milp, solve};
use crate::regions::{RegionOptions, Slice, partition_2d};
use crate::scaling::ScalingMethod;
use std::hash::{Hash, Hasher};

/// Which figure of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Largest and median big-M per hidden layer, per bound method (log axis).
    BigM,
    /// Stable neurons per hidden layer, per bound method.
    Stability,
    /// The linear regions of the plane (2 inputs, or the plane of inputs 0 and 1 through
    /// the box centre).
    Regions,
    /// The output over the plane as a heat map.
    Surface,
    /// Incumbent and best bound of a solve over time.
    Solve,
    /// Every neuron, layer by layer, coloured by its state under the first bound method.
    Network,
}

impl View {
    /// Every view.
    pub const ALL: [View; 6] = [
        View::BigM,
        View::Stability,
        View::Regions,
        View::Surface,
        View::Solve,
        View::Network,
    ];

    /// The name on the command line.
    pub fn key(self) -> &'static str {
        match self {
            View::BigM => "bigm",
            View::Stability => "stability",
            View::Regions => "regions",
            View::Surface => "surface",
            View::Solve => "solve",
            View::Network => "network",
        }
    }

    /// The view named `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// What a network figure is computed with.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureSettings {
    /// Bound methods compared (big-M, stability); the first one bounds the solve's MILP.
    pub bounds: Vec<BoundMethod>,
    /// Rescaling applied after the bounds.
    pub scaling: ScalingMethod,
    /// Solve path of the solve view.
    pub solve_method: SolveMethod,
    /// Time limit of the whole figure's computation, seconds.
    pub time_limit: f64,
    /// Most regions drawn before the map is capped.
    pub max_regions: usize,
    /// Points per side of the surface grid.
    pub surface_resolution: usize,
}

impl Default for FigureSettings {
    fn default() -> Self {
        Self {
            bounds: vec![
                BoundMethod::Interval,
                BoundMethod::Symbolic,
                BoundMethod::LpObbt,
            ],
            scaling: ScalingMethod::None,
            solve_method: SolveMethod::Auto,
            time_limit: 120.0,
            max_regions: 50_000,
            surface_resolution: 90,
        }
    }
}

/// The figure `view` of `network` over `input_box`, titled with the network's name, the box
/// and the methods.
pub fn network_figure(
    network: &Network,
    input_box: &InputBox,
    view: View,
    settings: &FigureSettings,
    control: &TaskControl,
) -> Result<Chart, Error> {
    let control = &control.clone().with_time_limit(Some(settings.time_limit));
    let mut chart = match view {
        View::BigM | View::Stability => {
            per_layer_chart(network, input_box, view, settings, control)?
        }
        View::Regions => regions_chart(network, input_box, settings, control)?,
        View::Surface => surface_chart(network, input_box, settings),
        View::Solve => solve_chart(network, input_box, settings, control)?,
        View::Network => neurons_chart(network, input_box, settings, control)?,
    };
    chart.title = figure_title(network, input_box, view, settings);
    Ok(chart)
}

/// The title of figure `view`: the network's name, what is shown with which methods, the box.
pub fn figure_title(
    network: &Network,
    input_box: &InputBox,
    view: View,
    settings: &FigureSettings,
) -> String {
    let name = if network.name.is_empty() {
        "network"
    } else {
        network.name.as_str()
    };
    let scaling = match settings.scaling {
        ScalingMethod::None => String::new(),
        s => format!(", rescaled {}", s.key()),
    };
    let methods: Vec<&str> = settings.bounds.iter().map(|m| m.key()).collect();
    let what = match view {
        View::BigM => format!("big-M per layer ({}{scaling})", methods.join(", ")),
        View::Stability => format!("stable neurons per layer ({}{scaling})", methods.join(", ")),
        View::Regions => "linear regions".to_string(),
        View::Surface => "output".to_string(),
        View::Solve => format!("solve ({}{scaling})", settings.solve_method.key()),
        View::Network => format!(
            "neurons by state ({} bounds)",
            settings.bounds.first().map_or("ia", |m| m.key())
        ),
    };
    format!("{name}: {what}, box {}", box_label(input_box))
}

/// `[-2, 2]×[-2, 2]`, shortened after four inputs.
fn box_label(input_box: &InputBox) -> String {
    let sides: Vec<String> = input_box
        .lower()
        .iter()
        .zip(input_box.upper())
        .map(|(l, u)| format!("[{}, {}]", tick_label(*l), tick_label(*u)))
        .collect();
    if sides.len() > 4 {
        format!(
            "{}×…×{} ({} inputs)",
            sides[0],
            sides[sides.len() - 1],
            sides.len()
        )
    } else {
        sides.join("×")
    }
}

fn per_layer_chart(
    network: &Network,
    input_box: &InputBox,
    view: View,
    settings: &FigureSettings,
    control: &TaskControl,
) -> Result<Chart, Error> {
    let hidden = network.layers().len().saturating_sub(1);
    let layers: Vec<String> = (1..=hidden).map(|i| i.to_string()).collect();
    let y = if view == View::BigM {
        Axis::log("big-M: max (line) and median (dots) over unstable neurons")
    } else {
        Axis::percent("stable neurons (%)")
    };
    let mut chart = Chart::new("", Axis::categorical("hidden layer", layers), y);
    let dashed = rescaled_dashed(settings.scaling.key());
    for &method in &settings.bounds {
        let setup = MilpSetup {
            bounds: method,
            scaling: settings.scaling,
            ..MilpSetup::default()
        };
        let prepared = prepare_milp(network, input_box, &setup, control)?;
        if let Some(why) = &prepared.original_bounds.stopped {
            chart.notes.push(format!(
                "{}: bounds cut short ({why}); looser than the method's own",
                method.key()
            ));
        }
        let report = prepared.report(network, input_box);
        let colour = method_colour(method.key());
        let layers = report.hidden_layers();
        if view == View::Stability {
            chart.series.push(Series {
                name: method.key().into(),
                points: layers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| l.stats.stable_percent.map(|p| (i as f64, p)))
                    .collect(),
                mark: Mark::LinePoints,
                colour,
                dashed,
                labels: Vec::new(),
            });
            continue;
        }
        let pick = |median: bool| -> Vec<(f64, f64)> {
            layers
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let m = if median {
                        l.stats.median_big_m
                    } else {
                        l.stats.max_big_m
                    };
                    m.map(|m| (i as f64, m))
                })
                .collect()
        };
        let all_stable: Vec<String> = layers
            .iter()
            .filter(|l| l.stats.max_big_m.is_none())
            .map(|l| l.stats.index.to_string())
            .collect();
        if !all_stable.is_empty() {
            chart.notes.push(format!(
                "{}: every neuron of layer {} is stable (no big-M)",
                method.key(),
                all_stable.join(", ")
            ));
        }
        chart.series.push(Series {
            name: format!("{} max", method.key()),
            points: pick(false),
            mark: Mark::LinePoints,
            colour,
            dashed,
            labels: Vec::new(),
        });
        chart.series.push(Series {
            name: format!("{} median", method.key()),
            points: pick(true),
            mark: Mark::Points,
            colour,
            dashed,
            labels: Vec::new(),
        });
    }
    Ok(chart)
}

/// Every neuron as a dot at (layer, index), coloured stably active, inactive, saturated or
/// unstable under the first bound method (the app's Network view, without the edges).
fn neurons_chart(
    network: &Network,
    input_box: &InputBox,
    settings: &FigureSettings,
    control: &TaskControl,
) -> Result<Chart, Error> {
    use crate::bounds::{NeuronState, neuron_state};
    let method = settings
        .bounds
        .first()
        .copied()
        .unwrap_or(BoundMethod::Interval);
    let bounds = crate::tightening::compute_bounds(network, input_box, method, control)?;
    let layers = network.layers().len();
    let names: Vec<String> = (0..=layers)
        .map(|k| match k {
            0 => "inputs".to_string(),
            k if k == layers => "outputs".to_string(),
            k => format!("layer {k}"),
        })
        .collect();
    let mut chart = Chart::new(
        "",
        Axis::categorical("layer", names),
        Axis::linear("neuron"),
    );
    let states = [
        (NeuronState::StablyActive, "stably active", (80, 175, 95)),
        (
            NeuronState::StablyInactive,
            "stably inactive",
            (120, 128, 140),
        ),
        (NeuronState::StablySaturated, "saturated", (150, 110, 200)),
        (
            NeuronState::Unstable,
            "unstable (one binary)",
            (235, 140, 40),
        ),
        (NeuronState::Linear, "inputs and outputs", (90, 140, 210)),
    ];
    let mut points: Vec<Vec<(f64, f64)>> = vec![Vec::new(); states.len()];
    let linear = states.len() - 1;
    for j in 0..network.input_dim() {
        points[linear].push((0.0, j as f64));
    }
    for (k, (layer, b)) in network.layers().iter().zip(&bounds.layers).enumerate() {
        for j in 0..b.lower.len() {
            let state = neuron_state(layer.activation, b.lower[j], b.upper[j]);
            let slot = states.iter().position(|s| s.0 == state).unwrap_or(linear);
            points[slot].push(((k + 1) as f64, j as f64));
        }
    }
    for ((_, name, colour), points) in states.iter().zip(points) {
        if !points.is_empty() {
            chart.series.push(Series {
                name: format!("{name} ({})", points.len()),
                points,
                mark: Mark::Points,
                colour: *colour,
                dashed: false,
                labels: Vec::new(),
            });
        }
    }
    Ok(chart)
}

/// The plane of the figure: the network's own two inputs, or inputs 0 and 1 through the
/// box centre (with a note saying so).
fn plane_slice(network: &Network, chart: &mut Chart) -> Option<Slice> {
    (network.input_dim() > 2).then(|| {
        chart.notes.push(format!(
            "the plane of inputs x0 and x1 through the box centre ({} inputs)",
            network.input_dim()
        ));
        Slice {
            axes: [0, 1],
            point: None,
        }
    })
}

fn regions_chart(
    network: &Network,
    input_box: &InputBox,
    settings: &FigureSettings,
    control: &TaskControl,
) -> Result<Chart, Error> {
    let mut chart = Chart::new("", Axis::linear("x0"), Axis::linear("x1"));
    if network.input_dim() < 2 {
        return Err(Error::Invalid(format!(
            "the regions figure needs two inputs or more; {} has {}",
            network.name,
            network.input_dim()
        )));
    }
    let slice = plane_slice(network, &mut chart);
    let options = RegionOptions {
        max_regions: settings.max_regions,
        ..RegionOptions::default()
    };
    let map = partition_2d(network, input_box, slice.as_ref(), &options, control)?;
    for region in &map.regions {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        region.pattern.hash(&mut hasher);
        chart.cells.push(Cell {
            polygon: region.polygon.iter().map(|p| (p[0], p[1])).collect(),
            colour: categorical((hasher.finish() % 8) as usize),
            value: None,
        });
    }
    chart.notes.push(if map.exact() {
        format!("{} linear regions (exact)", map.count())
    } else {
        format!(
            "at least {} linear regions: stopped ({:?}); draw a smaller box to see them all",
            map.count(),
            map.stopped
        )
    });
    Ok(chart)
}

fn surface_chart(network: &Network, input_box: &InputBox, settings: &FigureSettings) -> Chart {
    let (lo, hi) = (input_box.lower(), input_box.upper());
    let n = settings.surface_resolution.max(2);
    if network.input_dim() == 1 {
        let mut chart = Chart::new("", Axis::linear("x0"), Axis::linear("output y0"));
        let points = (0..=4 * n)
            .map(|k| {
                let x = lo[0] + (hi[0] - lo[0]) * k as f64 / (4 * n) as f64;
                (x, network.forward(&[x])[0])
            })
            .collect();
        chart.series.push(Series {
            name: "y0".into(),
            points,
            mark: Mark::Line,
            colour: categorical(0),
            dashed: false,
            labels: Vec::new(),
        });
        return chart;
    }
    let mut chart = Chart::new("", Axis::linear("x0"), Axis::linear("x1"));
    plane_slice(network, &mut chart);
    let centre = input_box.center();
    let step = |d: usize| (hi[d] - lo[d]) / n as f64;
    let mut values = Vec::with_capacity(n * n);
    for i in 0..n {
        for j in 0..n {
            let mut x = centre.clone();
            x[0] = lo[0] + (i as f64 + 0.5) * step(0);
            x[1] = lo[1] + (j as f64 + 0.5) * step(1);
            values.push(network.forward(&x)[0]);
        }
    }
    let (min, max) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let span = if max > min { max - min } else { 1.0 };
    for i in 0..n {
        for j in 0..n {
            let (x0, y0) = (lo[0] + i as f64 * step(0), lo[1] + j as f64 * step(1));
            let (x1, y1) = (x0 + step(0), y0 + step(1));
            chart.cells.push(Cell {
                polygon: vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
                colour: sequential((values[i * n + j] - min) / span),
                value: Some(values[i * n + j]),
            });
        }
    }
    chart.colour_bar = Some(ColourBar {
        label: "output y0".into(),
        min,
        max,
    });
    chart
}

fn solve_chart(
    network: &Network,
    input_box: &InputBox,
    settings: &FigureSettings,
    control: &TaskControl,
) -> Result<Chart, Error> {
    let objective = Objective::output(Sense::Minimize, 0, network.output_dim())?;
    let setup = MilpSetup {
        bounds: settings
            .bounds
            .first()
            .copied()
            .unwrap_or(BoundMethod::LpObbt),
        scaling: settings.scaling,
        ..MilpSetup::default()
    };
    let options = NetworkSolveOptions {
        solver: SolveOptions {
            time_limit: Some(settings.time_limit),
            ..SolveOptions::default()
        },
        ..NetworkSolveOptions::default()
    };
    let solve_control = SolveControl {
        cancel: control.cancel.clone(),
        ..SolveControl::default()
    };
    let solved = solve(
        network,
        input_box,
        &objective,
        settings.solve_method,
        &setup,
        &options,
        &RegionOptions::default(),
        &solve_control,
    )?;
    Ok(solve_progress_chart(&solved.report, solved.method.key()))
}

/// The incumbent and best bound of a finished solve over time (untitled), both curves run
/// to the end of the solve; `path` names the method that solved (`milp`, `regions`, …).
pub fn solve_progress_chart(report: &SolveReport, path: &str) -> Chart {
    let end = report.time_s;
    let mut time_axis = Axis::linear("time (s)");
    // Time starts at 0: no padding into negative seconds.
    time_axis.fixed = Some((0.0, end.max(1e-3)));
    let mut chart = Chart::new(
        "",
        time_axis,
        Axis::linear("objective: incumbent and best bound"),
    );
    let mut incumbent: Vec<(f64, f64)> = report
        .trace
        .iter()
        .filter_map(|p| p.primal_bound.map(|v| (p.time_s, v)))
        .collect();
    let mut bound: Vec<(f64, f64)> = report
        .trace
        .iter()
        .filter_map(|p| p.dual_bound.map(|v| (p.time_s, v)))
        .collect();
    if let Some(v) = report.start_objective {
        incumbent.insert(0, (0.0, v));
    }
    // Both curves run to the end of the solve, where they meet when it is proven optimal.
    if let Some(v) = report.objective {
        incumbent.push((end, v));
    }
    if let Some(v) = report
        .best_bound
        .or(report.objective.filter(|_| report.status == "optimal"))
    {
        bound.push((end, v));
    }
    for (name, points, colour) in [
        ("incumbent", incumbent, (214, 96, 77)),
        ("best bound", bound, (0, 114, 178)),
    ] {
        chart.series.push(Series {
            name: name.into(),
            points,
            mark: Mark::LinePoints,
            colour,
            dashed: false,
            labels: Vec::new(),
        });
    }
    let counted = if path == "milp" {
        "nodes"
    } else {
        "regions or boxes"
    };
    chart.notes.push(format!(
        "{} by {path} in {} s, {} {counted}: objective {}",
        report.status,
        format_number(report.time_s),
        report.nodes,
        report
            .objective
            .map_or_else(|| "none".into(), format_number)
    ));
    chart
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Activation, random_network};

    #[test]
    fn every_view_of_a_small_network_has_data_and_a_title() {
        let network = random_network(&[2, 6, 6, 1], 3, Activation::Relu)
            .unwrap()
            .named("tiny");
        let input_box = InputBox::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap();
        let settings = FigureSettings {
            surface_resolution: 12,
            ..FigureSettings::default()
        };
        for view in View::ALL {
            let chart = network_figure(
                &network,
                &input_box,
                view,
                &settings,
                &TaskControl::default(),
            )
            .unwrap();
            assert!(chart.title.starts_with("tiny:"), "{}", chart.title);
            assert!(chart.title.contains("[-1, 1]×[-1, 1]"), "{}", chart.title);
            assert!(chart.ranges().is_some(), "{view:?} has no data");
        }
    }

    #[test]
    fn the_surface_colours_span_the_sampled_outputs() {
        let network = random_network(&[2, 5, 1], 1, Activation::Relu).unwrap();
        let input_box = InputBox::new(vec![0.0, 0.0], vec![1.0, 2.0]).unwrap();
        let settings = FigureSettings {
            surface_resolution: 10,
            ..FigureSettings::default()
        };
        let chart = surface_chart(&network, &input_box, &settings);
        assert_eq!(chart.cells.len(), 100);
        let bar = chart.colour_bar.unwrap();
        // Independent check: the corners' cell centres lie within the bar's range.
        let y = network.forward(&[0.05, 0.1])[0];
        assert!(bar.min <= y && y <= bar.max);
    }
}
