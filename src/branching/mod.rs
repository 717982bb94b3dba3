//! Branch and bound over the input box: the exact optimum for networks with a handful of
//! inputs (measured best at 3–5), where regions are too many to enumerate over the whole box
//! but few on a small part of it.
//!
//! Boxes are kept in a queue ordered by their lower bound `β(B)` (symbolic bounds and a
//! backward relaxation of the objective, in `box_bound.rs`); the incumbent `f̂` is the best
//! forward-evaluated candidate so far (sampled start, each box's centre and bound corner).
//! Each worker (one per core) takes the most promising open box from a shared queue and:
//! - drops a box with `β(B) ≥ f̂ − τ`, where `τ = max(gap · |f̂|, 10⁻⁹)`: it cannot improve `f̂`
//!   by more than the tolerance (a half as soon as it is bounded, never queued);
//! - finishes a box with at most `leaf_unstable` unstable neurons exactly, by enumerating
//!   its linear regions with pruning seeded by `f̂`;
//! - otherwise bisects it along its widest side relative to the root box (the box stays
//!   as near a cube as bisection allows), among those the one with the largest
//!   `|g_j|·(u_j − l_j)` (the side that carries most of the linear bound's slack), and bounds
//!   both halves.
//!
//! Constraints `lower ≤ wᵀf(x) ≤ upper` on the outputs are bounded on each box the same way:
//! a box on which one cannot hold is dropped, only points that satisfy all of them exactly
//! become incumbents (there may be none at first: `f̂ = +∞`), and leaves enumerate their
//! regions under them. A feasibility question (objective 0) ends at its first feasible point;
//! with none when the queue empties, the problem is infeasible.
//!
//! When the queue is empty, every part of the box has been shown to hold nothing better than
//! `f̂ − τ` or has been solved exactly: `f̂` is optimal, with the certificate
//! `best_bound = min(f̂, min over closed boxes of their bound)` and `gap ≤ τ/|f̂|`.

mod box_bound;
mod fixed_inputs;

use crate::control::TaskControl;
use crate::formulation::OutputConstraint;
use crate::milp::{Objective, RootBoxBound, SolveReport, sampled_incumbent};
use crate::network::{InputBox, Network};
use crate::regions::{
    RegionMinimum, RegionOptions, RegionsError, StopReason, minimise_over_regions,
};
use box_bound::{BoxBound, bound_box, fixed_lines_bound};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex};
use std::time::Instant;
use thiserror::Error;

/// Why branching could not run.
#[derive(Debug, Error)]
pub enum BranchError {
    /// The objective or box does not fit the network.
    #[error("{0}")]
    Problem(String),
    /// The exact solve of a small box failed.
    #[error(transparent)]
    Leaf(#[from] RegionsError),
}

/// Settings of [`solve_by_branching`].
#[derive(Debug, Clone, PartialEq)]
pub struct BranchOptions {
    /// Relative tolerance `gap`: a box is dropped once its bound is within
    /// `max(gap · |f̂|, 10⁻⁹)` of the incumbent `f̂` (the MILP's `--gap`).
    pub gap: f64,
    /// Stop after this many seconds (the result is then the best found, not proven).
    pub time_limit: Option<f64>,
    /// Stop (not proven) once this many boxes are open: a memory cap.
    pub max_open_boxes: usize,
    /// Finish a box by enumerating its regions once at most this many hidden neurons are
    /// unstable on it. Far below the default the search needs many more boxes (at 0–1 some
    /// 3–4-input networks reach the 2M-box cap); far above, each leaf enumerates long.
    pub leaf_unstable: usize,
    /// The region cap of a leaf's enumeration (a leaf over it stops the search, not proven).
    pub leaf_max_regions: usize,
    /// Process boxes on as many threads (the calling one and scoped OS threads) as rayon's
    /// pool has cores (`RAYON_NUM_THREADS`), or on the calling thread only. Called from inside
    /// a rayon task, branching runs on that thread alone.
    pub parallel: bool,
}

/// Default `leaf_unstable`. With the chosen slopes (one core, 5-input 2×25 / 3×25 / 2×50 and
/// 4-input 2×50, wall s): 3 → 0.41/1.22/1.01/0.27, 6 → 0.41/1.07/0.90/0.16, 9 →
/// 0.43/1.11/0.91/0.16, 12 → 0.50/1.12/1.06/0.17. Before, with fixed lines, on the 5-input
/// Ackley networks 2×25, 3×25, 2×50 (wall seconds, 2 cores): 4 → 1.7/4.7/2.7, 8 → 1.4/3.7/2.4, 12 → 1.9/4.4/3.1, 25 → 9.3/9.7/10.2,
/// 40 → 28/31/44. Fewer mean more bisections, more mean larger enumerations. Once boxes
/// were bounded 30 % faster, one core, the same three and the 4-input 2×50 and 2×25: 3 →
/// 1.06/4.15/2.15/0.64, 5 → 0.85/2.07/1.25/0.24, 6 → 0.91/1.88/1.23/0.22/0.044, 7 →
/// 0.93/1.94/1.42/0.21/0.048, 8 → 1.04/2.16/1.50/0.20/0.052, 11 → 1.52/2.69/2.18/0.23.
pub const DEFAULT_LEAF_UNSTABLE: usize = 6;

impl Default for BranchOptions {
    fn default() -> Self {
        Self {
            gap: 1e-6,
            time_limit: None,
            max_open_boxes: 2_000_000,
            leaf_unstable: DEFAULT_LEAF_UNSTABLE,
            leaf_max_regions: crate::regions::DEFAULT_MAX_REGIONS,
            parallel: true,
        }
    }
}

/// An open box and its bound.
struct Node {
    input_box: InputBox,
    bound: BoxBound,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// The lowest bound first (`BinaryHeap` is a max-heap), of equal bounds the one furthest
    /// from being ruled out by a constraint.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .lower
            .total_cmp(&self.bound.lower)
            .then(other.bound.excess.total_cmp(&self.bound.excess))
    }
}

