//! The exact count in any input dimension: cells are polytopes, ranges come from LPs.
//!
//! A cell is `{x ∈ box : r_i·x ≤ s_i}` with one row per split that created it (unit rows).
//! Deciding whether a neuron splits it needs `min` and `max` of its normalised
//! pre-activation over the cell; three shortcuts avoid most LPs:
//! 1. a bounding box of the cell (tightened by `2d` LPs when the cell is opened for a layer)
//!    proves by interval arithmetic that the hyperplane misses the cell;
//! 2. a known point of the cell (the LP vertex that proved the last split) already shows one
//!    side reaching beyond `ε`, so only the other side needs an LP;
//! 3. the dense solver starts each LP from that point and the second LP from the first's
//!    optimum.

use super::prune::Pruner;
use super::refine::{Cut, Geometry, Partition, cut_from_range, partition};
use super::{CountMethod, RegionCount, RegionOptions, RegionsError, check_box};
use crate::control::TaskControl;
use crate::lp::{
    Col, Fallback, LinearModel, LpBound, LpError, LpOracle, ObjectiveOracle, OnPrimaryError,
    OneShotHighs, VertexSimplex,
};
use crate::network::{InputBox, Network};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Which LP solver the general method uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LpBackend {
    /// The built-in dense active-set simplex (fast in low dimension), with HiGHS as fallback
    /// for any LP it cannot finish.
    #[default]
    Dense,
    /// HiGHS for every LP (a warm-started instance per cell): the reference.
    Highs,
}

/// A cell in stored form: unit rows `r_i·x ≤ s_i` besides the box, a bounding box, and a
/// point of the cell when one is known.
#[derive(Debug, Clone)]
pub(crate) struct Polytope {
    /// Row-major, `dim` columns; the box is not repeated here.
    pub rows: Vec<f64>,
    pub rhs: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub point: Option<Vec<f64>>,
}

impl Polytope {
    /// The whole box, with its centre as the known point.
    pub(crate) fn of_box(input_box: &InputBox) -> Self {
        Self {
            rows: Vec::new(),
            rhs: Vec::new(),
            lower: input_box.lower().to_vec(),
            upper: input_box.upper().to_vec(),
            point: Some(input_box.center()),
        }
    }
}

/// Shared by all cells: the box, the backend and LP counters.
pub(crate) struct LpContext {
    dim: usize,
    lower: Vec<f64>,
    upper: Vec<f64>,
    backend: LpBackend,
    /// When the enumeration must end: cells stop tightening their bounding box then.
    deadline: Option<Instant>,
    pub lps: AtomicUsize,
    pub fallbacks: AtomicUsize,
}

/// The vertex simplex solves a `d × d` system per pivot (`O(d³)`): beyond this many inputs
/// HiGHS is faster, and each of its LPs ends in bounded time, so a time limit holds.
const VERTEX_SIMPLEX_MAX_DIM: usize = 64;

impl LpContext {
    pub(crate) fn new(input_box: &InputBox, backend: LpBackend, deadline: Option<Instant>) -> Self {
        Self {
            deadline,
            dim: input_box.dim(),
            lower: input_box.lower().to_vec(),
            upper: input_box.upper().to_vec(),
            backend,
            lps: AtomicUsize::new(0),
            fallbacks: AtomicUsize::new(0),
        }
    }

    /// Whether the enumeration's deadline has passed.
    pub(crate) fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|t| Instant::now() >= t)
    }

    /// The rows of the box, `x_j ≤ hi_j` and `−x_j ≤ −lo_j`, followed by the cell's rows:
    /// the form the dense solver takes.
    fn all_rows(&self, cell: &Polytope) -> (Vec<f64>, Vec<f64>) {
        let d = self.dim;
        let mut rows = Vec::with_capacity(2 * d * d + cell.rows.len());
        let mut rhs = Vec::with_capacity(2 * d + cell.rhs.len());
        for j in 0..d {
            let mut e = vec![0.0; d];
            e[j] = 1.0;
            rows.extend_from_slice(&e);
            rhs.push(self.upper[j]);
            e[j] = -1.0;
            rows.extend_from_slice(&e);
            rhs.push(-self.lower[j]);
        }
        rows.extend_from_slice(&cell.rows);
        rhs.extend_from_slice(&cell.rhs);
        (rows, rhs)
    }
}

