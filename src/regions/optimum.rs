//! The optimum of `cᵀf(x)` over the box as the best of its optima over the linear regions.
//!
//! On a region `R` the objective is affine, `cᵀf(x) = g_R·x + h_R`, so
//! `min_{x∈box} cᵀf(x) = min_R min_{x∈R} (g_R·x + h_R)`: one LP per region (for 2 inputs, the
//! best vertex of each polygon — exact without an LP). An exact alternative to the MILP for
//! small input dimension, and a cross-check of it.
//!
//! Constraints `lower ≤ wᵀf(x) ≤ upper` are affine on a region too: in 2-D the polygon is
//! clipped by their half-planes before its vertices are compared, otherwise they are rows of
//! the region's LP. A region where they leave nothing is skipped; when no region is left the
//! problem is `infeasible`.

use super::exact::{LpCell, enumerate_exact};
use super::pattern::output_pieces;
use super::polygon::plane_partition;
use super::prune::Pruner;
use super::{RegionOptions, RegionsError};
use crate::control::TaskControl;
use crate::formulation::OutputConstraint;
use crate::milp::{Objective, Sense, SolveReport, sampled_incumbent};
use crate::network::{InputBox, Network};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// [`solve_by_regions_with`] with default options (1,000,000 regions at most, no time limit).
pub fn solve_by_regions(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    control: &TaskControl,
) -> Result<SolveReport, RegionsError> {
    solve_by_regions_with(
        network,
        input_box,
        objective,
        &RegionOptions::default(),
        control,
    )
}

/// Optimises `objective` over `input_box` region by region: the 2-D partition for 2 inputs,
/// the general method otherwise.
///
/// With `options.prune` (the default) this is branch and bound over the regions: before a
/// layer splits a cell, a cell whose objective bound (interval and backward linear relaxation from the cell) cannot beat the
/// best value found so far is dropped; the centre, the corners and 64 seeded samples give the
/// first incumbent, each cell's point improves it.
///
/// The [`SolveReport`] fields mean:
/// - `status`: `optimal` when every region was examined; `infeasible` when constraints leave
///   no point of any region; `cancelled` if the user stopped it; `time_limit` or (the region
///   or memory cap) `other`, with `status_detail`, when it stopped early (the objective is
///   then the best over the regions found, with no bound);
/// - `objective`: the best region optimum `g_R·x* + h_R`; `best_bound = objective`, `gap = 0`
///   when optimal (the region optima are exact);
/// - `nodes`: cells examined — the regions reached, plus (with `options.prune`) the cells
///   dropped by bound before they were split into regions; `lp_iterations`: LPs solved
///   (0 in 2-D);
/// - `time_s`: the whole computation; `build_time_s`: 0 (no model to build);
/// - `x`: the optimiser; `forward_value = cᵀf(x)` by a forward pass, and
///   `forward_difference = |forward_value − objective|` (a few ulps unless `x` lies in a
///   sliver thinner than the interior tolerance);
/// - `binaries`, `constraints`, `nonzeros`: 0; `variables`: the input dimension;
///   `start_objective`: none; `trace`, `log`: empty.
///
/// The interior tolerance defaults to a tighter `1e-9` here (relative to the longest box
/// side) so that merged slivers move the optimum by no more than `Lipschitz · 1e-9 · side`.
pub fn solve_by_regions_with(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    options: &RegionOptions,
    control: &TaskControl,
) -> Result<SolveReport, RegionsError> {
    let started = Instant::now();
    objective
        .check_fits(network.output_dim())
        .map_err(|e| RegionsError::Objective(e.to_string()))?;
    // Maximising cᵀf is minimising (−c)ᵀf: work with a minimisation throughout.
    let sign = objective.sense.sign();
    let weights: Vec<f64> = objective.weights.iter().map(|c| sign * c).collect();
    let RegionMinimum {
        best,
        cells,
        pruned,
        stopped,
        lps,
    } = minimise_over_regions(
        network,
        input_box,
        &weights,
        &objective.constraints,
        options,
        control,
        None,
    )?;
    let regions = cells + pruned;
    let (status, detail) = match stopped {
        None if best.is_none() => (
            "infeasible",
            Some(format!(
                "no point of the {regions} regions satisfies the constraints"
            )),
        ),
        None => ("optimal", None),
        Some(super::StopReason::Cancelled) => ("cancelled", None),
        Some(reason) => (
            if reason == super::StopReason::TimeLimit {
                "time_limit"
            } else {
                "other"
            },
            Some(format!(
                "stopped after {regions} regions: {}; {}",
                reason.describe(),
                if best.is_some() {
                    "the objective is the best found, not proven optimal"
                } else {
                    "no region was completed, so there is no objective"
                }
            )),
        ),
    };
    let x = best.as_ref().map(|(_, x)| x.clone());
    let objective_value = best.as_ref().map(|(v, _)| sign * v);
    let forward_value = x.as_ref().map(|x| objective.value(&network.forward(x)));
    let optimal = stopped.is_none();
    let mut report = SolveReport {
        status: status.to_string(),
        status_detail: detail,
        objective_description: objective.describe(),
        objective: objective_value,
        best_bound: objective_value.filter(|_| optimal),
        gap: objective_value.filter(|_| optimal).map(|_| 0.0),
        nodes: regions as u64,
        lp_iterations: lps as u64,
        time_s: started.elapsed().as_secs_f64(),
        build_time_s: 0.0,
        forward_difference: forward_value
            .zip(objective_value)
            .map(|(f, o)| (f - o).abs()),
        x,
        forward_value,
        variables: network.input_dim(),
        ..SolveReport::default()
    };
    report.check_against(network, objective);
    Ok(report)
}

