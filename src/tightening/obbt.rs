//! Optimization-based bound tightening (OBBT), LP- and MILP-based.
//!
//! Layers in forward order. The first hidden layer keeps its interval bounds (exact on a
//! box). For every neuron `i` of layer `k ≥ 2` (the output layer included),
//! `Lᵢ = min aᵏᵢ` and `Uᵢ = max aᵏᵢ` over the big-M model of layers `1..k−1` built with the
//! bounds tightened so far (stable neurons fixed, no binary), with the binaries relaxed to
//! `[0, 1]` (LP-OBBT) or kept (MILP-OBBT, per-neuron time limit, the solver's dual bound —
//! never the incumbent — on a time limit). The result is intersected with the symbolic
//! bounds of layer `k`, which also include interval arithmetic on the tightened layer `k−1`,
//! and stability is re-classified before moving on.
//!
//! Work saved: a neuron already stably inactive (`U ≤ 0`) needs no LP; the maximum is solved
//! first and if it proves `U ≤ 0` the minimum is skipped (the lower bound of an inactive
//! neuron plays no role in the MILP). MILP-OBBT runs only on neurons that the LP leaves
//! unstable. The LPs run on [`crate::lp::DenseSimplex`] over the triangle
//! relaxation (one long-lived worker thread per core, each extending its model layer by
//! layer, HiGHS only for an LP the dense simplex cannot certify); the neurons of a layer
//! sit in one queue that the workers take from, so no worker idles while another has a
//! backlog. MILPs run on HiGHS, one model per rayon thread, from the same kind of queue.
//!
//! With constraints on the outputs ([`lp_obbt_constrained`]) each LP encodes the whole
//! network — layers before `k` with their tightened bounds, layer `k` and later with their
//! symbolic ones — plus the constraint rows, and optimises `aᵏᵢ` over that: the bounds then
//! hold on the feasible set only. They are intersected with the bounds of OBBT without the
//! constraints, computed first, so that they are at least as tight whatever the rounding (the
//! symbolic bounds they are intersected with are not monotone in the earlier layers' bounds).
//! The first hidden layer is tightened too (the box alone no longer makes interval bounds
//! exact).
//!
//! Soundness under floating point: every optimization-based bound `v` is widened outward by
//! [`SAFETY_MARGIN`]` · (1 + |v|)`: HiGHS works to tolerances of ~1e-7 on scaled values, and
//! although the dense simplex returns certified dual bounds, the margin keeps one rule for both.

use super::lp_workers::{LpJob, LpWorkers};
use super::neuron_queue::NeuronQueue;
use crate::bounds::{
    BoundMethod, BoundsError, LayerBounds, NetworkBounds, NeuronState, neuron_state, symbolic_layer,
};
use crate::control::TaskControl;
use crate::formulation::{AffineExpr, Encoding, NetworkModel, OutputConstraint};
use crate::lp::{LpOracle, ObjectiveOracle};
use crate::network::{Activation, InputBox, Network};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Relative outward widening of every LP/MILP bound: `v ± SAFETY_MARGIN · (1 + |v|)`.
pub const SAFETY_MARGIN: f64 = 1e-7;

/// Settings of OBBT.
#[derive(Debug, Clone, PartialEq)]
pub struct ObbtOptions {
    /// Skip the LPs whose result cannot change the MILP (bounds of inactive neurons).
    /// Turn off to compute every bound, e.g. to compare with a reference.
    pub skip_irrelevant: bool,
    /// Per-neuron time limit of each MILP (MILP-OBBT only), in seconds.
    pub milp_time_limit: f64,
}

impl Default for ObbtOptions {
    fn default() -> Self {
        Self {
            skip_irrelevant: true,
            milp_time_limit: 1.0,
        }
    }
}

/// LP-based OBBT (see the module docs).
pub fn lp_obbt(
    network: &Network,
    input_box: &InputBox,
    options: &ObbtOptions,
    control: &TaskControl,
) -> Result<NetworkBounds, BoundsError> {
    obbt(
        network,
        input_box,
        options,
        Restriction::default(),
        control,
        false,
    )
}

