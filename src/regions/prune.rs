//! Bound and prune: the region optimum drops every cell that provably cannot beat the best
//! value found so far, before splitting it further.
//!
//! When a cell `R` is about to be split by hidden layer `k`, the phases of layers `< k` are
//! fixed on it, so the pre-activations `aᵏ = A x + a₀` are affine on `R`. The bound takes
//! 1. the range of each `aᵏᵢ` over `R` (exact on a polygon, over its bounding box otherwise),
//!    intersected with the bounds over the whole box;
//! 2. interval arithmetic from there for the pre-activation bounds `[lʲ, uʲ]` of layers
//!    `j > k`, again intersected with the whole-box bounds;
//! 3. a backward linear relaxation (CROWN) of the objective `vᵀσ(aᴸ)` down to `aᵏ`: each
//!    `σ(aʲᵢ)` is replaced by its lower line on `[lʲᵢ, uʲᵢ]` where the coefficient is positive
//!    and its upper line where it is negative, giving `vᵀσ(aᴸ) ≥ λᵀaᵏ + μ` on `R`, hence
//!    `≥ min_{x∈R} (λᵀA) x + λᵀa₀ + μ`.
//!
//! The larger of that bound and the interval bound of step 2 is the cell's lower bound `β`. A
//! cell with `β > f̂ + τ` (`f̂` the incumbent, an objective value attained at a point of the
//! box; `τ` a rounding allowance) holds no point better than `f̂`, and is dropped. The cell
//! holding the optimum is never dropped, and the incumbent itself is kept as a candidate, so
//! the optimum is unchanged. Each kept cell's representative point is forward-evaluated to
//! improve the incumbent as the search goes.
//!
//! With constraints `lower ≤ wᵀf(x) ≤ upper` the same bound applied to `wᵀf` and `−wᵀf` drops
//! every cell on which a constraint cannot hold; only points that satisfy every constraint
//! become incumbents (there may be none yet: the incumbent is then `+∞`). A feasibility
//! question (`v = 0`) drops every cell once one feasible point is known.

use super::refine::Geometry;
use crate::bounds::{LayerBounds, interval_layer, objective_relaxation, symbolic_bounds};
use crate::formulation::OutputConstraint;
use crate::network::{InputBox, Network};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The shared state of a pruned search: objective, whole-box bounds and the incumbent.
pub(crate) struct Pruner {
    /// `v`: the objective as a minimisation over the network outputs.
    weights: Vec<f64>,
    /// Constraints on the outputs; incumbents satisfy them exactly.
    constraints: Vec<OutputConstraint>,
    /// Pre-activation bounds of every layer over the whole box (symbolic).
    global: Vec<LayerBounds>,
    /// The incumbent value `f̂` as f64 bits (read without the lock).
    incumbent: AtomicU64,
    /// The point attaining the incumbent.
    incumbent_x: Mutex<Vec<f64>>,
    /// Cells dropped by bound.
    pub pruned: AtomicUsize,
}

impl Pruner {
    /// A pruner for minimising `weights · f(x)` over `input_box` subject to `constraints`,
    /// starting from the incumbent `start = (x, weights · f(x))` (a feasible point) if one is
    /// known.
    pub(crate) fn new(
        network: &Network,
        input_box: &InputBox,
        weights: Vec<f64>,
        constraints: Vec<OutputConstraint>,
        start: Option<(Vec<f64>, f64)>,
    ) -> Self {
        let (x, value) = start.unwrap_or((Vec::new(), f64::INFINITY));
        Self {
            weights,
            constraints,
            global: symbolic_bounds(network, input_box).layers,
            incumbent: AtomicU64::new(value.to_bits()),
            incumbent_x: Mutex::new(x),
            pruned: AtomicUsize::new(0),
        }
    }

    /// The symbolic pre-activation bounds of every layer over the whole box.
    pub(crate) fn whole_box_bounds(&self) -> &[LayerBounds] {
        &self.global
    }

    /// The best value found so far and its point, if a feasible point is known.
    pub(crate) fn incumbent(&self) -> Option<(f64, Vec<f64>)> {
        let x = self
            .incumbent_x
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        (!x.is_empty()).then(|| (self.value(), x))
    }

