//! The layer-by-layer splitting shared by the exact methods.
//!
//! Both methods run this driver; they differ only in how a cell is represented and how
//! `min`/`max` of an affine function over it are found (LPs, or the vertices of a polygon).
//! Sharing the driver makes them take the same decisions, so their counts agree exactly.

use super::pattern::{NeuronPlan, Phase, neuron_plans, neuron_plans_from, preactivation_map};
use super::prune::Pruner;
use super::{RegionOptions, RegionsError, StopReason};
use crate::control::TaskControl;
use crate::network::{InputBox, Network};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::Instant;

/// Where a cell lies relative to a hyperplane `h(x) = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// No split; the cell is on the side `h ≤ 0` (it reaches farther there).
    Below,
    /// No split; the cell is on the side `h ≥ 0`.
    Above,
    /// The cell reaches more than `ε` beyond the hyperplane on both sides.
    Split,
    /// Not decided: the time limit ran out during the LPs. The piece stays whole and gets no
    /// phase for this neuron (its count remains a lower bound; the region optimum skips it).
    Unknown,
}

/// The splitting rule of the module doc, from the exact range `[min, max]` of the
/// normalised `h` over the cell.
pub(crate) fn cut_from_range(min: f64, max: f64, eps: f64) -> Cut {
    if max > eps && min < -eps {
        Cut::Split
    } else if max + min > 0.0 {
        Cut::Above
    } else {
        Cut::Below
    }
}

/// A cell representation the driver can split.
pub(crate) trait Geometry: Sized {
    /// What is kept between layers (sent across threads).
    type Stored: Send;
    /// Read-only data shared by all cells (the box, the LP backend, counters).
    type Context: Sync;

    /// Prepares a stored cell for splitting by the neurons of one layer.
    fn open(stored: Self::Stored, context: &Self::Context) -> Result<Self, RegionsError>;
    /// Back to the stored form.
    fn close(self) -> Self::Stored;
    /// Where the cell lies relative to `h(x) = w·x + c = 0`, `‖w‖ = 1`, by [`cut_from_range`].
    fn classify(
        &mut self,
        context: &Self::Context,
        w: &[f64],
        c: f64,
        eps: f64,
    ) -> Result<Cut, RegionsError>;
    /// The two halves `(h ≤ 0, h ≥ 0)`; called right after `classify` returned `Split`.
    fn split(self, context: &Self::Context, w: &[f64], c: f64) -> (Self, Self);
    /// An estimate of the bytes a stored cell takes, for the memory cap.
    fn stored_bytes(stored: &Self::Stored) -> usize;
    /// An estimate of the bytes this (open) cell takes, for the memory cap.
    fn bytes(&self) -> usize;
    /// An enclosure `[min, max]` of `w·x + c` over the cell (`w` unnormalised): exact where
    /// that is cheap, never narrower than the true range.
    fn affine_range(&self, w: &[f64], c: f64) -> (f64, f64);
    /// A point of the cell (or at least of the box), for incumbents; `None` if unknown.
    fn representative_point(&self) -> Option<Vec<f64>>;
    /// Whether splitting `cells` cells by a layer of `neurons` neurons is worth rayon's
    /// workers; the default (a few cells) suits cells whose splits solve LPs.
    fn parallel_pays(cells: usize, _neurons: usize) -> bool {
        cells >= 8
    }
}

/// A cell of the partition and the phases of every neuron of the layers split so far.
pub(crate) struct Cell<S> {
    pub stored: S,
    pub phases: Vec<Phase>,
}

/// The partition after the last layer processed.
pub(crate) struct Partition<S> {
    pub cells: Vec<Cell<S>>,
    /// Cells after hidden layer 1, 2, … (see [`super::RegionCount::per_layer`]).
    pub per_layer: Vec<usize>,
    pub stopped: Option<StopReason>,
}

/// Why the driver should stop, shared by the parallel workers.
struct StopFlag {
    reason: AtomicU8,
    control: TaskControl,
    deadline: Option<Instant>,
    max_regions: usize,
    regions: AtomicUsize,
    max_bytes: usize,
    /// Bytes of the cells of the layer being built.
    bytes: AtomicUsize,
}

impl StopFlag {
    const NONE: u8 = 0;