/// LP-based OBBT over the points of the box whose outputs satisfy `constraints` (see the
/// module docs); `with_milp` adds MILP-based OBBT as in [`milp_obbt`]. The bounds are valid
/// on the feasible set only; an empty feasible set leaves LPs unsolved, and their neurons
/// keep symbolic bounds.
pub fn lp_obbt_constrained(
    network: &Network,
    input_box: &InputBox,
    options: &ObbtOptions,
    constraints: &[OutputConstraint],
    control: &TaskControl,
    with_milp: bool,
) -> Result<NetworkBounds, BoundsError> {
    if constraints.is_empty() {
        return obbt(
            network,
            input_box,
            options,
            Restriction::default(),
            control,
            with_milp,
        );
    }
    let free = obbt(
        network,
        input_box,
        options,
        Restriction::default(),
        control,
        with_milp,
    )?;
    let restriction = Restriction {
        constraints,
        known: Some(&free.layers),
    };
    let mut bounds = obbt(network, input_box, options, restriction, control, with_milp)?;
    bounds.time += free.time;
    bounds.lps_solved += free.lps_solved;
    bounds.lp_iterations += free.lp_iterations;
    bounds.lps_by_highs += free.lps_by_highs;
    bounds.stopped = bounds.stopped.or(free.stopped);
    Ok(bounds)
}

/// LP-based then MILP-based OBBT on the neurons the LP leaves unstable.
pub fn milp_obbt(
    network: &Network,
    input_box: &InputBox,
    options: &ObbtOptions,
    control: &TaskControl,
) -> Result<NetworkBounds, BoundsError> {
    obbt(
        network,
        input_box,
        options,
        Restriction::default(),
        control,
        true,
    )
}

/// Which optimisations a neuron needs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sides {
    None,
    /// Maximise, then minimise unless the maximum proves the neuron inactive.
    UpperThenLower,
}

fn sides_needed(activation: Activation, l: f64, u: f64, skip: bool) -> Sides {
    if !skip {
        return Sides::UpperThenLower;
    }
    match neuron_state(activation, l, u) {
        NeuronState::StablyInactive | NeuronState::StablySaturated => Sides::None,
        _ => Sides::UpperThenLower,
    }
}

/// `v − margin`, then down to the next `f32` value.
///
/// The last step is for reproducibility, not soundness: which thread solves which neuron
/// changes from run to run, and so does the rounding of its LP (≈ 10⁻¹⁴ relative); that is
/// enough to send branch and bound down another path. On the `f32` grid (2⁻²⁴ ≈ 6·10⁻⁸
/// relative, below the margin) such differences almost never survive.
fn widen_down(v: f64) -> f64 {
    let w = v - SAFETY_MARGIN * (1.0 + v.abs());
    let f = w as f32;
    match f64::from(f) {
        _ if !f.is_finite() => w,
        g if g > w => f64::from(f.next_down()),
        g => g,
    }
}

/// `v + margin`, then up to the next `f32` value (see [`widen_down`]).
fn widen_up(v: f64) -> f64 {
    -widen_down(-v)
}

/// What OBBT is restricted to: the points whose outputs satisfy `constraints`, where `known`
/// bounds (e.g. those without the constraints) hold and are intersected into every layer.
#[derive(Clone, Copy, Default)]
struct Restriction<'a> {
    constraints: &'a [OutputConstraint],
    known: Option<&'a [LayerBounds]>,
}

/// OBBT over the points `restriction` allows.
fn obbt(
    network: &Network,
    input_box: &InputBox,
    options: &ObbtOptions,
    restriction: Restriction,
    control: &TaskControl,
    with_milp: bool,
) -> Result<NetworkBounds, BoundsError> {
    let start = Instant::now();
    let threads = rayon::current_num_threads().max(1);
    let (layers, lps_solved, lp_iterations, lps_by_highs, stopped) = std::thread::scope(|scope| {
        let workers = LpWorkers::start(scope, threads, control, solve_chunk);
        obbt_layers(
            network,
            input_box,
            options,
            restriction,
            control,
            with_milp,
            &workers,
        )
    })?;
    Ok(NetworkBounds {
        method: if with_milp {
            BoundMethod::MilpObbt
        } else {
            BoundMethod::LpObbt
        },
        layers,
        time: start.elapsed(),
        lps_solved,
        lp_iterations,
        lps_by_highs,
        stopped,
    })
}

/// What the layer loop returns: the bounds, LPs, simplex iterations, LPs left to HiGHS, and
/// why it stopped early (if it did).
type ObbtRun = (Vec<LayerBounds>, usize, u64, usize, Option<String>);

