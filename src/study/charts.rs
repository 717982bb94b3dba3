//! The study's figures as [`Chart`]s: big-M per layer per method (log axis), stable share
//! per training variant, MILP time against regions and against stable share, test error
//! against MILP time (the trade-off), and the time with LP-OBBT against without it.

use super::cell::{CellResult, CellSource};
use crate::figures::palette::{categorical, method_colour, rescaled_dashed};
use crate::figures::{Axis, Chart, Mark, Series};

/// A study figure: the file stem it is written under and the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyFigure {
    /// File stem in `figures/` (`bigm_peaks_25x25`, …).
    pub name: String,
    /// The chart.
    pub chart: Chart,
}

/// A scatter series whose points carry the ids of their cells (hover and click in the app).
fn scatter(
    name: &str,
    colour: crate::figures::palette::Rgb,
    points: Vec<((f64, f64), String)>,
) -> Series {
    let (points, labels) = points.into_iter().unzip();
    Series {
        name: name.to_string(),
        points,
        mark: Mark::Points,
        colour,
        dashed: false,
        labels,
    }
}

fn distinct<T: PartialEq + Clone>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn is_first_seed(c: &CellResult, cells: &[&CellResult]) -> bool {
    match &c.cell.source {
        CellSource::Trained { seed, .. } => !cells.iter().any(|o| {
            matches!(&o.cell.source, CellSource::Trained { seed: s, .. } if s < seed)
                && o.function() == c.function()
                && o.layout() == c.layout()
                && o.cell.variant() == c.cell.variant()
        }),
        CellSource::File { .. } => true,
    }
}

