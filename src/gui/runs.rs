//! The runs table: one record per finished solve, sorting, comparison against a baseline,
//! CSV and JSON. Records are plain data (serde), so they persist across restarts.

use reluscope::numbers::format_number;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One point of a solve's progress: incumbent and best bound at a time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TracePoint {
    /// Seconds since the solve started.
    pub time_s: f64,
    /// Best objective found so far.
    pub incumbent: Option<f64>,
    /// Best proven bound so far.
    pub bound: Option<f64>,
}

/// The figures of one hidden layer under a run's bounds (after its rescaling).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunLayer {
    /// Stable neurons, percent.
    pub stable_percent: Option<f64>,
    /// Largest big-M of an unstable neuron.
    pub max_big_m: Option<f64>,
    /// Median big-M of the unstable neurons.
    pub median_big_m: Option<f64>,
}

/// Most trace points a record keeps (thinned evenly beyond, first and last kept).
pub const MAX_TRACE_POINTS: usize = 400;

/// `points` thinned to at most [`MAX_TRACE_POINTS`], keeping the first and the last.
pub fn thin_trace(points: Vec<TracePoint>) -> Vec<TracePoint> {
    let n = points.len();
    if n <= MAX_TRACE_POINTS {
        return points;
    }
    let step = (n - 1) as f64 / (MAX_TRACE_POINTS - 1) as f64;
    (0..MAX_TRACE_POINTS)
        .map(|k| points[((k as f64 * step).round() as usize).min(n - 1)])
        .collect()
}

/// One finished solve, as the Runs table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Network name.
    pub network: String,
    /// Bound method key (`ia`, …).
    pub method: String,
    /// Rescaling key (`none`, `balanced`, `unit`).
    pub scaling: String,
    /// The input box, e.g. `[-2, 2] × [-2, 2]`.
    pub input_box: String,
    /// What was optimised, e.g. `minimise output 0`.
    pub objective_description: String,
    /// Percentage of stable hidden neurons under those bounds.
    pub stable_percent: Option<f64>,
    /// Binary variables of the MILP.
    pub binaries: Option<usize>,
    /// Largest big-M of an unstable neuron.
    pub max_big_m: Option<f64>,
    /// Time to compute the bounds, in seconds.
    pub bound_time_s: Option<f64>,
    /// Solver time, in seconds.
    pub solve_time_s: Option<f64>,
    /// Branch-and-bound nodes.
    pub nodes: Option<u64>,
    /// Best objective found.
    pub objective: Option<f64>,
    /// Relative gap at the end.
    pub gap: Option<f64>,
    /// `optimal`, `time_limit`, `cancelled`, … or `error`.
    pub status: String,
    /// The solve path: `milp`, `regions` or `branch`.
    #[serde(default)]
    pub solver: String,
    /// Incumbent and bound over time (for comparing runs).
    #[serde(default)]
    pub trace: Vec<TracePoint>,
    /// Per hidden layer figures under the run's bounds (for comparing runs).
    #[serde(default)]
    pub layers: Vec<RunLayer>,
    /// Linear regions of the network over the run's box, once the Regions view counted them
    /// (a lower bound unless `regions_exact`).
    #[serde(default)]
    pub regions: Option<usize>,
    /// Whether `regions` is exact.
    #[serde(default)]
    pub regions_exact: bool,
    /// Root cuts of a MILP run, e.g. `ideal: 13 rows, bound -30.8 to -29.63` (`none` without);
    /// for branching, its root bound with fixed and with chosen slopes.
    #[serde(default)]
    pub cuts: String,
    /// The document and box revision solved (this session only: ids restart each session).
    #[serde(skip)]
    pub doc_key: (u64, u64),
}

impl RunRecord {
    /// A short name for legends: `#3 peaks_25x2 lp` (with the rescaling or the path when
    /// they are not the defaults).
    pub fn legend_name(&self, number: usize) -> String {
        let mut name = format!("#{number} {}", self.network);
        if self.solver == "milp" || self.solver.is_empty() {
            name.push(' ');
            name.push_str(&self.method);
            if self.scaling != "none" {
                name.push('+');
                name.push_str(&self.scaling);
            }
        } else {
            name.push(' ');
            name.push_str(&self.solver);
        }
        name
    }
}