/// The LP optimum of a cell with its maximiser.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellOptimum {
    /// `max cᵀx` over the cell.
    pub value: f64,
    /// A maximiser.
    pub x: Vec<f64>,
}

/// A cell being split by one layer.
pub(crate) struct LpCell {
    cell: Polytope,
    /// The vertex simplex over the cell's rows (box first), one-shot HiGHS when it fails;
    /// built on first use, kept for the opening.
    dense: Option<Fallback<VertexSimplex, OneShotHighs>>,
    /// A warm HiGHS instance of the cell, one-shot HiGHS when it fails; built on first use.
    highs: Option<Fallback<ObjectiveOracle, OneShotHighs>>,
    /// Points proving the two sides of the last `Split` decision.
    below_point: Option<Vec<f64>>,
    above_point: Option<Vec<f64>>,
}

impl LpCell {
    fn fresh(cell: Polytope) -> Self {
        Self {
            cell,
            dense: None,
            highs: None,
            below_point: None,
            above_point: None,
        }
    }

    /// The cell as a linear model over `x`: the box as column bounds, its rows as `≤` rows.
    fn model(cell: &Polytope, context: &LpContext) -> LinearModel {
        let d = context.dim;
        let mut model = LinearModel::new();
        for j in 0..d {
            model.add_column(format!("x{j}"), context.lower[j], context.upper[j], false);
        }
        for (i, &b) in cell.rhs.iter().enumerate() {
            let terms: Vec<(Col, f64)> = cell.rows[i * d..(i + 1) * d]
                .iter()
                .copied()
                .enumerate()
                .collect();
            model.add_row(format!("r{i}"), f64::NEG_INFINITY, b, &terms);
        }
        model
    }