/// What processing one box gave.
enum Outcome {
    /// Bisected: the two halves.
    Split(Box<[Node; 2]>),
    /// Solved exactly by its regions: its least value (or the seed incumbent, if nothing in
    /// the box beats it) and, if not finished in time, the bound that remains.
    Leaf { minimum: RegionMinimum, bound: f64 },
}

/// The least tolerance `τ` (the value of `f̂` may be near 0, where a relative gap means
/// nothing): HiGHS's default `mip_abs_gap` is 1e-6, this is tighter.
const ABSOLUTE_GAP: f64 = 1e-9;

/// The cutoff `f̂ − τ`, `τ = max(gap · |f̂|, 10⁻⁹)`, at incumbent value `f̂`: a box whose
/// bound reaches it cannot improve `f̂` by more than the tolerance. Without an incumbent
/// (`f̂ = +∞`: no feasible point known yet) only an empty box (`β = +∞`) reaches it.
fn cutoff_at(gap: f64, incumbent: f64) -> f64 {
    if incumbent == f64::INFINITY {
        return f64::INFINITY;
    }
    incumbent - (gap * incumbent.abs()).max(ABSOLUTE_GAP)
}

/// How long an idle worker waits for a busy one before it checks the clock and Cancel again.
const IDLE_WAIT: std::time::Duration = std::time::Duration::from_millis(20);

/// Progress is reported every this many boxes taken.
const REPORT_EVERY: u64 = 64;

/// The search shared by the workers: each takes the open box with the least bound, processes
/// it without the lock and merges the outcome. No rounds: a worker never waits for the
/// slowest box of a batch (with rounds of 16 boxes per worker, two cores ran at 70 %
/// efficiency on 5-input networks).
struct Search<'a> {
    network: &'a Network,
    weights: &'a [f64],
    /// The objective's constraints, normalised.
    constraints: &'a [OutputConstraint],
    options: &'a BranchOptions,
    control: &'a TaskControl,
    deadline: Option<Instant>,
    root_widths: &'a [f64],
    root_bound: f64,
    state: Mutex<SearchState>,
    /// Signalled when boxes are pushed, the search stops or the last busy worker finishes.
    changed: Condvar,
}

/// What the workers share under the lock.
struct SearchState {
    queue: BinaryHeap<Node>,
    /// The best feasible point and its value (`+∞` with no point while none is known).
    incumbent: (Vec<f64>, f64),
    /// The least bound of the boxes dropped or finished.
    closed_bound: f64,
    nodes: u64,
    lps: u64,
    /// Workers processing a box (the search is over when the queue is empty and none is).
    busy: usize,
    /// Workers waiting for a busy one to push boxes or finish.
    idle: usize,
    /// Boxes taken so far (for progress reports).
    taken: u64,
    stop: Option<&'static str>,
    error: Option<BranchError>,
}