/// `value / baseline` as `2.5×` (`-` when either is missing or the baseline is 0).
pub fn ratio_text(value: Option<f64>, baseline: Option<f64>) -> String {
    match (value, baseline) {
        (Some(v), Some(b)) if b != 0.0 && v.is_finite() && b.is_finite() => {
            format!("{}×", format_number(v / b))
        }
        _ => "-".into(),
    }
}

/// A column of the runs table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunColumn {
    /// Order of completion.
    Number,
    /// Network name.
    Network,
    /// Solve path.
    Solver,
    /// Bound method.
    Method,
    /// Rescaling.
    Scaling,
    /// Input box.
    InputBox,
    /// Objective description.
    Objective,
    /// Stable percentage.
    StablePercent,
    /// Binaries.
    Binaries,
    /// Max big-M.
    MaxBigM,
    /// Bound time.
    BoundTime,
    /// Solve time.
    SolveTime,
    /// Nodes.
    Nodes,
    /// Objective value.
    Value,
    /// Gap.
    Gap,
    /// Status.
    Status,
    /// Root cuts.
    Cuts,
}

/// A cell's sort key: numbers sort numerically, missing values last.
#[derive(Debug, Clone, PartialEq)]
enum Key<'a> {
    Number(Option<f64>),
    Text(&'a str),
}

impl RunColumn {
    /// Every column, in table order.
    /// Every column, in table order: what a run is and how it ended first (the status sits
    /// next to the value, so that a cancelled run's value never reads like a result).
    pub const ALL: [RunColumn; 17] = [
        RunColumn::Number,
        RunColumn::Network,
        RunColumn::Solver,
        RunColumn::Method,
        RunColumn::Scaling,
        RunColumn::Status,
        RunColumn::Value,
        RunColumn::SolveTime,
        RunColumn::Nodes,
        RunColumn::Cuts,
        RunColumn::StablePercent,
        RunColumn::Binaries,
        RunColumn::MaxBigM,
        RunColumn::BoundTime,
        RunColumn::Gap,
        RunColumn::InputBox,
        RunColumn::Objective,
    ];

