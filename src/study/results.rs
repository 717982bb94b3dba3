//! The study's results as tables: `results.csv` (one row per cell × treatment, ready for a
//! spreadsheet or pandas) and `results.json` (the spec and every cell in full).

use super::cell::{CellResult, CellSource, SolveFigures, Treatment};
use super::spec::StudySpec;
use serde_json::{Value, json};

/// `results.json`: the spec, the cells in grid order, and the ids of cells not present.
pub fn results_json(spec: &StudySpec, cells: &[CellResult]) -> Value {
    let present: Vec<&str> = cells.iter().map(|c| c.cell.id.as_str()).collect();
    let missing: Vec<String> = super::list_cells(spec)
        .into_iter()
        .map(|c| c.id)
        .filter(|id| !present.contains(&id.as_str()))
        .collect();
    json!({ "spec": spec, "cells": cells, "missing": missing })
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v}"))
}

fn joined(values: impl Iterator<Item = Option<f64>>) -> String {
    values.map(number).collect::<Vec<_>>().join(";")
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The names of the solves that bring their own bounds, in order of first appearance.
fn own_bound_solves(cells: &[CellResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in cells.iter().flat_map(|c| &c.solves) {
        let key = solve_key(s);
        if !names.contains(&key) {
            names.push(key);
        }
    }
    names
}

/// `auto:regions` is reported under `auto`: the column is the method asked for.
fn solve_key(s: &SolveFigures) -> String {
    s.method.split(':').next().unwrap_or_default().to_string()
}

/// `results.csv`: one row per cell × treatment (a failed cell without treatments gets one
/// row with its error); the solves with their own bounds repeat on each row of their cell.
pub fn csv_table(cells: &[CellResult]) -> String {
    let others = own_bound_solves(cells);
    let mut header: Vec<String> = [
        "id",
        "function",
        "layout",
        "variant",
        "seed",
        "file",
        "inputs",
        "test_rmse",
        "epochs",
        "train_time_s",
        "regions",
        "regions_exact",
        "bounds",
        "rescaling",
        "bounds_time_s",
        "scaling_time_s",
        "stable_percent",
        "binaries",
        "max_big_m",
        "max_big_m_per_layer",
        "median_big_m_per_layer",
        "stable_percent_per_layer",
        "milp_status",
        "milp_objective",
        "milp_forward_ok",
        "milp_time_s",
        "milp_nodes",
        "milp_gap",
        "net_saving_s",
        "bounds_stopped",
    ]
    .map(String::from)
    .to_vec();
    for m in &others {
        for suffix in ["path", "status", "objective", "forward_ok", "time_s"] {
            header.push(format!("{m}_{suffix}"));
        }
    }
    header.push("error".into());
    let mut lines = vec![header.join(",")];
    for cell in cells {
        let (seed, file) = match &cell.cell.source {
            CellSource::Trained { seed, .. } => (seed.to_string(), String::new()),
            CellSource::File { path } => (String::new(), path.display().to_string()),
        };
        let treatments: Vec<Option<&Treatment>> = if cell.treatments.is_empty() {
            vec![None]
        } else {
            cell.treatments.iter().map(Some).collect()
        };
        for t in treatments {
            let mut row = vec![
                cell.cell.id.clone(),
                cell.function().to_string(),
                cell.layout(),
                cell.cell.variant().to_string(),
                seed.clone(),
                file.clone(),
                cell.input_box.len().to_string(),
                number(cell.test_rmse),
                cell.epochs.map_or_else(String::new, |e| e.to_string()),
                number(cell.train_time_s),
                cell.regions
                    .as_ref()
                    .map_or_else(String::new, |r| r.count.to_string()),
                cell.regions
                    .as_ref()
                    .map_or_else(String::new, |r| r.exact.to_string()),
            ];
            match t {
                Some(t) => {
                    row.extend([
                        t.bounds.clone(),
                        t.rescaling.clone(),
                        number(Some(t.bounds_time_s)),
                        number(Some(t.scaling_time_s)),
                        number(Some(t.stable_percent)),
                        t.binaries.to_string(),
                        number(t.max_big_m),
                        joined(t.layers.iter().map(|l| l.max_big_m)),
                        joined(t.layers.iter().map(|l| l.median_big_m)),
                        joined(t.layers.iter().map(|l| Some(l.stable_percent))),
                    ]);
                    match &t.milp {
                        Some(m) => row.extend([
                            m.status.clone(),
                            number(m.objective),
                            m.forward_ok.to_string(),
                            number(Some(m.time_s)),
                            number(Some(m.nodes)),
                            number(m.gap),
                        ]),
                        None => row.extend(std::iter::repeat_n(String::new(), 6)),
                    }
                    row.push(number(t.net_saving_s));
                    row.push(t.bounds_stopped.clone().unwrap_or_default());
                }
                None => row.extend(std::iter::repeat_n(String::new(), 18)),
            }
            for m in &others {
                match cell.solves.iter().find(|s| &solve_key(s) == m) {
                    Some(s) => row.extend([
                        s.method.clone(),
                        s.status.clone(),
                        number(s.objective),
                        s.forward_ok.to_string(),
                        number(Some(s.time_s)),
                    ]),
                    None => row.extend(std::iter::repeat_n(String::new(), 5)),
                }
            }
            row.push(cell.error.clone().unwrap_or_default());
            lines.push(row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        }
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