impl Search<'_> {
    /// One worker's loop, until the queue is empty and no worker is busy, or a stop.
    fn work(&self) {
        let mut state = self.lock();
        loop {
            if state.stop.is_some() || state.error.is_some() {
                break;
            }
            let stop = if self.control.is_cancelled() {
                Some("cancelled")
            } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
                Some("time_limit")
            } else if state.queue.len() > self.options.max_open_boxes {
                Some("box cap")
            } else {
                None
            };
            if stop.is_some() {
                state.stop = stop;
                break;
            }
            let cutoff = cutoff_at(self.options.gap, state.incumbent.1);
            match state.queue.pop() {
                Some(node) if node.bound.lower >= cutoff => {
                    // The queue is ordered: every remaining box is dropped too.
                    let least = node.bound.lower;
                    state.closed_bound = state.closed_bound.min(least);
                    state.queue.clear();
                }
                Some(node) => {
                    state.busy += 1;
                    state.taken += 1;
                    // How much of the root's gap has been closed (reported without the lock).
                    let progress = (state.taken % REPORT_EVERY == 1).then(|| {
                        let (best, lowest) = (state.incumbent.1, node.bound.lower);
                        let closed = 1.0 - (best - lowest) / (best - self.root_bound).max(1e-300);
                        // No incumbent yet (or unbounded bounds): nothing closed to report.
                        let closed = if closed.is_finite() { closed } else { 0.0 };
                        (closed, state.queue.len() + 1)
                    });
                    let seed = state.incumbent.clone();
                    drop(state);
                    if let Some((closed, open)) = progress {
                        self.control.report(closed, &format!("{open} open boxes"));
                    }
                    // A panic while processing a box becomes an error: left uncaught it would
                    // leave the box counted as busy, and the other workers waiting for it.
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        process_box(
                            self.network,
                            self.weights,
                            self.constraints,
                            node,
                            self.options,
                            self.control,
                            self.deadline,
                            &seed,
                            cutoff,
                            self.root_widths,
                        )
                    }))
                    .unwrap_or_else(|_| {
                        Err(BranchError::Problem(
                            "a branching worker panicked while processing a box".into(),
                        ))
                    });
                    state = self.lock();
                    state.busy -= 1;
                    self.merge(&mut state, outcome);
                    // A wake-up is a system call: only when a worker waits for one.
                    if state.idle > 0 {
                        self.changed.notify_all();
                    }
                }
                None if state.busy == 0 => break,
                None => {
                    state.idle += 1;
                    state = match self.changed.wait_timeout(state, IDLE_WAIT) {
                        Ok((guard, _)) => guard,
                        Err(poisoned) => poisoned.into_inner().0,
                    };
                    state.idle -= 1;
                }
            }
        }
        self.changed.notify_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SearchState> {
        // No panic can happen under the lock (processing is caught and runs without it), but
        // a poisoned lock would still hold a consistent state between two boxes.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a processed box's halves to the queue, or its exact minimum to the incumbent.
    fn merge(&self, state: &mut SearchState, outcome: Result<Outcome, BranchError>) {
        match outcome {
            Err(e) => {
                state.error.get_or_insert(e);
            }
            Ok(Outcome::Split(halves)) => {
                state.nodes += 2;
                // Both halves' candidates first: the better incumbent closes more at once.
                for half in halves.iter() {
                    offer(&mut state.incumbent, half.bound.candidate.as_ref());
                }
                let cutoff = cutoff_at(self.options.gap, state.incumbent.1);
                for half in *halves {
                    if half.bound.lower >= cutoff {
                        // Closed at once: kept in the queue it would only be dropped later,
                        // and the queue's memory (its first touch: page faults) cost 7–15 %
                        // of the time on 5-input networks.
                        state.closed_bound = state.closed_bound.min(half.bound.lower);
                    } else {
                        state.queue.push(half);
                    }
                }
            }
            Ok(Outcome::Leaf { minimum, bound }) => {
                state.lps += minimum.lps as u64;
                if let Some((value, x)) = minimum.best {
                    offer(&mut state.incumbent, Some(&(x, value)));
                }
                let stop = match minimum.stopped {
                    None => None,
                    Some(StopReason::Cancelled) => Some("cancelled"),
                    Some(StopReason::TimeLimit) => Some("time_limit"),
                    Some(_) => Some("leaf cap"),
                };
                if let Some(s) = stop {
                    state.stop.get_or_insert(s);
                }
                state.closed_bound = state.closed_bound.min(bound);
            }
        }
    }
}