/// Every figure of the finished cells, in a fixed order.
pub fn study_figures(cells: &[CellResult]) -> Vec<StudyFigure> {
    let ok: Vec<&CellResult> = cells.iter().filter(|c| c.error.is_none()).collect();
    let mut figures = Vec::new();
    let functions = distinct(ok.iter().map(|c| c.function().to_string()));
    let treatments = distinct(ok.iter().flat_map(|c| {
        c.treatments
            .iter()
            .map(|t| (t.bounds.clone(), t.rescaling.clone()))
    }));
    let bounds = distinct(treatments.iter().map(|t| t.0.clone()));
    let variants = distinct(ok.iter().map(|c| c.cell.variant().to_string()));
    let baseline = treatments.first().cloned();

    // Big-M per layer: one figure per function and layout, the first variant and seed.
    for function in &functions {
        for layout in distinct(
            ok.iter()
                .filter(|c| c.function() == function)
                .map(|c| c.layout()),
        ) {
            let Some(cell) = ok.iter().find(|c| {
                c.function() == function && c.layout() == layout && is_first_seed(c, &ok)
            }) else {
                continue;
            };
            let layers = cell.treatments.first().map_or(0, |t| t.layers.len());
            let mut chart = Chart::new(
                format!(
                    "{function} {layout}: largest big-M per hidden layer ({})",
                    cell.cell.variant()
                ),
                Axis::categorical(
                    "hidden layer",
                    (1..=layers).map(|i| i.to_string()).collect(),
                ),
                Axis::log("largest big-M"),
            );
            for t in &cell.treatments {
                if let Some(why) = &t.bounds_stopped {
                    chart.notes.push(format!(
                        "{} {}: bounds cut short ({why}), looser than the method's own",
                        t.bounds, t.rescaling
                    ));
                }
                let shown = t.layers.iter().filter(|l| l.max_big_m.is_some()).count();
                chart.series.push(Series {
                    name: format!("{} {}", t.bounds, t.rescaling),
                    points: t
                        .layers
                        .iter()
                        .enumerate()
                        .filter_map(|(i, l)| l.max_big_m.map(|m| (i as f64, m)))
                        .collect(),
                    mark: Mark::LinePoints,
                    colour: method_colour(&t.bounds),
                    dashed: rescaled_dashed(&t.rescaling),
                    labels: vec![cell.cell.id.clone(); shown],
                });
            }
            figures.push(StudyFigure {
                name: format!("bigm_{}_{layout}", function.replace(':', "")),
                chart,
            });
        }
    }

    // Stable share per variant, one figure per function.
    for function in &functions {
        let mut chart = Chart::new(
            format!("{function}: stable neurons per training variant (every layout and seed)"),
            Axis::categorical("training variant", variants.clone()),
            Axis::percent("stable hidden neurons (%)"),
        );
        for (k, b) in bounds.iter().enumerate() {
            // Side by side within a variant, so that equal values stay visible.
            let offset = (k as f64 - (bounds.len() - 1) as f64 / 2.0) * 0.12;
            let points = ok
                .iter()
                .filter(|c| c.function() == function)
                .filter_map(|c| {
                    let v = variants.iter().position(|v| v == c.cell.variant())?;
                    let stable = c.treatment(b, "none")?.stable_percent;
                    Some(((v as f64 + offset, stable), c.cell.id.clone()))
                })
                .collect();
            chart.series.push(scatter(b, method_colour(b), points));
        }
        figures.push(StudyFigure {
            name: format!("stable_{}", function.replace(':', "")),
            chart,
        });
    }

    // MILP time against regions and against the stable share.
    let milp_time = |c: &CellResult, b: &str| {
        c.treatment(b, "none")
            .and_then(|t| t.milp.as_ref())
            .map(|m| m.time_s)
    };
    let mut by_regions = Chart::new(
        "MILP time against linear regions (no rescaling)",
        Axis::log("linear regions"),
        Axis::log("MILP time (s)"),
    );
    let mut by_stable = Chart::new(
        "MILP time against stable neurons (no rescaling)",
        Axis::percent("stable hidden neurons (%)"),
        Axis::log("MILP time (s)"),
    );
    for b in &bounds {
        by_regions.series.push(scatter(
            b,
            method_colour(b),
            ok.iter()
                .filter_map(|c| {
                    let point = (c.regions.as_ref()?.count as f64, milp_time(c, b)?);
                    Some((point, c.cell.id.clone()))
                })
                .collect(),
        ));
        by_stable.series.push(scatter(
            b,
            method_colour(b),
            ok.iter()
                .filter_map(|c| {
                    let point = (c.treatment(b, "none")?.stable_percent, milp_time(c, b)?);
                    Some((point, c.cell.id.clone()))
                })
                .collect(),
        ));
    }
    figures.push(StudyFigure {
        name: "time_vs_regions".into(),
        chart: by_regions,
    });
    figures.push(StudyFigure {
        name: "time_vs_stable".into(),
        chart: by_stable,
    });

    // The trade-off: test error against MILP time, per variant (baseline treatment).
    if let Some((b, r)) = &baseline {
        let mut chart = Chart::new(
            format!("Test error against MILP time ({b} bounds, rescaling {r})"),
            Axis::log("MILP time (s)"),
            Axis::log("test RMSE"),
        );
        for (k, v) in variants.iter().enumerate() {
            chart.series.push(scatter(
                v,
                categorical(k),
                ok.iter()
                    .filter(|c| c.cell.variant() == v)
                    .filter_map(|c| {
                        let t = c.treatment(b, r)?.milp.as_ref()?.time_s;
                        Some(((t, c.test_rmse?), c.cell.id.clone()))
                    })
                    .collect(),
            ));
        }
        figures.push(StudyFigure {
            name: "error_vs_time".into(),
            chart,
        });
    }

    // OBBT's net effect: total time with LP-OBBT against the MILP time with interval bounds.
    let total = |c: &CellResult, b: &str| {
        let t = c.treatment(b, "none")?;
        Some(t.milp.as_ref()?.time_s + t.bounds_time_s)
    };
    if bounds.iter().any(|b| b == "ia") && bounds.iter().any(|b| b == "lp") {
        let mut chart = Chart::new(
            "OBBT time saved: below the diagonal LP-OBBT paid for itself",
            Axis::log("interval bounds + MILP (s)"),
            Axis::log("LP-OBBT + MILP (s)"),
        );
        chart.diagonal = true;
        for (k, function) in functions.iter().enumerate() {
            chart.series.push(scatter(
                function,
                categorical(k),
                ok.iter()
                    .filter(|c| c.function() == function)
                    .filter_map(|c| Some(((total(c, "ia")?, total(c, "lp")?), c.cell.id.clone())))
                    .collect(),
            ));
        }
        figures.push(StudyFigure {
            name: "obbt_saving".into(),
            chart,
        });
    }
    figures
}