/// The result of [`minimise_over_regions`].
pub(crate) struct RegionMinimum {
    /// The least `vᵀf(x)` found and its point (in the box).
    pub best: Option<(f64, Vec<f64>)>,
    /// Regions whose optimum was taken.
    pub cells: usize,
    /// Cells dropped by bound.
    pub pruned: usize,
    /// Why the enumeration stopped early, if it did.
    pub stopped: Option<super::StopReason>,
    /// LPs solved.
    pub lps: usize,
}

/// The least `weights · f(x)` over the points of `input_box` that satisfy `constraints`,
/// region by region (the core of [`solve_by_regions_with`]); `best` is `None` when no point
/// does. `start`, a feasible point of any larger box and its value, seeds the pruning
/// incumbent: a search inside part of a box (input-space branching) then drops every cell
/// that cannot beat the best value known elsewhere, and may return `start` itself.
pub(crate) fn minimise_over_regions(
    network: &Network,
    input_box: &InputBox,
    weights: &[f64],
    constraints: &[OutputConstraint],
    options: &RegionOptions,
    control: &TaskControl,
    start: Option<(Vec<f64>, f64)>,
) -> Result<RegionMinimum, RegionsError> {
    let options = RegionOptions {
        tolerance: options.tolerance.min(1e-9),
        ..options.clone()
    };
    let combine = |pieces: &[super::AffinePiece]| -> (Vec<f64>, f64) {
        let d = pieces.first().map_or(0, |p| p.gradient.len());
        let mut g = vec![0.0; d];
        let mut h = 0.0;
        for (piece, &vj) in pieces.iter().zip(weights) {
            g.iter_mut()
                .zip(&piece.gradient)
                .for_each(|(gi, pi)| *gi += vj * pi);
            h += vj * piece.offset;
        }
        (g, h)
    };
    let pruner = options.prune.then(|| {
        // A cheap start: the centre, the corners and (without a start) a few samples.
        let objective = Objective {
            sense: Sense::Minimize,
            weights: weights.to_vec(),
            constraints: constraints.to_vec(),
        };
        let samples = if start.is_some() { 0 } else { 64 };
        let sampled = sampled_incumbent(network, input_box, &objective, samples, 0)
            .map(|s| (s.x, s.objective));
        let seed = match (start, sampled) {
            (Some(start), Some(sampled)) if sampled.1 <= start.1 => Some(sampled),
            (Some(start), _) => Some(start),
            (None, sampled) => sampled,
        };
        Pruner::new(
            network,
            input_box,
            weights.to_vec(),
            constraints
                .iter()
                .map(OutputConstraint::normalized)
                .collect(),
            seed,
        )
    });
    // A constraint `lower ≤ wᵀy ≤ upper` on a region where `y = G x + h`:
    // `lower − wᵀh ≤ (Gᵀw)ᵀx ≤ upper − wᵀh`.
    let constraint_rows = |pieces: &[super::AffinePiece]| -> Vec<(Vec<f64>, f64, f64)> {
        constraints
            .iter()
            .map(|c| {
                // Normalised, so that the clipping allowance is relative to the row.
                let c = c.normalized();
                let d = pieces.first().map_or(0, |p| p.gradient.len());
                let mut g = vec![0.0; d];
                let mut h = 0.0;
                for (piece, &w) in pieces.iter().zip(&c.weights) {
                    g.iter_mut()
                        .zip(&piece.gradient)
                        .for_each(|(gi, pi)| *gi += w * pi);
                    h += w * piece.offset;
                }
                (g, c.lower - h, c.upper - h)
            })
            .collect()
    };
    // Cell optima may lie a rounding error outside the box.
    let clamp = |x: &[f64]| input_box.clamp(x);
    let mut best: Option<(f64, Vec<f64>)> = None;
    let feasibility = weights.iter().all(|&w| w == 0.0);
    let (cells, stopped, lps) = if network.input_dim() == 2 && input_box.dim() == 2 {
        let map = plane_partition(network, input_box, None, &options, control, pruner.as_ref())?;
        for region in &map.regions {
            let pieces = if region.outputs.is_empty() {
                // A stopped partition: the pattern may be partial; skip such cells.
                continue;
            } else {
                &region.outputs
            };
            let (g, h) = combine(pieces);
            let mut polygon = region.polygon.clone();
            for (row, lower, upper) in constraint_rows(pieces) {
                polygon = clip_polygon(&polygon, &row, upper);
                let negated = [-row[0], -row[1]];
                polygon = clip_polygon(&polygon, &negated, -lower);
            }
            for v in &polygon {
                let outside = !constraints.is_empty() && {
                    let y = network.forward(v);
                    constraints.iter().any(|c| !c.holds(&y))
                };
                if outside {
                    // A vertex the clip kept by its rounding allowance, but outside the
                    // constraints' tolerance: not a feasible point.
                    continue;
                }
                let value = g[0] * v[0] + g[1] * v[1] + h;
                if best.as_ref().is_none_or(|(b, _)| value < *b) {
                    best = Some((value, clamp(v)));
                }
            }
        }
        (map.regions.len(), map.stopped, 0)
    } else {
        let (partition, context, _) =
            enumerate_exact(network, input_box, &options, control, pruner.as_ref())?;
        let hidden = network.hidden_neurons();
        let mut stopped = partition.stopped;
        for cell in &partition.cells {
            // The cells' LPs are quick but many: the time limit and Cancel hold here too.
            if context.past_deadline() {
                stopped.get_or_insert(super::StopReason::TimeLimit);
                break;
            }
            if control.is_cancelled() {
                stopped = Some(super::StopReason::Cancelled);
                break;
            }
            if cell.phases.len() != hidden {
                continue;
            }
            if feasibility && best.is_some() {
                // Any feasible point answers a feasibility question.
                break;
            }
            let pieces = output_pieces(network, &cell.phases);
            let (g, h) = combine(&pieces);
            let neg: Vec<f64> = g.iter().map(|v| -v).collect();
            let opt = if constraints.is_empty() {
                LpCell::optimum(&cell.stored, &context, &neg).map(Some)
            } else {
                LpCell::optimum_within(&cell.stored, &context, &neg, &constraint_rows(&pieces))
            };
            let opt = match opt {
                Err(RegionsError::OutOfTime) => {
                    stopped = Some(super::StopReason::TimeLimit);
                    break;
                }
                Ok(None) => continue,
                Ok(Some(opt)) => opt,
                Err(e) => return Err(e),
            };
            let value = -opt.value + h;
            if best.as_ref().is_none_or(|(b, _)| value < *b) {
                best = Some((value, clamp(&opt.x)));
            }
        }
        (
            partition.cells.len(),
            stopped,
            context.lps.load(Ordering::Relaxed),
        )
    };
    // The incumbent is attained at a point: it is a candidate too (a pruned search keeps the
    // cell of the optimum, so this matters only when `start` beats every cell, or to the last
    // rounding error).
    let pruned = pruner
        .as_ref()
        .map_or(0, |p| p.pruned.load(Ordering::Relaxed));
    if let Some((value, x)) = pruner.and_then(|p| p.incumbent())
        && best.as_ref().is_none_or(|(b, _)| value < *b)
    {
        best = Some((value, x));
    }
    Ok(RegionMinimum {
        best,
        cells,
        pruned,
        stopped,
        lps,
    })
}