    /// Header text (also the CSV header).
    pub fn title(self) -> &'static str {
        match self {
            RunColumn::Number => "#",
            RunColumn::Network => "network",
            RunColumn::Solver => "method",
            RunColumn::Method => "bounds",
            RunColumn::Scaling => "scaling",
            RunColumn::InputBox => "box",
            RunColumn::Objective => "objective",
            RunColumn::StablePercent => "stable %",
            RunColumn::Binaries => "binaries",
            RunColumn::MaxBigM => "max big-M",
            RunColumn::BoundTime => "bound time s",
            RunColumn::SolveTime => "solve time s",
            RunColumn::Nodes => "nodes",
            RunColumn::Value => "value",
            RunColumn::Gap => "gap",
            RunColumn::Status => "status",
            RunColumn::Cuts => "cuts",
        }
    }

    /// What the column means, for the header tooltip.
    pub fn explanation(self) -> &'static str {
        match self {
            RunColumn::Number => "order in which the solves finished",
            RunColumn::Network => "the network that was solved",
            RunColumn::Solver => {
                "the solve path: milp (big-M MILP on HiGHS), regions (best optimum over the \
                 linear regions) or branch (branch and bound over the input box)"
            }
            RunColumn::Method => {
                "how the pre-activation bounds (and so the big-M constants) were computed"
            }
            RunColumn::Scaling => {
                "the function-preserving rescaling applied before solving (none, balanced, \
                 range, unit; - for the paths without a MILP)"
            }
            RunColumn::InputBox => "the input box the MILP optimises over",
            RunColumn::Objective => "what was optimised",
            RunColumn::StablePercent => {
                "share of hidden neurons proven stable: they need no binary"
            }
            RunColumn::Binaries => "binary variables of the MILP: one per unstable ReLU",
            RunColumn::MaxBigM => {
                "largest big-M constant of the MILP solved (after the rescaling, if any): large \
                 values weaken the LP relaxation"
            }
            RunColumn::BoundTime => "time spent computing the bounds",
            RunColumn::SolveTime => "time HiGHS spent on the MILP",
            RunColumn::Nodes => {
                "work done: branch-and-bound nodes (milp), regions enumerated (regions) or \
                 boxes (branch)"
            }
            RunColumn::Value => "best objective value found",
            RunColumn::Gap => "relative gap between the best value and the best bound",
            RunColumn::Status => "why the solver stopped",
            RunColumn::Cuts => {
                "cuts added at the root of the MILP: rows added and the root LP bound without, \
                 then with them; for branching, its bound on the whole box with fixed, then \
                 with chosen relaxation slopes (- for the region enumeration)"
            }
        }
    }

    /// The cell of `record` (number `index`, 1-based) as text.
    pub fn cell(self, index: usize, r: &RunRecord) -> String {
        // One number format everywhere (4 significant digits, scientific when tiny or huge).
        let num = |v: Option<f64>| v.map_or("-".into(), format_number);
        match self {
            RunColumn::Number => index.to_string(),
            RunColumn::Network => r.network.clone(),
            RunColumn::Solver => r.solver.clone(),
            RunColumn::Method => r.method.clone(),
            RunColumn::Scaling => r.scaling.clone(),
            RunColumn::InputBox => r.input_box.clone(),
            RunColumn::Objective => r.objective_description.clone(),
            RunColumn::StablePercent => num(r.stable_percent),
            RunColumn::Binaries => r.binaries.map_or("-".into(), |b| b.to_string()),
            RunColumn::MaxBigM => num(r.max_big_m),
            RunColumn::BoundTime => num(r.bound_time_s),
            RunColumn::SolveTime => num(r.solve_time_s),
            RunColumn::Nodes => match (r.nodes, r.solver.as_str()) {
                (Some(n), "regions") => format!("{n} regions"),
                (Some(n), "branch") => format!("{n} boxes"),
                (Some(n), _) => n.to_string(),
                (None, _) => "-".into(),
            },
            RunColumn::Value => num(r.objective),
            RunColumn::Gap => r
                .gap
                .map_or("-".into(), |g| format!("{}%", format_number(100.0 * g))),
            RunColumn::Status => r.status.clone(),
            RunColumn::Cuts if r.cuts.is_empty() => "-".into(),
            RunColumn::Cuts => r.cuts.clone(),
        }
    }

    fn key(self, index: usize, r: &RunRecord) -> Key<'_> {
        match self {
            RunColumn::Number => Key::Number(Some(index as f64)),
            RunColumn::Network => Key::Text(&r.network),
            RunColumn::Solver => Key::Text(&r.solver),
            RunColumn::Method => Key::Text(&r.method),
            RunColumn::Scaling => Key::Text(&r.scaling),
            RunColumn::InputBox => Key::Text(&r.input_box),
            RunColumn::Objective => Key::Text(&r.objective_description),
            RunColumn::StablePercent => Key::Number(r.stable_percent),
            RunColumn::Binaries => Key::Number(r.binaries.map(|b| b as f64)),
            RunColumn::MaxBigM => Key::Number(r.max_big_m),
            RunColumn::BoundTime => Key::Number(r.bound_time_s),
            RunColumn::SolveTime => Key::Number(r.solve_time_s),
            RunColumn::Nodes => Key::Number(r.nodes.map(|n| n as f64)),
            RunColumn::Value => Key::Number(r.objective),
            RunColumn::Gap => Key::Number(r.gap),
            RunColumn::Status => Key::Text(&r.status),
            RunColumn::Cuts => Key::Text(&r.cuts),
        }
    }
}

fn compare(a: &Key<'_>, b: &Key<'_>, ascending: bool) -> Ordering {
    let directed = |o: Ordering| if ascending { o } else { o.reverse() };
    match (a, b) {
        // Missing values go last in either direction: they are the least informative rows.
        (Key::Number(None), Key::Number(None)) => Ordering::Equal,
        (Key::Number(None), Key::Number(Some(_))) => Ordering::Greater,
        (Key::Number(Some(_)), Key::Number(None)) => Ordering::Less,
        (Key::Number(Some(x)), Key::Number(Some(y))) => directed(x.total_cmp(y)),
        (Key::Text(x), Key::Text(y)) => directed(x.cmp(y)),
        _ => Ordering::Equal,
    }
}

/// Row order for sorting by `column`: indices into `records` (stable for equal keys).
pub fn sorted_order(records: &[RunRecord], column: RunColumn, ascending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&i, &j| {
        compare(
            &column.key(i + 1, &records[i]),
            &column.key(j + 1, &records[j]),
            ascending,
        )
    });
    order
}