    fn value(&self) -> f64 {
        f64::from_bits(self.incumbent.load(Ordering::Relaxed))
    }

    /// Records `value`, attained at `x`, if it beats the incumbent.
    fn offer(&self, value: f64, x: &[f64]) {
        if value.is_nan() || value >= self.value() {
            return;
        }
        let mut best = self.incumbent_x.lock().unwrap_or_else(|e| e.into_inner());
        // Re-check under the lock: another worker may have improved it meanwhile.
        if value < self.value() {
            self.incumbent.store(value.to_bits(), Ordering::Relaxed);
            *best = x.to_vec();
        }
    }

    /// Whether the cell `geometry`, on which layer `k` has pre-activations `A x + a₀`
    /// (`a` row-major, `n_k × d`), can be dropped; offers the representative point of a cell
    /// it keeps.
    pub(crate) fn prunes<G: Geometry>(
        &self,
        network: &Network,
        k: usize,
        a: &[f64],
        a0: &[f64],
        geometry: &G,
    ) -> bool {
        let d = network.input_dim();
        let layers = network.layers();
        let feasibility = self.weights.iter().all(|&w| w == 0.0);
        if feasibility {
            // Any feasible point answers a feasibility question: once one is known, nothing
            // is left to find.
            self.offer_point(network, geometry);
            if self.value().is_finite() {
                return true;
            }
        }
        let incumbent = self.value();
        // Step 1: the ranges of aᵏ over the cell.
        let mut bounds: Vec<LayerBounds> = Vec::with_capacity(layers.len() - k);
        let mut first = LayerBounds {
            lower: Vec::with_capacity(a0.len()),
            upper: Vec::with_capacity(a0.len()),
        };
        for (row, &c) in a.chunks(d).zip(a0) {
            let (lo, hi) = geometry.affine_range(row, c);
            first.lower.push(lo);
            first.upper.push(hi);
        }
        first.intersect(&self.global[k]);
        bounds.push(first);
        // Step 2: interval arithmetic for the later layers.
        for j in k + 1..layers.len() {
            let (lo, hi) = bounds[j - k - 1].activated(layers[j - 1].activation);
            let mut next = interval_layer(&layers[j], &lo, &hi);
            next.intersect(&self.global[j]);
            bounds.push(next);
        }
        let tolerance = |v: f64| 1e-9 * (1.0 + v.abs());
        let exceeds = |weights: &[f64], limit: f64| {
            self.lower_bound(
                network,
                weights,
                &bounds,
                k,
                a,
                a0,
                geometry,
                limit + tolerance(limit),
            )
        };
        if incumbent.is_finite() && exceeds(&self.weights, incumbent) {
            return true;
        }
        // A cell on which some constraint cannot hold has no feasible point.
        let infeasible = self.constraints.iter().any(|c| {
            let negated: Vec<f64> = c.weights.iter().map(|w| -w).collect();
            (c.upper.is_finite() && exceeds(&c.weights, c.upper))
                || (c.lower.is_finite() && exceeds(&negated, -c.lower))
        });
        if !infeasible && !feasibility {
            // Only a kept cell's point is worth a forward pass: a dropped cell's bound exceeds
            // the incumbent, and so does the value of each of its points. A point that would
            // improve the incumbent lies in a cell whose bound is below its value, kept either
            // way: the decisions are those of evaluating every cell's point first (the search
            // stays exact whatever the incumbent; it only prunes less with a worse one).
            self.offer_point(network, geometry);
        }
        infeasible
    }

    /// Offers the cell's representative point, by a full forward pass: the cell's affine map
    /// may differ from the network on a sliver merged into it, and an incumbent must be a
    /// value the network attains.
    fn offer_point<G: Geometry>(&self, network: &Network, geometry: &G) {
        if let Some(x) = geometry.representative_point() {
            let y = network.forward(&x);
            let value: f64 = self.weights.iter().zip(&y).map(|(c, y)| c * y).sum();
            if value.is_finite() && OutputConstraint::all_hold_exactly(&self.constraints, &y) {
                self.offer(value, &x);
            }
        }
    }