    /// `max cᵀx` over the cell; the maximiser when the solver gives one.
    ///
    /// With the dense backend and a known point of the cell, the vertex simplex starts there;
    /// otherwise a warm HiGHS instance answers (values only). Either falls back to a fresh
    /// HiGHS model (with the point) for an LP it cannot answer.
    fn maximize(
        &mut self,
        context: &LpContext,
        c: &[f64],
        start: Option<&[f64]>,
    ) -> Result<(f64, Option<Vec<f64>>), RegionsError> {
        context.lps.fetch_add(1, Ordering::Relaxed);
        let negated: Vec<(Col, f64)> = c.iter().map(|v| -v).enumerate().collect();
        let cell = &self.cell;
        let one_shot = || Ok(OneShotHighs::new(Self::model(cell, context)));
        let (bound, fallbacks): (Result<LpBound, LpError>, usize) = if context.backend
            == LpBackend::Dense
            && context.dim <= VERTEX_SIMPLEX_MAX_DIM
            && let Some(start) = start
        {
            let lp = match self.dense.as_mut() {
                Some(lp) => lp,
                None => {
                    let (rows, rhs) = context.all_rows(cell);
                    let vertex = VertexSimplex::new(rows, rhs, context.dim);
                    self.dense
                        .insert(Fallback::new(Some(vertex), OnPrimaryError::Retry))
                }
            };
            if let Some(vertex) = lp.primary_mut() {
                vertex.set_start(Some(start.to_vec()));
            }
            let before = lp.fallbacks;
            let bound = lp.minimize_with(&negated, one_shot);
            (bound, lp.fallbacks - before)
        } else {
            let lp = self
                .highs
                .get_or_insert_with(|| Fallback::new(None, OnPrimaryError::Drop));
            // A warm-started HiGHS run occasionally ends with status `Unknown`; it is then
            // dropped for a fresh model, and a new warm instance made for the next LP.
            // Each run is limited to the time left, so that a long LP cannot overrun the
            // enumeration's time limit.
            let left = context
                .deadline
                .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64());
            if left == Some(0.0) {
                return Err(RegionsError::OutOfTime);
            }
            if lp.primary_mut().is_none() {
                let model = Self::model(cell, context);
                let oracle = ObjectiveOracle::new(&model, left).map_err(solver)?;
                lp.set_primary(Some(oracle));
            } else if let (Some(oracle), Some(left)) = (lp.primary_mut(), left) {
                oracle.set_time_limit(left).map_err(solver)?;
            }
            let before = lp.fallbacks;
            let bound = lp.minimize_with(&negated, one_shot);
            (bound, lp.fallbacks - before)
        };
        context.fallbacks.fetch_add(fallbacks, Ordering::Relaxed);
        let bound = bound.map_err(solver)?;
        Ok((-bound.lower_bound, bound.minimizer))
    }

    /// The LP optimum of `cᵀx` over the cell and a maximiser, for the region optimum.
    pub(crate) fn optimum(
        cell: &Polytope,
        context: &LpContext,
        c: &[f64],
    ) -> Result<CellOptimum, RegionsError> {
        let mut open = LpCell::fresh(cell.clone());
        let start = cell.point.clone();
        match open.maximize(context, c, start.as_deref())? {
            (value, Some(x)) => Ok(CellOptimum { value, x }),
            // The HiGHS oracle gives values only: ask for the point too.
            (_, None) => {
                let negated: Vec<(Col, f64)> = c.iter().map(|v| -v).enumerate().collect();
                let bound = OneShotHighs::new(Self::model(cell, context))
                    .minimize(&negated)
                    .map_err(solver)?;
                let x = bound
                    .minimizer
                    .ok_or_else(|| RegionsError::Solver("HiGHS: no maximiser".into()))?;
                Ok(CellOptimum {
                    value: -bound.lower_bound,
                    x,
                })
            }
        }
    }

    /// `max cᵀx` over the cell intersected with `lower ≤ gᵀx ≤ upper` for each `(g, lower,
    /// upper)` of `rows` (constraints, affine on the cell), and a maximiser; `None` when
    /// nothing of the cell satisfies them. Always HiGHS: the cell's known point need not
    /// satisfy the rows, so the vertex simplex has no start.
    pub(crate) fn optimum_within(
        cell: &Polytope,
        context: &LpContext,
        c: &[f64],
        rows: &[(Vec<f64>, f64, f64)],
    ) -> Result<Option<CellOptimum>, RegionsError> {
        context.lps.fetch_add(1, Ordering::Relaxed);
        let mut model = Self::model(cell, context);
        for (i, (g, lower, upper)) in rows.iter().enumerate() {
            let terms: Vec<(Col, f64)> = g.iter().copied().enumerate().collect();
            model.add_row(format!("constraint{i}"), *lower, *upper, &terms);
        }
        let negated: Vec<(Col, f64)> = c.iter().map(|v| -v).enumerate().collect();
        let bound = OneShotHighs::new(model)
            .minimize_if_feasible(&negated)
            .map_err(solver)?;
        Ok(bound.and_then(|b| {
            b.minimizer.map(|x| CellOptimum {
                value: -b.lower_bound,
                x,
            })
        }))
    }

    /// Tightens the bounding box with `2d` LPs.
    fn tighten_box(&mut self, context: &LpContext) -> Result<(), RegionsError> {
        let d = context.dim;
        for j in 0..d {
            if context.deadline.is_some_and(|t| Instant::now() >= t) {
                // Out of time: the box so far is valid, only looser.
                break;
            }
            let mut e = vec![0.0; d];
            e[j] = 1.0;
            let start = self.cell.point.clone();
            let sides = self
                .maximize(context, &e, start.as_deref())
                .and_then(|(hi, _)| {
                    e[j] = -1.0;
                    Ok((hi, self.maximize(context, &e, start.as_deref())?.0))
                });
            let (hi, neg_lo) = match sides {
                // Out of time: the box so far is valid, only looser.
                Err(RegionsError::OutOfTime) => break,
                sides => sides?,
            };
            // Keep the old side if an LP result is not finite; never loosen.
            if hi.is_finite() {
                self.cell.upper[j] = self.cell.upper[j].min(hi);
            }
            if neg_lo.is_finite() {
                self.cell.lower[j] = self.cell.lower[j].max(-neg_lo);
            }
        }
        Ok(())
    }
}