/// The layer loop of OBBT; LPs go to the warm `workers`, MILPs to rayon tasks.
fn obbt_layers(
    network: &Network,
    input_box: &InputBox,
    options: &ObbtOptions,
    restriction: Restriction,
    control: &TaskControl,
    with_milp: bool,
    workers: &LpWorkers,
) -> Result<ObbtRun, BoundsError> {
    let Restriction { constraints, known } = restriction;
    let layers = network.layers();
    let constrained = !constraints.is_empty();
    // Without constraints the first layer's interval bounds are exact on the box.
    let first = usize::from(!constrained);
    let mut bounds: Vec<LayerBounds> = Vec::with_capacity(layers.len());
    if !constrained {
        bounds.push(symbolic_layer(network, input_box, &[], 0));
    }
    let solved = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let mut iterations = 0;
    let mut by_highs = 0;
    let total_neurons: usize = layers[first..].iter().map(|l| l.outputs()).sum();
    let mut done_neurons = 0;
    let mut stopped = None;
    for k in first..layers.len() {
        if control.is_cancelled() {
            return Err(BoundsError::Cancelled);
        }
        let mut initial = symbolic_layer(network, input_box, &bounds, k);
        if let Some(known) = known {
            initial.intersect(&known[k]);
        }
        if stopped.is_some() || control.past_deadline() {
            // Out of time: the symbolic bounds are valid, only looser.
            stopped.get_or_insert_with(|| time_limit_note(k));
            bounds.push(initial);
            continue;
        }
        // The activation that decides which sides matter is the one applied to layer k.
        let activation = layers[k].activation;
        let (lp_model, exprs) = layer_model(
            network,
            input_box,
            &bounds,
            k,
            restriction,
            Encoding::Triangle,
        )?;
        let candidates: Vec<usize> = (0..initial.len())
            .filter(|&i| {
                sides_needed(
                    activation,
                    initial.lower[i],
                    initial.upper[i],
                    options.skip_irrelevant,
                ) != Sides::None
            })
            .collect();
        let ordered = if candidates.is_empty() {
            candidates
        } else {
            similarity_order(&exprs, &candidates)
        };
        // One queue for all workers: whoever is free takes the next neuron, so a worker that
        // drew harder LPs does not hold up the layer.
        let queue = Arc::new(NeuronQueue::new(ordered));
        let model = Arc::new(lp_model.model);
        let exprs = Arc::new(exprs);
        let shared_initial = Arc::new(initial.clone());
        let jobs = (0..workers.len())
            .map(|_| LpJob {
                model: Arc::clone(&model),
                exprs: Arc::clone(&exprs),
                queue: Arc::clone(&queue),
                initial: Arc::clone(&shared_initial),
                activation,
                skip: options.skip_irrelevant,
            })
            .collect();
        let work = workers.run(jobs)?;
        solved.fetch_add(work.lps, Ordering::Relaxed);
        iterations += work.iterations;
        by_highs += work.by_highs;
        failed.fetch_add(work.failed, Ordering::Relaxed);
        let mut layer = initial;
        for (i, lower, upper) in work.found {
            // Never report L > U: the widening and the intersection can only cross by rounding.
            layer.lower[i] = lower.min(upper);
            layer.upper[i] = upper.max(lower);
        }
        if control.past_deadline() {
            // Neurons no worker took keep their symbolic bounds.
            stopped = Some(time_limit_note(k));
        }
        let milp_time_limit = control.remaining().map_or(options.milp_time_limit, |r| {
            options.milp_time_limit.min(r.as_secs_f64())
        });
        if with_milp && stopped.is_none() && milp_time_limit > 0.0 {
            // Only neurons the LP leaves unstable can still change state.
            let unstable: Vec<usize> = (0..layer.len())
                .filter(|&i| !neuron_state(activation, layer.lower[i], layer.upper[i]).is_stable())
                .collect();
            if !unstable.is_empty() {
                let (milp_model, milp_exprs) =
                    layer_model(network, input_box, &bounds, k, restriction, Encoding::BigM)?;
                layer = tighten_layer(
                    &milp_model,
                    &milp_exprs,
                    &layer,
                    &unstable,
                    activation,
                    options.skip_irrelevant,
                    Some(milp_time_limit),
                    control,
                    &solved,
                    &failed,
                )?;
            }
        }
        done_neurons += layers[k].outputs();
        control.report(
            done_neurons as f64 / total_neurons.max(1) as f64,
            &format!("layer {} of {}", k + 1, layers.len()),
        );
        bounds.push(layer);
    }
    let failed = failed.into_inner();
    if failed > 0 {
        let why = if constraints.is_empty() {
            "numerical trouble"
        } else {
            "numerical trouble, or constraints that no point satisfies"
        };
        let note = format!(
            "{failed} LP(s) could not be solved ({why}); those sides keep their symbolic \
             bounds (valid, looser)"
        );
        stopped = Some(match stopped {
            Some(time) => format!("{time}; {note}"),
            None => note,
        });
    }
    Ok((bounds, solved.into_inner(), iterations, by_highs, stopped))
}

