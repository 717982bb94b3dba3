//! The outputs of a study directory, regenerated from its cells: `results.csv`,
//! `results.json`, `figures/NAME.svg|png` and `report.md` (findings, tables per function,
//! figures).

use super::cell::{CellResult, CellSource};
use super::charts::study_figures;
use super::findings::findings;
use super::results::{csv_table, results_json};
use super::store::{read_cells, read_spec};
use super::{StudyError, StudySpec};
use crate::figures::save_chart;
use crate::numbers::{format_number, format_optional};
use std::fmt::Write;
use std::path::Path;

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StudyError> {
    std::fs::write(path, bytes).map_err(|cause| StudyError::Io {
        path: path.to_path_buf(),
        cause,
    })
}

/// Writes `results.csv` and `results.json` of study directory `dir` from its finished
/// cells (a study rewrites them after every cell); returns the spec and the cells.
pub fn write_results(dir: &Path) -> Result<(StudySpec, Vec<CellResult>), StudyError> {
    let spec = read_spec(dir)?;
    let cells = read_cells(dir, &spec)?;
    write_file(&dir.join("results.csv"), csv_table(&cells).as_bytes())?;
    let json = serde_json::to_vec_pretty(&results_json(&spec, &cells)).unwrap_or_default();
    write_file(&dir.join("results.json"), &json)?;
    Ok((spec, cells))
}

/// Writes every output of study directory `dir` from its finished cells (results, figures,
/// report); returns how many cells of the grid are present.
pub fn write_outputs(dir: &Path) -> Result<usize, StudyError> {
    let (spec, cells) = write_results(dir)?;
    let figures_dir = dir.join("figures");
    std::fs::create_dir_all(&figures_dir).map_err(|cause| StudyError::Io {
        path: figures_dir.clone(),
        cause,
    })?;
    // Figures of an earlier run of this directory that this one does not draw would linger.
    if let Ok(entries) = std::fs::read_dir(&figures_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("svg" | "png")
            ) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let figures: Vec<_> = study_figures(&cells)
        .into_iter()
        .filter(|f| f.chart.ranges().is_some())
        .collect();
    for figure in &figures {
        for ext in ["svg", "png"] {
            save_chart(
                &figure.chart,
                &figures_dir.join(format!("{}.{ext}", figure.name)),
            )?;
        }
    }
    let names: Vec<&str> = figures.iter().map(|f| f.name.as_str()).collect();
    write_file(
        &dir.join("report.md"),
        report_markdown(&spec, &cells, &names).as_bytes(),
    )?;
    Ok(cells.len())
}

fn list(values: &[String]) -> String {
    values.join(", ")
}

/// The text of `report.md`.
pub fn report_markdown(spec: &StudySpec, cells: &[CellResult], figures: &[&str]) -> String {
    let mut md = String::new();
    let all = super::list_cells(spec);
    let layouts: Vec<String> = spec
        .hidden
        .iter()
        .map(|h| h.iter().map(usize::to_string).collect::<Vec<_>>().join("×"))
        .collect();
    let seeds: Vec<String> = spec.seeds.iter().map(u64::to_string).collect();
    let _ = writeln!(md, "# Study report\n");
    let trained = if spec.functions.is_empty() {
        String::new()
    } else {
        format!(
            "functions {}; hidden layouts {}; variants {}; seeds {}; training {} samples, ≤ {} \
             epochs (patience {}); ",
            list(&spec.functions),
            list(&layouts),
            list(&spec.variants),
            list(&seeds),
            spec.training.samples,
            spec.training.epochs,
            spec.training.patience,
        )
    };
    let files = if spec.networks.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = spec
            .networks
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        format!("network files {}; ", names.join(", "))
    };
    let _ = writeln!(
        md,
        "Grid: {trained}{files}bounds {}; rescalings {}; solves {} (MILP: median of {} HiGHS \
         seed(s)); time limit {} s per solve.\n",
        list(&spec.bounds),
        list(&spec.rescalings),
        if spec.solve_methods.is_empty() {
            "none".to_string()
        } else {
            list(&spec.solve_methods)
        },
        spec.solve_seeds,
        format_number(spec.time_limit),
    );
    let _ = writeln!(
        md,
        "Cells present: {} of {}. Regenerate with `reluscope study --spec study.json --out \
         DIR --resume` (runs what is missing, then rewrites this report).\n",
        cells.len(),
        all.len()
    );
    let missing: Vec<&str> = all
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !cells.iter().any(|c| c.cell.id == *id))
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(md, "Missing cells: {}.\n", missing.join(", "));
    }
    for c in cells.iter().filter(|c| c.error.is_some()) {
        let _ = writeln!(
            md,
            "Failed cell {}: {}\n",
            c.cell.id,
            c.error.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(md, "## Findings\n");
    let _ = writeln!(md, "| claim | verdict | evidence |\n|---|---|---|");
    for f in findings(cells) {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            f.claim,
            f.verdict.word(),
            f.evidence
        );
    }
    variant_summary(&mut md, cells);
    let mut functions: Vec<&str> = Vec::new();
    for c in cells {
        if !functions.contains(&c.function()) {
            functions.push(c.function());
        }
    }
    for function in functions {
        let _ = writeln!(md, "\n## {function}\n");
        let others: Vec<String> = {
            let mut names: Vec<String> = Vec::new();
            for s in cells.iter().flat_map(|c| &c.solves) {
                let key = s.method.split(':').next().unwrap_or_default().to_string();
                if !names.contains(&key) {
                    names.push(key);
                }
            }
            names
        };
        let _ = writeln!(
            md,
            "| layout | variant | seed | test RMSE | regions | bounds | rescaling | stable % | \
             binaries | largest big-M per layer | bounds s | MILP s | nodes | min | net saving s |{}",
            others
                .iter()
                .map(|m| format!(" {m} s |"))
                .collect::<String>()
        );
        let _ = writeln!(md, "|{}", "---|".repeat(15 + others.len()));
        for c in cells.iter().filter(|c| c.function() == function) {
            let seed = match &c.cell.source {
                CellSource::Trained { seed, .. } => seed.to_string(),
                CellSource::File { path } => path.display().to_string(),
            };
            let regions = c.regions.as_ref().map_or("-".to_string(), |r| {
                if r.exact {
                    r.count.to_string()
                } else {
                    format!("≥ {}", r.count)
                }
            });
            let own: String = others
                .iter()
                .map(|m| {
                    c.solves
                        .iter()
                        .find(|s| s.method.split(':').next() == Some(m.as_str()))
                        .map_or(" - |".to_string(), |s| {
                            format!(" {} |", solve_time(&s.status, s.time_s))
                        })
                })
                .collect();
            for t in &c.treatments {
                let per_layer: Vec<String> = t
                    .layers
                    .iter()
                    .map(|l| format_optional(l.max_big_m))
                    .collect();
                let (time, nodes, objective) = t.milp.as_ref().map_or(
                    ("-".to_string(), "-".to_string(), "-".to_string()),
                    |m| {
                        (
                            solve_time(&m.status, m.time_s),
                            format_number(m.nodes),
                            format_optional(m.objective),
                        )
                    },
                );
                let _ = writeln!(
                    md,
                    "| {} | {} | {seed} | {} | {regions} | {} | {} | {:.1} | {} | {} | {} | {time} | \
                     {nodes} | {objective} | {} |{own}",
                    c.layout(),
                    c.cell.variant(),
                    format_optional(c.test_rmse),
                    if t.bounds_stopped.is_some() {
                        format!("{} (cut short)", t.bounds)
                    } else {
                        t.bounds.clone()
                    },
                    t.rescaling,
                    t.stable_percent,
                    t.binaries,
                    per_layer.join(" / "),
                    format_number(t.bounds_time_s + t.scaling_time_s),
                    format_optional(t.net_saving_s),
                );
            }
        }
    }
    if !figures.is_empty() {
        let _ = writeln!(md, "\n## Figures\n");
        for name in figures {
            let _ = writeln!(md, "![{name}](figures/{name}.svg)\n");
        }
    }
    md
}