    fn check(&self) -> bool {
        if self.reason.load(Ordering::Relaxed) != Self::NONE {
            return true;
        }
        let reason = if self.control.is_cancelled() {
            Some(StopReason::Cancelled)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(StopReason::TimeLimit)
        } else if self.regions.load(Ordering::Relaxed) > self.max_regions {
            Some(StopReason::MaxRegions)
        } else if self.bytes.load(Ordering::Relaxed) > self.max_bytes {
            Some(StopReason::MaxMemory)
        } else {
            None
        };
        match reason {
            Some(r) => {
                self.force(r);
                true
            }
            None => false,
        }
    }

    /// Records `reason` (unless another was recorded first).
    fn force(&self, reason: StopReason) {
        let _ = self.reason.compare_exchange(
            Self::NONE,
            Self::code(reason),
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    fn code(reason: StopReason) -> u8 {
        match reason {
            StopReason::MaxRegions => 1,
            StopReason::TimeLimit => 2,
            StopReason::Cancelled => 3,
            StopReason::MaxMemory => 4,
        }
    }

    fn reason(&self) -> Option<StopReason> {
        match self.reason.load(Ordering::Relaxed) {
            1 => Some(StopReason::MaxRegions),
            2 => Some(StopReason::TimeLimit),
            3 => Some(StopReason::Cancelled),
            4 => Some(StopReason::MaxMemory),
            _ => None,
        }
    }
}

/// Splits `root` (the whole box) by every hidden layer of `network` in turn, until
/// `deadline` (the same one the geometry's LPs are limited by). With a `pruner` (made for
/// this network and box), a cell whose objective bound cannot beat the incumbent is dropped
/// before each layer splits it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn partition<G: Geometry>(
    network: &Network,
    input_box: &InputBox,
    root: G::Stored,
    context: &G::Context,
    eps: f64,
    options: &RegionOptions,
    deadline: Option<Instant>,
    control: &TaskControl,
    pruner: Option<&Pruner>,
) -> Result<Partition<G::Stored>, RegionsError> {
    // The pruner holds the same whole-box bounds the plans are made from.
    let plans = match pruner {
        Some(pruner) => neuron_plans_from(network, pruner.whole_box_bounds()),
        None => neuron_plans(network, input_box),
    };
    let stop = StopFlag {
        reason: AtomicU8::new(StopFlag::NONE),
        control: control.clone(),
        deadline,
        max_regions: options.max_regions,
        regions: AtomicUsize::new(1),
        max_bytes: options.max_memory_bytes,
        bytes: AtomicUsize::new(0),
    };
    let mut cells = vec![Cell {
        stored: root,
        phases: Vec::new(),
    }];
    let mut per_layer = Vec::with_capacity(plans.len());
    let layers = plans.len();
    for (k, layer_plans) in plans.iter().enumerate() {
        let total = cells.len();
        stop.regions.store(total, Ordering::Relaxed);
        stop.bytes.store(0, Ordering::Relaxed);
        let done = AtomicUsize::new(0);
        let refine_one = |cell: Cell<G::Stored>| -> Result<Vec<Cell<G::Stored>>, RegionsError> {
            // The cell's bytes count for the new layer; each split adds its new half.
            stop.bytes
                .fetch_add(G::stored_bytes(&cell.stored), Ordering::Relaxed);
            let out = refine_cell::<G>(network, layer_plans, k, cell, context, eps, &stop, pruner)?;
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if finished.is_multiple_of((total / 100).max(1)) {
                control.report(
                    (k as f64 + finished as f64 / total as f64) / layers as f64,
                    "splitting regions",
                );
            }
            Ok(out)
        };
        // Each task owns its cell.
        let parallel = options.parallel && G::parallel_pays(cells.len(), layer_plans.len());
        let pieces: Vec<Vec<Cell<G::Stored>>> = if parallel {
            cells
                .into_par_iter()
                .map(refine_one)
                .collect::<Result<_, _>>()?
        } else {
            cells
                .into_iter()
                .map(refine_one)
                .collect::<Result<_, _>>()?
        };
        cells = pieces.into_iter().flatten().collect();
        per_layer.push(cells.len());
        if let Some(reason) = stop.reason() {
            return Ok(Partition {
                cells,
                per_layer,
                stopped: Some(reason),
            });
        }
    }
    control.report(1.0, "regions done");
    Ok(Partition {
        cells,
        per_layer,
        stopped: None,
    })
}

/// A piece of a cell being split by one layer, with that layer's phases so far.
struct Piece<G> {
    geometry: G,
    layer_phases: Vec<Phase>,
}

/// Splits one cell by the neurons of hidden layer `k`, in order (none if `pruner` drops it).
#[allow(clippy::too_many_arguments)]
fn refine_cell<G: Geometry>(
    network: &Network,
    plans: &[NeuronPlan],
    k: usize,
    cell: Cell<G::Stored>,
    context: &G::Context,
    eps: f64,
    stop: &StopFlag,
    pruner: Option<&Pruner>,
) -> Result<Vec<Cell<G::Stored>>, RegionsError> {
    if stop.check() {
        // Stopped: the remaining cells of the layer are kept as they are (their phases stop
        // short of this layer), without the cost of opening them.
        return Ok(vec![cell]);
    }
    let (a, c) = preactivation_map(network, &cell.phases, k);
    let geometry = G::open(cell.stored, context)?;
    if let Some(pruner) = pruner
        && pruner.prunes(network, k, &a, &c, &geometry)
    {
        pruner.pruned.fetch_add(1, Ordering::Relaxed);
        return Ok(Vec::new());
    }
    let mut pieces = vec![Piece {
        geometry,
        layer_phases: Vec::with_capacity(plans.len()),
    }];
    let mut stopped = false;
    for (i, plan) in plans.iter().enumerate() {
        if stop.check() {
            // Keep the pieces found so far: they still bound this layer's count from below.
            stopped = true;
            break;
        }
        match *plan {
            NeuronPlan::Fixed(phase) => pieces.iter_mut().for_each(|p| p.layer_phases.push(phase)),
            NeuronPlan::Split { zero, cap } => {
                let d = network.input_dim();
                let w = &a[i * d..(i + 1) * d];
                // Above the zero breakpoint (or all of them when it cannot cross).
                let (mut done, mut above_zero) = (Vec::new(), Vec::new());
                let mut undecided = Vec::new();
                if zero {
                    for (piece, side) in cut_pieces(pieces, context, w, c[i], eps, stop)? {
                        match side {
                            Cut::Below => done.push(with_phase(piece, Phase::Inactive)),
                            Cut::Unknown => undecided.push(piece),
                            _ => above_zero.push(piece),
                        }
                    }
                } else {
                    above_zero = pieces;
                }
                match cap {
                    Some(cap) => {
                        for (piece, side) in
                            cut_pieces(above_zero, context, w, c[i] - cap, eps, stop)?
                        {
                            let phase = match side {
                                Cut::Below => Phase::Active,
                                Cut::Unknown => {
                                    undecided.push(piece);
                                    continue;
                                }
                                _ => Phase::Saturated,
                            };
                            done.push(with_phase(piece, phase));
                        }
                    }
                    None => done.extend(
                        above_zero
                            .into_iter()
                            .map(|piece| with_phase(piece, Phase::Active)),
                    ),
                }
                done.append(&mut undecided);
                pieces = done;
            }
        }
    }
    // A piece left undecided (out of time) has fewer phases; the partition reports the stop.
    let stopped = stopped || stop.reason().is_some();
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let mut phases = cell.phases.clone();
        phases.extend(piece.layer_phases);
        if !stopped {
            debug_assert_eq!(phases.len(), cell.phases.len() + plans.len());
        }
        out.push(Cell {
            stored: piece.geometry.close(),
            phases,
        });
    }
    Ok(out)
}