/// The model whose optimisation bounds layer `k`, and the objectives `aᵏᵢ` in its columns:
/// layers `< k` with their tightened `bounds`; with constraints also layers `≥ k` (symbolic
/// bounds from the tightened ones, intersected with `known`) and the constraint rows.
fn layer_model(
    network: &Network,
    input_box: &InputBox,
    bounds: &[LayerBounds],
    k: usize,
    restriction: Restriction,
    encoding: Encoding,
) -> Result<(NetworkModel, Vec<AffineExpr>), BoundsError> {
    let Restriction { constraints, known } = restriction;
    let layers = network.layers();
    let failed = |e: crate::formulation::FormulationError| BoundsError::Solver(e.to_string());
    if constraints.is_empty() {
        let model =
            NetworkModel::build_prefix(network, input_box, bounds, encoding).map_err(failed)?;
        // The objectives are expressions in the columns of the model they are optimised over.
        let exprs = model.next_preactivations(&layers[k]);
        return Ok((model, exprs));
    }
    let mut all = bounds.to_vec();
    for j in k..layers.len() - 1 {
        let mut next = symbolic_layer(network, input_box, &all, j);
        if let Some(known) = known {
            next.intersect(&known[j]);
        }
        all.push(next);
    }
    let mut model =
        NetworkModel::build_prefix(network, input_box, &all, encoding).map_err(failed)?;
    model.add_output_constraints(network.output_layer(), constraints);
    let exprs = model.preactivations_at(k, &layers[k]);
    Ok((model, exprs))
}

/// Why OBBT stopped before layer `k` (0-based) was tightened completely.
fn time_limit_note(k: usize) -> String {
    format!(
        "time limit reached at layer {}: from there on the bounds are symbolic (valid, looser)",
        k + 1
    )
}