impl Geometry for LpCell {
    type Stored = Polytope;
    type Context = LpContext;

    fn open(stored: Polytope, context: &LpContext) -> Result<Self, RegionsError> {
        let mut cell = LpCell::fresh(stored);
        // 2d LPs per cell and layer; they spare 3–4× as many range LPs on the reference
        // networks (measured: 9446 → 3564 LPs on peaks_25x2).
        if !cell.cell.rows.is_empty() {
            cell.tighten_box(context)?;
        }
        Ok(cell)
    }

    fn close(self) -> Polytope {
        self.cell
    }

    fn bytes(&self) -> usize {
        Self::stored_bytes(&self.cell)
    }

    fn stored_bytes(stored: &Polytope) -> usize {
        let numbers = stored.rows.len()
            + stored.rhs.len()
            + stored.lower.len()
            + stored.upper.len()
            + stored.point.as_ref().map_or(0, Vec::len);
        8 * numbers + std::mem::size_of::<Polytope>()
    }

    fn classify(
        &mut self,
        context: &LpContext,
        w: &[f64],
        c: f64,
        eps: f64,
    ) -> Result<Cut, RegionsError> {
        // 1. The bounding box: both signs of h over it, by interval arithmetic.
        let (lo, hi) = self.affine_range(w, c);
        // `max ≤ 0` gives `max + min < 0`, `min ≥ 0` gives `max + min > 0` (h is not constant
        // on a cell with an interior): the rule's answer without an LP.
        if hi <= 0.0 {
            return Ok(Cut::Below);
        }
        if lo >= 0.0 {
            return Ok(Cut::Above);
        }
        let h = |x: &[f64]| w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + c;
        let neg_w: Vec<f64> = w.iter().map(|v| -v).collect();
        let point = self.cell.point.clone();
        // 2. A known point beyond ε on one side: one LP for the other side.
        if let Some(p) = &point {
            let hp = h(p);
            if hp > eps {
                let (neg_min, argmin) = self.maximize(context, &neg_w, Some(p))?;
                let min = c - neg_min;
                if min < -eps {
                    self.below_point = argmin;
                    self.above_point = Some(p.clone());
                    return Ok(Cut::Split);
                }
                return Ok(Cut::Above);
            }
            if hp < -eps {
                let (max_wx, argmax) = self.maximize(context, w, Some(p))?;
                let max = max_wx + c;
                if max > eps {
                    self.below_point = Some(p.clone());
                    self.above_point = argmax;
                    return Ok(Cut::Split);
                }
                return Ok(Cut::Below);
            }
        }
        // 3. Both LPs, the second started from the first's optimum.
        let (max_wx, argmax) = self.maximize(context, w, point.as_deref())?;
        let start = argmax.as_deref().or(point.as_deref());
        let (neg_min, argmin) = self.maximize(context, &neg_w, start)?;
        let (min, max) = (c - neg_min, max_wx + c);
        let cut = cut_from_range(min, max, eps);
        if cut == Cut::Split {
            self.below_point = argmin;
            self.above_point = argmax;
        }
        Ok(cut)
    }

    fn affine_range(&self, w: &[f64], c: f64) -> (f64, f64) {
        // Over the bounding box (tightened when the cell was opened): no LP.
        let (mut lo, mut hi) = (c, c);
        for ((&wj, &l), &u) in w.iter().zip(&self.cell.lower).zip(&self.cell.upper) {
            if wj >= 0.0 {
                lo += wj * l;
                hi += wj * u;
            } else {
                lo += wj * u;
                hi += wj * l;
            }
        }
        (lo, hi)
    }

    fn representative_point(&self) -> Option<Vec<f64>> {
        self.cell.point.clone()
    }