    /// Whether `weights · f(x) > limit` on the whole cell: the interval bound of step 2 or the
    /// linear relaxation of step 3 exceeds `limit`.
    #[allow(clippy::too_many_arguments)]
    fn lower_bound<G: Geometry>(
        &self,
        network: &Network,
        weights: &[f64],
        bounds: &[LayerBounds],
        k: usize,
        a: &[f64],
        a0: &[f64],
        geometry: &G,
        limit: f64,
    ) -> bool {
        let d = network.input_dim();
        let layers = network.layers();
        let output = bounds.last().expect("at least layer k");
        let last_act = layers[layers.len() - 1].activation;
        let interval_bound: f64 = weights
            .iter()
            .zip(output.lower.iter().zip(&output.upper))
            .map(|(&v, (&l, &u))| {
                let (lo, hi) = last_act.apply_interval(l, u);
                if v == 0.0 {
                    0.0
                } else if v > 0.0 {
                    v * lo
                } else {
                    v * hi
                }
            })
            .sum();
        if interval_bound > limit {
            return true;
        }
        // Step 3: backward relaxation from the objective to aᵏ.
        let (coefficient, mut constant) = objective_relaxation(network, weights, bounds, k);
        // λᵀ(A x + a₀) + μ over the cell.
        let mut gradient = vec![0.0; d];
        for (row, &l) in a.chunks(d).zip(&coefficient) {
            if l != 0.0 {
                gradient.iter_mut().zip(row).for_each(|(g, &r)| *g += l * r);
            }
        }
        constant += coefficient.iter().zip(a0).map(|(l, c)| l * c).sum::<f64>();
        let (linear_bound, _) = geometry.affine_range(&gradient, constant);
        linear_bound > limit
    }
}

#[cfg(test)]
mod tests {
    use crate::control::TaskControl;
    use crate::milp::{Objective, Sense};
    use crate::network::Activation;
    use crate::network::tests::random_network_with;
    use crate::regions::{RegionOptions, solve_by_regions_with};

    /// Pruning changes how many cells are examined, never the optimum: on random networks of
    /// 2 and 3 inputs, ReLU and clipped ReLU, minimising and maximising two-output objectives.
    #[test]
    fn pruning_keeps_the_optimum_and_examines_fewer_cells() {
        let mut fewer = 0;
        let mut cases = 0;
        for seed in 0..12u64 {
            let inputs = if seed % 3 == 0 { 3 } else { 2 };
            let hidden = if seed % 4 == 1 {
                Activation::ClippedRelu { cap: 0.8 }
            } else {
                Activation::Relu
            };
            let net = random_network_with(&[inputs, 10, 8, 6, 2], seed, hidden);
            let b = net.input_box().unwrap().clone();
            for sense in [Sense::Minimize, Sense::Maximize] {
                let objective = Objective {
                    sense,
                    weights: vec![1.0, -0.5 + seed as f64 * 0.1],
                    constraints: Vec::new(),
                };
                let run = |prune| {
                    let options = RegionOptions {
                        prune,
                        ..RegionOptions::default()
                    };
                    solve_by_regions_with(&net, &b, &objective, &options, &TaskControl::default())
                        .unwrap()
                };
                let (pruned, full) = (run(true), run(false));
                assert_eq!(
                    (pruned.status.as_str(), full.status.as_str()),
                    ("optimal", "optimal")
                );
                let (p, f) = (pruned.objective.unwrap(), full.objective.unwrap());
                assert!(
                    (p - f).abs() <= 1e-9 * (1.0 + f.abs()),
                    "seed {seed} {sense:?}: pruned {p} vs full {f}"
                );
                // The reported optimum is attained: a forward pass at x gives it.
                let at_x = objective.value(&net.forward(pruned.x.as_ref().unwrap()));
                assert!((at_x - p).abs() <= 1e-9 * (1.0 + p.abs()), "{at_x} vs {p}");
                cases += 1;
                if pruned.nodes < full.nodes {
                    fewer += 1;
                }
            }
        }
        // Bounding pays on most of them (a network that is nearly linear may prune nothing).
        assert!(fewer * 2 > cases, "pruning helped on {fewer} of {cases}");
    }
}