/// Orders neurons greedily so that each objective points close to the previous one
/// (cosine similarity of the coefficient vectors): a solver starting from the previous
/// optimum (HiGHS, or the dense simplex's crash, which reads it) then has less to change.
fn similarity_order(exprs: &[AffineExpr], neurons: &[usize]) -> Vec<usize> {
    let width = neurons
        .iter()
        .flat_map(|&i| exprs[i].terms.iter().map(|&(c, _)| c + 1))
        .max()
        .unwrap_or(0);
    let vectors: Vec<Vec<f64>> = neurons
        .iter()
        .map(|&i| {
            let mut v = vec![0.0; width];
            for &(c, w) in &exprs[i].terms {
                v[c] += w;
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-300);
            v.iter_mut().for_each(|x| *x /= norm);
            v
        })
        .collect();
    let cosine = |a: usize, b: usize| -> f64 {
        vectors[a].iter().zip(&vectors[b]).map(|(x, y)| x * y).sum()
    };
    let mut order = Vec::with_capacity(neurons.len());
    let mut left: Vec<usize> = (0..neurons.len()).collect();
    let mut current = left.remove(0);
    order.push(neurons[current]);
    while !left.is_empty() {
        let (pos, _) = left
            .iter()
            .enumerate()
            .map(|(p, &j)| (p, cosine(current, j)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("non-empty");
        current = left.remove(pos);
        order.push(neurons[current]);
    }
    order
}

/// Optimises the neurons taken from `queue` on `oracle` until it is empty: the maximum, then
/// the minimum unless the maximum proves it irrelevant. Returns `(neuron, lower, upper)`,
/// widened and intersected with `initial`.
fn solve_chunk(
    oracle: &mut dyn LpOracle,
    exprs: &[AffineExpr],
    queue: &NeuronQueue,
    initial: &LayerBounds,
    activation: Activation,
    skip: bool,
    control: &TaskControl,
) -> Result<Chunk, BoundsError> {
    let mut failed = 0;
    // `None`: the solver could not answer (numerical trouble); the side keeps its bound.
    let mut solve = |i: usize, sign: f64| -> Result<Option<f64>, BoundsError> {
        if control.is_cancelled() {
            return Err(BoundsError::Cancelled);
        }
        let expr = &exprs[i];
        let terms: Vec<_> = expr.terms.iter().map(|&(c, v)| (c, sign * v)).collect();
        Ok(match oracle.minimize(&terms) {
            Ok(bound) => Some(sign * bound.lower_bound + expr.constant),
            Err(_) => {
                failed += 1;
                None
            }
        })
    };
    let mut found = Vec::new();
    // Past the deadline, the neurons left keep their starting bounds (see `obbt_layers`).
    while !control.past_deadline()
        && let Some(i) = queue.pop()
    {
        let upper = solve(i, -1.0)?.map_or(initial.upper[i], |u| widen_up(u).min(initial.upper[i]));
        let lower = if skip && upper <= 0.0 && activation.is_piecewise() {
            initial.lower[i]
        } else {
            solve(i, 1.0)?.map_or(initial.lower[i], |l| widen_down(l).max(initial.lower[i]))
        };
        found.push((i, lower, upper));
    }
    Ok(Chunk { found, failed })
}

/// What one thread found for one layer.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    /// `(neuron, lower, upper)`, widened and intersected with the starting bounds.
    pub found: Vec<(usize, f64, f64)>,
    /// LPs (or MILPs) the solver could not answer; their sides kept the starting bounds.
    pub failed: usize,
}

/// Tightens the bounds `initial` of the listed `neurons` of one layer over `model` with fresh
/// oracles on rayon threads (used for MILPs, which gain nothing from a warm basis); the other
/// neurons keep their bounds.
#[allow(clippy::too_many_arguments)]
fn tighten_layer(
    model: &NetworkModel,
    exprs: &[AffineExpr],
    initial: &LayerBounds,
    neurons: &[usize],
    activation: Activation,
    skip: bool,
    time_limit: Option<f64>,
    control: &TaskControl,
    solved: &AtomicUsize,
    failed: &AtomicUsize,
) -> Result<LayerBounds, BoundsError> {
    let mut out = initial.clone();
    if neurons.is_empty() {
        return Ok(out);
    }
    // One oracle per thread (building one costs several solves), all taking from one queue.
    let threads = rayon::current_num_threads().clamp(1, neurons.len());
    let queue = NeuronQueue::new(similarity_order(exprs, neurons));
    let results: Vec<Chunk> = (0..threads)
        .into_par_iter()
        .map(|_| -> Result<Chunk, BoundsError> {
            let mut oracle = ObjectiveOracle::new(&model.model, time_limit)
                .map_err(|e| BoundsError::Solver(e.to_string()))?;
            let chunk = solve_chunk(
                &mut oracle,
                exprs,
                &queue,
                initial,
                activation,
                skip,
                control,
            )?;
            solved.fetch_add(oracle.solves, Ordering::Relaxed);
            failed.fetch_add(chunk.failed, Ordering::Relaxed);
            Ok(chunk)
        })
        .collect::<Result<_, _>>()?;
    for (i, lower, upper) in results.into_iter().flat_map(|c| c.found) {
        // Never report L > U: the widening and the intersection can only cross by rounding.
        out.lower[i] = lower.min(upper);
        out.upper[i] = upper.max(lower);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_moves_outward_by_the_margin_and_lands_on_the_f32_grid() {
        for v in [0.0, 1.0, -1.0, 3.7e-5, -123.456, 6.02e7, -1e-30] {
            let (down, up) = (widen_down(v), widen_up(v));
            let margin = SAFETY_MARGIN * (1.0 + f64::abs(v));
            // Outward by at least the margin, and by at most the margin plus one f32 step.
            assert!(
                down <= v - margin && up >= v + margin,
                "{v}: [{down}, {up}]"
            );
            let step = 2.0 * f64::from(f32::EPSILON) * (v.abs() + margin);
            assert!(v - margin - down <= step + 1e-45, "{v}: down {down}");
            assert!(up - (v + margin) <= step + 1e-45, "{v}: up {up}");
            assert_eq!(f64::from(down as f32), down);
            assert_eq!(f64::from(up as f32), up);
        }
        // Beyond the f32 range the plain margin is kept.
        assert_eq!(widen_up(1e300), 1e300 + SAFETY_MARGIN * (1.0 + 1e300));
    }
}