/// The median of `values`, or `-`.
fn median_text(mut values: Vec<f64>) -> String {
    crate::numbers::median(&mut values).map_or("-".to_string(), format_number)
}

/// One row per training variant over every function, layout and seed: medians of the test
/// error, stable share, regions and MILP time per bound method (no rescaling), and how many
/// of those MILPs were proven optimal.
fn variant_summary(md: &mut String, cells: &[CellResult]) {
    let ok: Vec<&CellResult> = cells.iter().filter(|c| c.error.is_none()).collect();
    let mut variants: Vec<&str> = Vec::new();
    let mut bounds: Vec<&str> = Vec::new();
    for c in &ok {
        if !variants.contains(&c.cell.variant()) {
            variants.push(c.cell.variant());
        }
        for t in &c.treatments {
            if !bounds.contains(&t.bounds.as_str()) {
                bounds.push(&t.bounds);
            }
        }
    }
    if variants.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n## Summary per training variant\n");
    let _ = writeln!(
        md,
        "Medians over every function, layout and seed; MILP times without rescaling, with the \
         number proven optimal within the time limit.\n"
    );
    let mut header = "| variant | networks | test RMSE | regions |".to_string();
    let mut rule = "|---|---|---|---|".to_string();
    for b in &bounds {
        header += &format!(" {b} stable % | {b} MILP s | {b} optimal |");
        rule += "---|---|---|";
    }
    let _ = writeln!(md, "{header}\n{rule}");
    for v in variants {
        let these: Vec<&&CellResult> = ok.iter().filter(|c| c.cell.variant() == v).collect();
        let mut row = format!(
            "| {v} | {} | {} | {} |",
            these.len(),
            median_text(these.iter().filter_map(|c| c.test_rmse).collect()),
            median_text(
                these
                    .iter()
                    .filter_map(|c| c.regions.as_ref().map(|r| r.count as f64))
                    .collect()
            ),
        );
        for b in &bounds {
            let treatments: Vec<_> = these
                .iter()
                .filter_map(|c| c.treatment(b, "none"))
                .collect();
            let milps: Vec<_> = treatments.iter().filter_map(|t| t.milp.as_ref()).collect();
            row += &format!(
                " {} | {} | {} of {} |",
                median_text(treatments.iter().map(|t| t.stable_percent).collect()),
                median_text(milps.iter().map(|m| m.time_s).collect()),
                milps.iter().filter(|m| m.status == "optimal").count(),
                milps.len()
            );
        }
        let _ = writeln!(md, "{row}");
    }
}

fn solve_time(status: &str, time_s: f64) -> String {
    if status == "optimal" {
        format_number(time_s)
    } else {
        format!("{} ({status})", format_number(time_s))
    }
}