/// Minimises (or maximises) `objective` over `input_box` by branch and bound over the input
/// box (see the [module doc](self)).
///
/// The [`SolveReport`] fields mean: `status` `optimal` when the queue emptied, `time_limit`
/// or `cancelled` when stopped (with the best found), `other` with `status_detail` when the
/// box cap stopped it; `objective` the incumbent, `best_bound` the certificate, `gap` their
/// relative difference; `nodes` the boxes bounded; `lp_iterations` the LPs of the exact
/// leaves; `x`, `forward_value`, `forward_difference` as for the MILP; `variables` the input
/// dimension; `build_time_s` the sampled start.
pub fn solve_by_branching(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    options: &BranchOptions,
    control: &TaskControl,
) -> Result<SolveReport, BranchError> {
    let started = Instant::now();
    objective
        .check_fits(network.output_dim())
        .map_err(|e| BranchError::Problem(e.to_string()))?;
    if input_box.dim() != network.input_dim() {
        return Err(BranchError::Problem(format!(
            "the box has {} dimension(s) but the network has {} input(s)",
            input_box.dim(),
            network.input_dim()
        )));
    }
    if input_box
        .lower()
        .iter()
        .zip(input_box.upper())
        .any(|(l, u)| l == u)
    {
        return fixed_inputs::solve_with_fixed_inputs(
            network, input_box, objective, options, control,
        );
    }
    let deadline = control
        .deadline
        .into_iter()
        .chain(crate::control::deadline_after(started, options.time_limit))
        .min();
    let sign = objective.sense.sign();
    let weights: Vec<f64> = objective.weights.iter().map(|c| sign * c).collect();
    let constraints: Vec<OutputConstraint> = objective
        .constraints
        .iter()
        .map(OutputConstraint::normalized)
        .collect();
    // With constraints no sample may satisfy them: then no incumbent yet (`+∞`).
    let start = sampled_incumbent(network, input_box, objective, 512, 0);
    let mut incumbent = start.as_ref().map_or((Vec::new(), f64::INFINITY), |s| {
        (s.x.clone(), sign * s.objective)
    });
    let build_time = started.elapsed().as_secs_f64();

    let root = Node {
        bound: bound_box(
            network,
            &weights,
            &constraints,
            input_box,
            None,
            f64::INFINITY,
        ),
        input_box: input_box.clone(),
    };
    let root_bound = root.bound.lower;
    let root_fixed_lines = fixed_lines_bound(network, &weights, input_box, &root.bound);
    // A zero-width side is never split (its relative width is taken as 0).
    let root_widths: Vec<f64> = input_box
        .lower()
        .iter()
        .zip(input_box.upper())
        .map(|(l, u)| if u > l { u - l } else { f64::INFINITY })
        .collect();
    offer(&mut incumbent, root.bound.candidate.as_ref());
    let mut queue = BinaryHeap::new();
    queue.push(root);
    // Inside a rayon task (a problem's alternatives solved in parallel) the pool's cores are
    // already busy: no more threads then.
    let threads = if options.parallel && rayon::current_thread_index().is_none() {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    let search = Search {
        network,
        weights: &weights,
        constraints: &constraints,
        options,
        control,
        deadline,
        root_widths: &root_widths,
        root_bound,
        state: Mutex::new(SearchState {
            queue,
            incumbent,
            closed_bound: f64::INFINITY,
            nodes: 1,
            lps: 0,
            busy: 0,
            idle: 0,
            taken: 0,
            stop: None,
            error: None,
        }),
        changed: Condvar::new(),
    };
    // Every worker on a thread of its own, the caller only waiting: a binary may give its
    // main thread another allocator (reluscope's: glibc's, where the workers' many small
    // vectors took 18 % longer on 5-input 2×25) than its other threads.
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| search.work());
        }
    });
    let state = search
        .state
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(error) = state.error {
        return Err(error);
    }
    let SearchState {
        queue,
        incumbent,
        closed_bound,
        nodes,
        lps,
        stop,
        ..
    } = state;
    // The queue is ordered: its top holds the least bound.
    let open_bound = queue.peek().map_or(f64::INFINITY, |n| n.bound.lower);
    release_in_background(queue);
    let best_bound = incumbent.1.min(closed_bound).min(open_bound);
    let found = incumbent.1 < f64::INFINITY;
    let (status, detail) = match stop {
        // Every box dropped or finished, none holding a feasible point.
        None if !found => ("infeasible", None),
        None => ("optimal", None),
        Some("box cap") => (
            "other",
            Some(format!(
                "stopped with more than {} open boxes: the objective is the best found, not \
                 proven optimal",
                options.max_open_boxes
            )),
        ),
        Some("leaf cap") => (
            "other",
            Some(
                "a small box's region enumeration reached its region or memory cap: the \
                 objective is the best found, not proven optimal"
                    .to_string(),
            ),
        ),
        Some(s) => (s, None),
    };
    let (x, value) = incumbent;
    let mut report = SolveReport {
        status: status.to_string(),
        status_detail: detail,
        objective_description: objective.describe(),
        nodes,
        lp_iterations: lps,
        time_s: started.elapsed().as_secs_f64(),
        build_time_s: build_time,
        start_objective: start.map(|s| s.objective),
        variables: network.input_dim(),
        root_box_bound: root_bound.is_finite().then_some(RootBoxBound {
            fixed_lines: sign * root_fixed_lines,
            chosen_slopes: sign * root_bound,
        }),
        ..SolveReport::default()
    };
    if found {
        let forward_value = objective.value(&network.forward(&x));
        report.objective = Some(sign * value);
        report.best_bound = Some(sign * best_bound);
        report.gap = Some((value - best_bound).max(0.0) / value.abs().max(1e-12));
        report.forward_difference = Some((forward_value - sign * value).abs());
        report.forward_value = Some(forward_value);
        report.x = Some(x);
    }
    report.check_against(network, objective);
    Ok(report)
}

