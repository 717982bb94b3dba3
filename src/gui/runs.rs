//! The runs table: one record per finished solve, sorting and CSV.

use reluscope::numbers::format_number;
use std::cmp::Ordering;

/// One finished solve, as the Runs table shows it.
#[derive(Debug, Clone, PartialEq)]
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
}

/// A column of the runs table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunColumn {
    /// Order of completion.
    Number,
    /// Network name.
    Network,
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
}

/// A cell's sort key: numbers sort numerically, missing values last.
#[derive(Debug, Clone, PartialEq)]
enum Key<'a> {
    Number(Option<f64>),
    Text(&'a str),
}

impl RunColumn {
    /// Every column, in table order.
    pub const ALL: [RunColumn; 15] = [
        RunColumn::Number,
        RunColumn::Network,
        RunColumn::Method,
        RunColumn::Scaling,
        RunColumn::InputBox,
        RunColumn::Objective,
        RunColumn::StablePercent,
        RunColumn::Binaries,
        RunColumn::MaxBigM,
        RunColumn::BoundTime,
        RunColumn::SolveTime,
        RunColumn::Nodes,
        RunColumn::Value,
        RunColumn::Gap,
        RunColumn::Status,
    ];

    /// Header text (also the CSV header).
    pub fn title(self) -> &'static str {
        match self {
            RunColumn::Number => "#",
            RunColumn::Network => "network",
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
        }
    }

    /// What the column means, for the header tooltip.
    pub fn explanation(self) -> &'static str {
        match self {
            RunColumn::Number => "order in which the solves finished",
            RunColumn::Network => "the network that was solved",
            RunColumn::Method => {
                "how the pre-activation bounds (and so the big-M constants) were computed"
            }
            RunColumn::Scaling => {
                "the function-preserving rescaling applied before solving (none, balanced, unit)"
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
            RunColumn::Nodes => "branch-and-bound nodes explored",
            RunColumn::Value => "best objective value found",
            RunColumn::Gap => "relative gap between the best value and the best bound",
            RunColumn::Status => "why the solver stopped",
        }
    }

    /// The cell of `record` (number `index`, 1-based) as text.
    pub fn cell(self, index: usize, r: &RunRecord) -> String {
        let num = |v: Option<f64>, digits: usize| v.map_or("-".into(), |v| format!("{v:.digits$}"));
        match self {
            RunColumn::Number => index.to_string(),
            RunColumn::Network => r.network.clone(),
            RunColumn::Method => r.method.clone(),
            RunColumn::Scaling => r.scaling.clone(),
            RunColumn::InputBox => r.input_box.clone(),
            RunColumn::Objective => r.objective_description.clone(),
            RunColumn::StablePercent => num(r.stable_percent, 1),
            RunColumn::Binaries => r.binaries.map_or("-".into(), |b| b.to_string()),
            RunColumn::MaxBigM => r.max_big_m.map_or("-".into(), |m| format!("{m:.4}")),
            RunColumn::BoundTime => r.bound_time_s.map_or("-".into(), format_number),
            RunColumn::SolveTime => num(r.solve_time_s, 3),
            RunColumn::Nodes => r.nodes.map_or("-".into(), |n| n.to_string()),
            RunColumn::Value => num(r.objective, 8),
            RunColumn::Gap => r.gap.map_or("-".into(), |g| format!("{:.4}%", 100.0 * g)),
            RunColumn::Status => r.status.clone(),
        }
    }

    fn key(self, index: usize, r: &RunRecord) -> Key<'_> {
        match self {
            RunColumn::Number => Key::Number(Some(index as f64)),
            RunColumn::Network => Key::Text(&r.network),
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
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for &i in order {
        let Some(r) = records.get(i) else { continue };
        let cells = [
            (i + 1).to_string(),
            quote(&r.network),
            quote(&r.method),
            quote(&r.scaling),
            quote(&r.input_box),
            quote(&r.objective_description),
            num(r.stable_percent),
            r.binaries.map_or(String::new(), |b| b.to_string()),
            num(r.max_big_m),
            num(r.bound_time_s),
            num(r.solve_time_s),
            r.nodes.map_or(String::new(), |n| n.to_string()),
            num(r.objective),
            num(r.gap),
            quote(&r.status),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
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
        assert!(lines[0].starts_with("#,network,bounds,scaling,box,objective,stable %"));
        assert!(lines[1].starts_with("2,z,ia,none,"));
        assert!(lines[2].starts_with("1,\"x,y\",ia,"));
        assert!(lines[2].contains(",0.5,"));
        assert!(lines[1].contains(",\"[-2, 2] × [-2, 2]\","));
    }
}