    fn split(self, _context: &LpContext, w: &[f64], c: f64) -> (Self, Self) {
        let mut below = self.cell.clone();
        let mut above = self.cell;
        // h ≤ 0  ⇔  w·x ≤ −c;   h ≥ 0  ⇔  −w·x ≤ c.
        below.rows.extend_from_slice(w);
        below.rhs.push(-c);
        below.point = self.below_point;
        above.rows.extend(w.iter().map(|v| -v));
        above.rhs.push(c);
        above.point = self.above_point;
        (LpCell::fresh(below), LpCell::fresh(above))
    }
}

fn solver(e: LpError) -> RegionsError {
    match e {
        LpError::TimeLimit => RegionsError::OutOfTime,
        e => RegionsError::Solver(e.to_string()),
    }
}

/// The partition of the general method and its LP context.
pub(crate) fn enumerate_exact(
    network: &Network,
    input_box: &InputBox,
    options: &RegionOptions,
    control: &TaskControl,
    pruner: Option<&Pruner>,
) -> Result<(Partition<Polytope>, LpContext, f64), RegionsError> {
    options.validate()?;
    let eps = check_box(network, input_box, options.tolerance)?;
    // One deadline for the partition's checks and the LPs' limits.
    let deadline = options.deadline(Instant::now(), control);
    let context = LpContext::new(input_box, options.lp, deadline);
    let root = Polytope::of_box(input_box);
    let partition = partition::<LpCell>(
        network, input_box, root, &context, eps, options, deadline, control, pruner,
    )?;
    Ok((partition, context, eps))
}

/// Counts the regions of `network` over `input_box` exactly, in any input dimension.
///
/// The box is split by the hyperplanes of layer 1, each cell by those of layer 2 (affine on
/// the cell), and so on; a split is decided by LPs with the interior tolerance
/// `ε = options.tolerance ·` longest box side (see the [module doc](super)). With `n` hidden
/// layers `per_layer` has `n` entries and `count = per_layer[n − 1]` (1 with no hidden
/// layer). When `options.max_regions` or `options.time_limit` stops the enumeration, or the
/// user cancels, the result has `exact = false` and `count` is a lower bound.
pub fn count_exact(
    network: &Network,
    input_box: &InputBox,
    options: &RegionOptions,
    control: &TaskControl,
) -> Result<RegionCount, RegionsError> {
    let started = Instant::now();
    let (partition, context, eps) = enumerate_exact(network, input_box, options, control, None)?;
    Ok(RegionCount {
        count: partition.cells.len(),
        exact: partition.stopped.is_none(),
        per_layer: partition.per_layer,
        method: CountMethod::Exact,
        time_s: started.elapsed().as_secs_f64(),
        samples: None,
        stopped: partition.stopped,
        tolerance: Some(eps),
        lps_solved: context.lps.load(Ordering::Relaxed),
        lp_fallbacks: context.fallbacks.load(Ordering::Relaxed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::tests::random_network;

    #[test]
    fn both_backends_count_alike() {
        for (seed, widths) in [
            (1, vec![2, 6, 5, 1]),
            (2, vec![3, 5, 4, 1]),
            (3, vec![1, 7, 7, 1]),
        ] {
            let net = random_network(&widths, seed);
            let b = net.input_box().unwrap().clone();
            let count = |lp| {
                let options = RegionOptions {
                    lp,
                    ..RegionOptions::default()
                };
                count_exact(&net, &b, &options, &TaskControl::default()).unwrap()
            };
            let dense = count(LpBackend::Dense);
            let highs = count(LpBackend::Highs);
            assert!(dense.exact && highs.exact);
            assert_eq!(dense.per_layer, highs.per_layer, "{widths:?}");
            assert!(dense.count > 1, "{widths:?}: {dense:?}");
        }
    }

    #[test]
    fn a_network_without_hidden_layers_has_one_region() {
        let net = random_network(&[3, 2], 5);
        let b = net.input_box().unwrap().clone();
        let r = count_exact(&net, &b, &RegionOptions::default(), &TaskControl::default()).unwrap();
        assert_eq!((r.count, r.per_layer.len(), r.exact), (1, 0, true));
    }
}