/// The table as CSV (RFC 4180 quoting), in the given row order, with full precision numbers.
pub fn to_csv(records: &[RunRecord], order: &[usize]) -> String {
    let mut out = String::new();
    let header: Vec<String> = RunColumn::ALL.iter().map(|c| quote(c.title())).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for &i in order {
        let Some(r) = records.get(i) else { continue };
        let cells: Vec<String> = RunColumn::ALL
            .iter()
            .map(|c| c.csv_cell(i + 1, r))
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

impl RunColumn {
    /// The cell of `record` for CSV: full-precision numbers, quoted text.
    fn csv_cell(self, index: usize, r: &RunRecord) -> String {
        let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        match self.key(index, r) {
            Key::Number(v) => match self {
                RunColumn::Number | RunColumn::Binaries | RunColumn::Nodes => {
                    v.map_or(String::new(), |v| format!("{v:.0}"))
                }
                _ => num(v),
            },
            Key::Text(t) => quote(t),
        }
    }
}

/// The records as one JSON array (every field, traces and per-layer figures included).
pub fn to_json(records: &[RunRecord]) -> String {
    serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".into())
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(network: &str, nodes: Option<u64>, objective: Option<f64>) -> RunRecord {
        RunRecord {
            network: network.into(),
            method: "ia".into(),
            scaling: "none".into(),
            input_box: "[-2, 2] × [-2, 2]".into(),
            objective_description: "minimise output 0".into(),
            stable_percent: Some(12.0),
            binaries: Some(44),
            max_big_m: Some(9.6),
            bound_time_s: Some(1e-5),
            solve_time_s: Some(2.5),
            nodes,
            objective,
            gap: Some(0.0),
            status: "optimal".into(),
            solver: "milp".into(),
            trace: Vec::new(),
            layers: Vec::new(),
            regions: None,
            regions_exact: false,
            cuts: String::new(),
            doc_key: (0, 0),
        }
    }

    #[test]
    fn sorts_numbers_numerically_with_missing_values_last() {
        let rs = vec![
            record("b", Some(300), Some(-1.0)),
            record("a", None, None),
            record("c", Some(20), Some(-3.0)),
        ];
        assert_eq!(sorted_order(&rs, RunColumn::Nodes, true), vec![2, 0, 1]);
        assert_eq!(sorted_order(&rs, RunColumn::Nodes, false), vec![0, 2, 1]);
        assert_eq!(sorted_order(&rs, RunColumn::Network, true), vec![1, 0, 2]);
        assert_eq!(sorted_order(&rs, RunColumn::Number, false), vec![2, 1, 0]);
    }

    #[test]
    fn csv_quotes_and_keeps_the_order() {
        let rs = vec![
            record("x,y", Some(1), Some(0.5)),
            record("z", Some(2), None),
        ];
        let csv = to_csv(&rs, &[1, 0]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("#,network,method,bounds,scaling,status,value,"));
        assert!(lines[1].starts_with("2,z,milp,ia,none,optimal,,2.5,2,"));
        assert!(lines[2].starts_with("1,\"x,y\",milp,ia,none,optimal,0.5,2.5,1,"));
        assert!(lines[1].contains(",\"[-2, 2] × [-2, 2]\","));
        // JSON keeps every field and reads back.
        let back: Vec<RunRecord> = serde_json::from_str(&to_json(&rs)).unwrap();
        assert_eq!(back, rs);
    }

    #[test]
    fn traces_thin_to_the_cap_keeping_both_ends_and_ratios_read_plainly() {
        let points: Vec<TracePoint> = (0..1000)
            .map(|k| TracePoint {
                time_s: k as f64,
                incumbent: Some(-(k as f64)),
                bound: None,
            })
            .collect();
        let thin = thin_trace(points);
        assert_eq!(thin.len(), MAX_TRACE_POINTS);
        assert_eq!(thin[0].time_s, 0.0);
        assert_eq!(thin[MAX_TRACE_POINTS - 1].time_s, 999.0);
        assert_eq!(ratio_text(Some(5.0), Some(2.0)), "2.500×");
        assert_eq!(ratio_text(Some(5.0), Some(0.0)), "-");
        assert_eq!(ratio_text(None, Some(1.0)), "-");
    }
}