/// The part of the convex polygon `polygon` where `row · v ≤ rhs` (Sutherland–Hodgman against
/// one half-plane), keeping points within a rounding allowance of the line so that an
/// equality constraint leaves its segment.
fn clip_polygon(polygon: &[[f64; 2]], row: &[f64], rhs: f64) -> Vec<[f64; 2]> {
    if !rhs.is_finite() {
        return if rhs > 0.0 {
            polygon.to_vec()
        } else {
            Vec::new()
        };
    }
    let scale = polygon
        .iter()
        .map(|v| (row[0] * v[0]).abs() + (row[1] * v[1]).abs())
        .fold(rhs.abs(), f64::max);
    let allowance = 1e-12 * scale;
    let side = |v: &[f64; 2]| row[0] * v[0] + row[1] * v[1] - rhs - allowance;
    let mut out = Vec::with_capacity(polygon.len() + 1);
    for (i, v) in polygon.iter().enumerate() {
        let w = &polygon[(i + 1) % polygon.len()];
        let (sv, sw) = (side(v), side(w));
        if sv <= 0.0 {
            out.push(*v);
        }
        if (sv < 0.0 && sw > 0.0) || (sv > 0.0 && sw < 0.0) {
            let t = sv / (sv - sw);
            out.push([v[0] + t * (w[0] - v[0]), v[1] + t * (w[1] - v[1])]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_half_plane_and_an_equality_leaves_a_segment() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        // x + y ≤ 1: the lower-left triangle.
        let half = clip_polygon(&square, &[1.0, 1.0], 1.0);
        assert!(half.iter().all(|v| v[0] + v[1] <= 1.0 + 1e-9), "{half:?}");
        for corner in [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]] {
            let near = |v: &[f64; 2]| (v[0] - corner[0]).abs() + (v[1] - corner[1]).abs() < 1e-9;
            assert!(half.iter().any(near), "{corner:?} in {half:?}");
        }
        // x = 0.25 by two clips: a segment on the line.
        let left = clip_polygon(&square, &[1.0, 0.0], 0.25);
        let line = clip_polygon(&left, &[-1.0, 0.0], -0.25);
        assert!(!line.is_empty());
        assert!(line.iter().all(|v| (v[0] - 0.25).abs() < 1e-9), "{line:?}");
        assert!(clip_polygon(&square, &[1.0, 0.0], -1.0).is_empty());
        assert_eq!(clip_polygon(&square, &[1.0, 0.0], f64::INFINITY).len(), 4);
    }
}