/// From this many open boxes, a stopped search's queue is freed on a thread of its own.
const BACKGROUND_RELEASE_FROM: usize = 10_000;

/// Frees a stopped search's open boxes without keeping the caller waiting: at a time limit
/// they may be hundreds of thousands, a dozen allocations each, which took 0.2–0.5 s past
/// the limit (5-input 6×50, 30–60 s limits). Small queues, or when no thread can be
/// started, are freed here.
fn release_in_background(queue: BinaryHeap<Node>) {
    if queue.len() < BACKGROUND_RELEASE_FROM {
        return;
    }
    // On failure the closure, and the queue with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("branching-release".into())
        .spawn(move || drop(queue));
}

/// Replaces the incumbent by `candidate` if it is better.
fn offer(incumbent: &mut (Vec<f64>, f64), candidate: Option<&(Vec<f64>, f64)>) {
    if let Some(candidate) = candidate.filter(|c| c.1 < incumbent.1) {
        *incumbent = candidate.clone();
    }
}

/// Bisects a box, or solves it exactly when few of its neurons are unstable.
#[allow(clippy::too_many_arguments)]
fn process_box(
    network: &Network,
    weights: &[f64],
    constraints: &[OutputConstraint],
    node: Node,
    options: &BranchOptions,
    control: &TaskControl,
    deadline: Option<Instant>,
    incumbent: &(Vec<f64>, f64),
    cutoff: f64,
    root_widths: &[f64],
) -> Result<Outcome, BranchError> {
    let (lo, hi) = (node.input_box.lower(), node.input_box.upper());
    let widest = lo
        .iter()
        .zip(hi)
        .map(|(l, u)| u - l)
        .fold(0.0_f64, f64::max);
    let scale = lo
        .iter()
        .zip(hi)
        .map(|(l, u)| l.abs().max(u.abs()))
        .fold(1.0_f64, f64::max);
    // A box too thin to bisect in f64 is finished exactly too, however many neurons remain.
    if node.bound.unstable <= options.leaf_unstable || widest <= 1e-9 * scale {
        let regions = RegionOptions {
            time_limit: deadline.map(|d| {
                d.saturating_duration_since(Instant::now())
                    .as_secs_f64()
                    .max(1e-3)
            }),
            max_regions: options.leaf_max_regions,
            parallel: false,
            prune: true,
            ..RegionOptions::default()
        };
        let minimum = minimise_over_regions(
            network,
            &node.input_box,
            weights,
            constraints,
            &regions,
            control,
            incumbent.1.is_finite().then(|| incumbent.clone()),
        )?;
        // Finished: nothing in the box is below its minimum (or the seed incumbent, when it
        // pruned everything), or nothing in it is feasible. Stopped: only the box's own bound
        // holds.
        let bound = match (&minimum.best, minimum.stopped) {
            (Some((value, _)), None) => *value,
            (None, None) => f64::INFINITY,
            _ => node.bound.lower,
        };
        return Ok(Outcome::Leaf { minimum, bound });
    }
    // The side carrying most of the bound's slack among the widest (relative to the root
    // box; bisection makes the others at most half as wide): boxes stay near cubes. Measured
    // one core, `--method branch`, boxes on ten Ackley networks of 3–6 inputs (5-input 2×25,
    // 2×50, 3×25, 3×50, 6-input 2×25): choosing by slack among sides at least a quarter as
    // wide as the widest took 12737/12211/17961/61961/183907 boxes, 0.24–3.6 s; the widest
    // alone 4961/4651/7337/19629/66257, 1.4–3.3× fewer on every network; the widest with ties
    // broken by slack 4593/4749/6943/19791/52609 (a first-layer smear score as tie-break: the
    // same within 5 %).
    let relative: Vec<f64> = (0..lo.len())
        .map(|j| (hi[j] - lo[j]) / root_widths[j])
        .collect();
    let widest_relative = relative.iter().copied().fold(0.0_f64, f64::max);
    let scores = &node.bound.split_scores;
    let side = (0..lo.len())
        .filter(|&j| relative[j] >= 0.75 * widest_relative)
        .max_by(|&a, &b| {
            scores[a]
                .total_cmp(&scores[b])
                .then(relative[a].total_cmp(&relative[b]))
        })
        .unwrap_or(0);
    let middle = 0.5 * (lo[side] + hi[side]);
    let half = |lower: f64, upper: f64| -> Result<Node, BranchError> {
        let mut l = lo.to_vec();
        let mut u = hi.to_vec();
        l[side] = lower;
        u[side] = upper;
        let b = InputBox::new(l, u).map_err(|e| BranchError::Problem(e.to_string()))?;
        Ok(Node {
            bound: bound_box(network, weights, constraints, &b, Some(&node.bound), cutoff),
            input_box: b,
        })
    };
    Ok(Outcome::Split(Box::new([
        half(lo[side], middle)?,
        half(middle, hi[side])?,
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::milp::Sense;
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use crate::regions::solve_by_regions_with;

    fn objective(sense: Sense, seed: u64) -> Objective {
        Objective {
            sense,
            weights: vec![1.0, 0.25 - 0.1 * seed as f64],
            constraints: Vec::new(),
        }
    }

    /// With constraints on the outputs, branching returns the region enumeration's constrained
    /// optimum (or infeasible where it finds no point), on random networks of 3–4 inputs, for
    /// objectives and for feasibility questions, and its point satisfies every constraint.
    #[test]
    fn constrained_branching_agrees_with_the_constrained_region_optimum() {
        use crate::formulation::OutputConstraint;
        let mut infeasible = 0;
        let mut feasible = 0;
        for seed in 0..8u64 {
            let inputs = 3 + (seed % 2) as usize;
            let net = random_network_with(&[inputs, 8, 8, 2], seed, Activation::Relu);
            let b = net.input_box().unwrap().clone();
            // A band on y0 − y1 around a sampled value (feasible), or beyond every sampled
            // value (usually infeasible), and a bound on y1.
            let mut rng = <rand_pcg::Pcg64 as rand::SeedableRng>::seed_from_u64(seed);
            let diffs: Vec<f64> = (0..200)
                .map(|_| {
                    let y = net.forward(&b.sample(&mut rng));
                    y[0] - y[1]
                })
                .collect();
            let max = diffs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mid = diffs[7];
            let band = if seed % 3 == 2 {
                (max + 0.5, max + 1.0)
            } else {
                (mid - 0.05, mid + 0.05)
            };
            let constraints = vec![
                OutputConstraint {
                    weights: vec![1.0, -1.0],
                    lower: band.0,
                    upper: band.1,
                    origin: "band".into(),
                },
                OutputConstraint {
                    weights: vec![0.0, 2.0],
                    lower: f64::NEG_INFINITY,
                    upper: 2.0 * net.forward(&b.center())[1].max(0.0) + 1.0,
                    origin: "cap".into(),
                },
            ];
            for weights in [vec![1.0, 0.3], vec![0.0, 0.0]] {
                let objective = Objective {
                    sense: Sense::Minimize,
                    weights,
                    constraints: constraints.clone(),
                };
                let exact = solve_by_regions_with(
                    &net,
                    &b,
                    &objective,
                    &RegionOptions::default(),
                    &TaskControl::default(),
                )
                .unwrap();
                let r = solve_by_branching(
                    &net,
                    &b,
                    &objective,
                    &BranchOptions::default(),
                    &TaskControl::default(),
                )
                .unwrap();
                assert_eq!(r.status, exact.status, "seed {seed}");
                if r.status == "infeasible" {
                    infeasible += 1;
                    assert!(r.x.is_none() && r.objective.is_none());
                    continue;
                }
                feasible += 1;
                let x = r.x.as_ref().unwrap();
                let y = net.forward(x);
                // Within the constraints' tolerance: a leaf's optimum is an LP vertex, on the
                // boundary up to rounding.
                assert!(constraints.iter().all(|c| c.holds(&y)), "seed {seed}");
                if objective.weights[0] != 0.0 {
                    let (o, e) = (r.objective.unwrap(), exact.objective.unwrap());
                    assert!(
                        (o - e).abs() <= 1e-6 * (1.0 + e.abs()),
                        "seed {seed}: {o} vs {e}"
                    );
                }
            }
        }
        assert!(
            infeasible >= 2 && feasible >= 4,
            "{infeasible} / {feasible}"
        );
    }

    /// Branching returns the optimum of the full region enumeration, proven, on random
    /// networks of 2–4 inputs (ReLU and clipped ReLU, both senses), with leaves both small
    /// (many bisections) and large (few).
    #[test]
    fn branching_finds_the_region_optimum_with_a_certificate() {
        for seed in 0..6u64 {
            let inputs = 2 + (seed % 3) as usize;
            let act = if seed % 2 == 0 {
                Activation::Relu
            } else {
                Activation::ClippedRelu { cap: 1.0 }
            };
            let net = random_network_with(&[inputs, 10, 10, 2], seed, act);
            let b = net.input_box().unwrap().clone();
            for sense in [Sense::Minimize, Sense::Maximize] {
                let objective = objective(sense, seed);
                let exact = solve_by_regions_with(
                    &net,
                    &b,
                    &objective,
                    &RegionOptions {
                        prune: false,
                        ..RegionOptions::default()
                    },
                    &TaskControl::default(),
                )
                .unwrap()
                .objective
                .unwrap();
                for leaf_unstable in [3, 30] {
                    let options = BranchOptions {
                        leaf_unstable,
                        ..BranchOptions::default()
                    };
                    let r =
                        solve_by_branching(&net, &b, &objective, &options, &TaskControl::default())
                            .unwrap();
                    let o = r.objective.unwrap();
                    let tol = 1e-6 * (1.0 + exact.abs());
                    assert_eq!(r.status, "optimal", "seed {seed} leaf {leaf_unstable}");
                    assert!(
                        (o - exact).abs() <= tol,
                        "seed {seed} {sense:?}: {o} vs {exact}"
                    );
                    // The certificate: the bound is on the right side and the gap closed.
                    let bound = r.best_bound.unwrap();
                    match sense {
                        Sense::Minimize => assert!(bound <= o + 1e-12 && bound >= exact - tol),
                        Sense::Maximize => assert!(bound >= o - 1e-12 && bound <= exact + tol),
                    }
                    assert!((o - bound).abs() <= options.gap * o.abs() + ABSOLUTE_GAP + 1e-12);
                    // The root bound: the chosen slopes never weaker than the fixed lines,
                    // and both on the right side of the optimum.
                    let root = r.root_box_bound.unwrap();
                    let (fixed, chosen) = match sense {
                        Sense::Minimize => (root.fixed_lines, root.chosen_slopes),
                        Sense::Maximize => (-root.fixed_lines, -root.chosen_slopes),
                    };
                    let optimum = sense.sign() * exact;
                    assert!(fixed <= chosen + 1e-12, "seed {seed}: {root:?}");
                    assert!(chosen <= optimum + tol, "seed {seed}: {root:?} vs {exact}");
                    let x = r.x.as_ref().unwrap();
                    assert!(b.contains(x, 0.0));
                    assert!((objective.value(&net.forward(x)) - o).abs() <= 1e-9 * (1.0 + o.abs()));
                }
            }
        }
    }

    /// A time limit ends the search with a true (forward-checked) value that is not claimed
    /// optimal, and a bound below it.
    #[test]
    fn a_time_limit_stops_with_the_best_found() {
        let net = random_network_with(&[5, 40, 40, 40, 1], 3, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let objective = Objective {
            sense: Sense::Minimize,
            weights: vec![1.0],
            constraints: Vec::new(),
        };
        let options = BranchOptions {
            time_limit: Some(0.05),
            leaf_unstable: 0,
            ..BranchOptions::default()
        };
        let r =
            solve_by_branching(&net, &b, &objective, &options, &TaskControl::default()).unwrap();
        assert_eq!(r.status, "time_limit");
        let (o, bound) = (r.objective.unwrap(), r.best_bound.unwrap());
        assert!(bound < o);
        assert!((r.forward_value.unwrap() - o).abs() < 1e-9);
    }

    /// Zero-width sides are constants: the optimum equals the free inputs' optimum over the
    /// network with those inputs fixed (checked against the region solver on a thin box), and
    /// a box that is a single point gives that point's value.
    #[test]
    fn zero_width_sides_are_fixed_inputs() {
        let net = random_network_with(&[3, 10, 10, 1], 5, Activation::Relu);
        let objective = Objective {
            sense: Sense::Minimize,
            weights: vec![1.0],
            constraints: Vec::new(),
        };
        let flat = InputBox::new(vec![-1.0, 0.3, -1.0], vec![1.0, 0.3, 1.0]).unwrap();
        let r = solve_by_branching(
            &net,
            &flat,
            &objective,
            &BranchOptions::default(),
            &TaskControl::default(),
        )
        .unwrap();
        assert_eq!(r.status, "optimal");
        let x = r.x.clone().unwrap();
        assert_eq!(x.len(), 3);
        assert_eq!(x[1], 0.3);
        let o = r.objective.unwrap();
        assert!((net.forward(&x)[0] - o).abs() < 1e-9);
        // The region solver on a box only 1e-9 thick around the fixed value agrees.
        let thin = InputBox::new(vec![-1.0, 0.3, -1.0], vec![1.0, 0.3 + 1e-9, 1.0]).unwrap();
        let exact = solve_by_regions_with(
            &net,
            &thin,
            &objective,
            &RegionOptions::default(),
            &TaskControl::default(),
        )
        .unwrap()
        .objective
        .unwrap();
        assert!(
            (o - exact).abs() <= 1e-6 * (1.0 + exact.abs()),
            "{o} vs {exact}"
        );
        let point = InputBox::new(vec![0.1, 0.2, 0.3], vec![0.1, 0.2, 0.3]).unwrap();
        let p = solve_by_branching(
            &net,
            &point,
            &objective,
            &BranchOptions::default(),
            &TaskControl::default(),
        )
        .unwrap();
        assert_eq!(p.status, "optimal");
        assert_eq!(p.objective.unwrap(), net.forward(&[0.1, 0.2, 0.3])[0]);
    }

    #[test]
    fn a_mismatched_objective_or_box_is_an_error() {
        let net = random_network_with(&[3, 4, 1], 1, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let two = Objective {
            sense: Sense::Minimize,
            weights: vec![1.0, 1.0],
            constraints: Vec::new(),
        };
        let err = solve_by_branching(
            &net,
            &b,
            &two,
            &BranchOptions::default(),
            &TaskControl::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("2 weight(s)"), "{err}");
        let wrong = InputBox::new(vec![0.0; 2], vec![1.0; 2]).unwrap();
        let one = Objective {
            sense: Sense::Minimize,
            weights: vec![1.0],
            constraints: Vec::new(),
        };
        let err = solve_by_branching(
            &net,
            &wrong,
            &one,
            &BranchOptions::default(),
            &TaskControl::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("2 dimension(s)"), "{err}");
    }
}