fn with_phase<G>(mut piece: Piece<G>, phase: Phase) -> Piece<G> {
    piece.layer_phases.push(phase);
    piece
}

/// Cuts every piece by `w·x + c = 0` (unnormalised); each result carries its side
/// (`Split` never appears in the output: a split piece yields a `Below` and an `Above` half).
fn cut_pieces<G: Geometry>(
    pieces: Vec<Piece<G>>,
    context: &G::Context,
    w: &[f64],
    c: f64,
    eps: f64,
    stop: &StopFlag,
) -> Result<Vec<(Piece<G>, Cut)>, RegionsError> {
    let norm = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    if !(norm > 0.0 && norm.is_finite()) {
        // The neuron is constant on the cell: no hyperplane, one side everywhere.
        let side = if c > 0.0 { Cut::Above } else { Cut::Below };
        return Ok(pieces.into_iter().map(|p| (p, side)).collect());
    }
    let unit: Vec<f64> = w.iter().map(|v| v / norm).collect();
    let offset = c / norm;
    let mut out = Vec::with_capacity(pieces.len() + 1);
    for (index, mut piece) in pieces.into_iter().enumerate() {
        // One neuron may cut hundreds of thousands of pieces of one cell: check the limits
        // within the pass too, and leave the rest undecided once stopped.
        if index % 64 == 63 && stop.check() {
            out.push((piece, Cut::Unknown));
            continue;
        }
        let side = match piece.geometry.classify(context, &unit, offset, eps) {
            Err(RegionsError::OutOfTime) => {
                // Recorded here, not only at the next neuron's check: this may be the last
                // neuron of the layer, and the partition must report that it stopped.
                stop.force(StopReason::TimeLimit);
                Cut::Unknown
            }
            side => side?,
        };
        match side {
            Cut::Split => {
                let (below, above) = piece.geometry.split(context, &unit, offset);
                stop.regions.fetch_add(1, Ordering::Relaxed);
                stop.bytes.fetch_add(above.bytes(), Ordering::Relaxed);
                out.push((
                    Piece {
                        geometry: below,
                        layer_phases: piece.layer_phases.clone(),
                    },
                    Cut::Below,
                ));
                out.push((
                    Piece {
                        geometry: above,
                        layer_phases: piece.layer_phases,
                    },
                    Cut::Above,
                ));
            }
            side => out.push((piece, side)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{Activation, Layer};
    use ndarray::array;

    /// A geometry whose cells lie above every hyperplane, until its LP budget (`classify`
    /// calls) runs out: then it is out of time.
    struct Budgeted;

    impl Geometry for Budgeted {
        type Stored = ();
        type Context = AtomicUsize;

        fn open(_: (), _: &AtomicUsize) -> Result<Self, RegionsError> {
            Ok(Budgeted)
        }
        fn close(self) {}
        fn classify(
            &mut self,
            budget: &AtomicUsize,
            _: &[f64],
            _: f64,
            _: f64,
        ) -> Result<Cut, RegionsError> {
            match budget.fetch_sub(1, Ordering::Relaxed) {
                0 => {
                    budget.store(0, Ordering::Relaxed);
                    Err(RegionsError::OutOfTime)
                }
                _ => Ok(Cut::Above),
            }
        }
        fn split(self, _: &AtomicUsize, _: &[f64], _: f64) -> (Self, Self) {
            unreachable!("this geometry never splits")
        }
        fn stored_bytes(_: &()) -> usize {
            1
        }
        fn bytes(&self) -> usize {
            1
        }
        fn affine_range(&self, _: &[f64], _: f64) -> (f64, f64) {
            (f64::NEG_INFINITY, f64::INFINITY)
        }
        fn representative_point(&self) -> Option<Vec<f64>> {
            None
        }
    }

    /// Two hidden layers of two unstable neurons each, over [−1, 1]².
    fn network() -> (Network, InputBox) {
        let relu = |w, b| Layer::new(w, b, Activation::Relu);
        let net = Network::new(
            vec![
                relu(array![[1.0, 0.0], [0.0, 1.0]], array![0.1, -0.1]),
                relu(array![[1.0, -1.0], [1.0, 1.0]], array![-0.5, -0.5]),
                Layer::new(array![[1.0, 1.0]], array![0.0], Activation::Linear),
            ],
            None,
        )
        .unwrap();
        (net, InputBox::new(vec![-1.0; 2], vec![1.0; 2]).unwrap())
    }

    #[test]
    fn running_out_of_time_at_the_last_neuron_of_a_layer_is_reported() {
        let (net, b) = network();
        let options = RegionOptions {
            parallel: false,
            ..RegionOptions::default()
        };
        let run = |budget: usize| {
            let calls = AtomicUsize::new(budget);
            partition::<Budgeted>(
                &net,
                &b,
                (),
                &calls,
                1e-9,
                &options,
                None,
                &TaskControl::default(),
                None,
            )
            .unwrap()
        };
        // Enough LPs: one region, every neuron decided.
        let full = run(100);
        assert_eq!((full.stopped, full.cells[0].phases.len()), (None, 4));
        // Out of time at the last neuron of layer 1, then at every neuron in between.
        for budget in 0..4 {
            let cut = run(budget);
            assert_eq!(cut.stopped, Some(StopReason::TimeLimit), "budget {budget}");
            assert!(
                cut.cells.iter().all(|c| c.phases.len() < 4),
                "budget {budget}"
            );
        }
    }
}
