//! Better incumbents early: a walk over linear regions from the best sampled inputs, in the
//! spirit of "Optimization over trained neural networks: taking a relaxing walk" (2024).
//!
//! On the region of inputs that share one activation pattern the network is affine, so the
//! best point of the region is an LP over `x`: each hidden neuron keeps its phase (`a ≤ 0`,
//! `0 ≤ a ≤ c`, `a ≥ c`, all affine in `x` on the region), the box and any output
//! constraints hold. From that vertex, every neuron at a breakpoint borders a neighbouring
//! region (flip its phase: both agree on the facet, so the vertex lies in both); the walk
//! moves to the neighbour whose LP improves most, and stops at a region none of whose
//! neighbours improves, or at its budget. Every point it returns is evaluated by a forward
//! pass: a true value of the network, which HiGHS gets as its start.

use super::Objective;
use crate::bounds::NetworkBounds;
use crate::formulation::OutputConstraint;
use crate::lp::{Col, LinearModel, LpOracle, OneShotHighs, maximize_from};
use crate::network::pattern::{ActivationPattern, Phase, preactivation_maps};
use crate::network::{Activation, InputBox, Network};
use crate::numbers::format_number;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What the walk did; JSON key `local_search` of a solve.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WalkReport {
    /// Starting points walked from (the best sampled inputs).
    pub starts: usize,
    /// The best starting value.
    pub from: Option<f64>,
    /// The best value reached, by a forward pass.
    pub to: Option<f64>,
    /// Moves to a better region, over all walks.
    pub steps: usize,
    /// Region LPs solved.
    pub lps: usize,
    /// Time spent, seconds.
    pub time_s: f64,
}

impl WalkReport {
    /// One line for people, e.g. `a walk over 11 regions from −6.552 to −6.792 (4 starts, 37
    /// LPs, 0.44 ms)`.
    pub fn summary(&self) -> String {
        let value = |v: Option<f64>| v.map_or_else(|| "none".to_string(), format_number);
        format!(
            "a walk over {} regions from {} to {} ({} starts, {} LPs, {:.2} ms)",
            self.steps,
            value(self.from),
            value(self.to),
            self.starts,
            self.lps,
            self.time_s * 1e3
        )
    }
}

/// Longest a walk runs, seconds: on the reference networks it ends in under 1 ms; on wide
/// networks each region LP goes to HiGHS and may take milliseconds.
pub const WALK_BUDGET: f64 = 1.0;

/// Most moves of one walk.
const MAX_STEPS: usize = 200;
/// Most neighbours tried from one vertex.
const MAX_NEIGHBOURS: usize = 32;
/// Input dimension up to which the region LPs use the vertex simplex (HiGHS above).
const VERTEX_SIMPLEX_DIM: usize = 12;

/// Walks from each of `starts` (inputs in the box that satisfy the objective's constraints)
/// and returns the best point found with its value `cᵀf(x)` (by a forward pass), or `None`
/// without starts. `bounds` (valid over the box) leave out the rows of stable neurons. The
/// walk stops at `deadline`, after [`WALK_BUDGET`] seconds, or when `cancel` is set, with the
/// best point so far.
pub fn region_walk(
    network: &Network,
    input_box: &InputBox,
    objective: &Objective,
    bounds: Option<&NetworkBounds>,
    starts: &[Vec<f64>],
    deadline: Option<Instant>,
    cancel: &AtomicBool,
) -> (Option<(Vec<f64>, f64)>, WalkReport) {
    let clock = Instant::now();
    let budget = clock + Duration::from_secs_f64(WALK_BUDGET);
    let walker = Walker {
        network,
        input_box,
        objective,
        bounds,
        deadline: Some(deadline.map_or(budget, |d| d.min(budget))),
        cancel,
        sign: objective.sense.sign(),
    };
    let mut report = WalkReport {
        starts: starts.len(),
        ..WalkReport::default()
    };
    let mut best: Option<(Vec<f64>, f64)> = None;
    for start in starts {
        let value = walker.value(start);
        if report
            .from
            .is_none_or(|f| objective.better_or_equal(value, f) && value != f)
        {
            report.from = Some(value);
        }
        let (x, v) = walker.walk(start.clone(), value, &mut report);
        if best
            .as_ref()
            .is_none_or(|(_, b)| objective.better_or_equal(v, *b) && v != *b)
        {
            best = Some((x, v));
        }
        if walker.out_of_time() {
            break;
        }
    }
    report.to = best.as_ref().map(|(_, v)| *v);
    report.time_s = clock.elapsed().as_secs_f64();
    (best, report)
}

struct Walker<'a> {
    network: &'a Network,
    input_box: &'a InputBox,
    objective: &'a Objective,
    bounds: Option<&'a NetworkBounds>,
    deadline: Option<Instant>,
    cancel: &'a AtomicBool,
    /// `1` to minimise, `−1` to maximise: the walk minimises `sign · cᵀf(x)`.
    sign: f64,
}

impl Walker<'_> {
    fn out_of_time(&self) -> bool {
        self.cancel.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// `cᵀf(x)` by a forward pass.
    fn value(&self, x: &[f64]) -> f64 {
        self.objective.value(&self.network.forward(x))
    }

    /// Whether `x`, a vertex of a region LP, is a valid point: in the box, every constraint
    /// held exactly (as for the sampled start: its value is a true value that later refutes
    /// any bound beyond it, so a point just outside the feasible set must not count).
    fn admissible(&self, x: &[f64]) -> bool {
        self.input_box.contains(x, 0.0)
            && (self.objective.constraints.is_empty()
                || OutputConstraint::all_hold_exactly(
                    &self.objective.constraints,
                    &self.network.forward(x),
                ))
    }

    fn walk(&self, mut x: Vec<f64>, mut value: f64, report: &mut WalkReport) -> (Vec<f64>, f64) {
        let Ok(pattern) = ActivationPattern::of_point(self.network, &x) else {
            return (x, value);
        };
        let mut phases: Vec<Phase> = pattern.layers.concat();
        let mut neighbours: Vec<Vec<Phase>> = Vec::new();
        for _ in 0..MAX_STEPS {
            if self.out_of_time() {
                break;
            }
            // The current region's own LP first, then its neighbours across the facets the
            // vertex lies on.
            let mut best: Option<(Vec<f64>, f64, Vec<Phase>)> = None;
            let candidates = std::iter::once(phases.clone()).chain(neighbours.drain(..));
            for candidate in candidates {
                if self.out_of_time() {
                    break;
                }
                report.lps += 1;
                let Some(y) = self.region_optimum(&candidate, &x) else {
                    continue;
                };
                let v = self.value(&y);
                let improves = self.sign * (v - value) < -1e-9 * (1.0 + value.abs());
                let beats_best = best
                    .as_ref()
                    .is_none_or(|(_, b, _)| self.sign * (v - b) < 0.0);
                if improves && beats_best && self.admissible(&y) {
                    best = Some((y, v, candidate));
                }
            }
            let Some((y, v, candidate)) = best else {
                break;
            };
            report.steps += 1;
            (x, value, phases) = (y, v, candidate);
            neighbours = self.neighbours(&phases, &x);
        }
        (x, value)
    }

    /// The patterns across the facets `x` lies on: one neuron at a breakpoint flipped.
    fn neighbours(&self, phases: &[Phase], x: &[f64]) -> Vec<Vec<Phase>> {
        let pre = self.network.preactivations(x);
        let mut out = Vec::new();
        let mut position = 0;
        for (layer, a) in self.network.hidden_layers().iter().zip(&pre) {
            for (i, &v) in a.iter().enumerate() {
                let p = position + i;
                let near = |level: f64| (v - level).abs() <= 1e-7 * (1.0 + level.abs());
                let flipped = match (phases[p], layer.activation) {
                    (Phase::Inactive, _) if near(0.0) => Some(Phase::Active),
                    (Phase::Active, _) if near(0.0) => Some(Phase::Inactive),
                    (Phase::Active, Activation::ClippedRelu { cap }) if near(cap) => {
                        Some(Phase::Saturated)
                    }
                    (Phase::Saturated, Activation::ClippedRelu { cap }) if near(cap) => {
                        Some(Phase::Active)
                    }
                    _ => None,
                };
                if let Some(flipped) = flipped
                    && out.len() < MAX_NEIGHBOURS
                {
                    let mut next = phases.to_vec();
                    next[p] = flipped;
                    out.push(next);
                }
            }
            position += a.len();
        }
        out
    }

    /// Whether bounds over the box fix neuron `i` of hidden layer `k` to `phase`.
    fn stable(&self, k: usize, i: usize, phase: Phase, activation: Activation) -> bool {
        let Some(b) = self.bounds.and_then(|b| b.layers.get(k)) else {
            return false;
        };
        let (l, u) = (b.lower[i], b.upper[i]);
        let cap = match activation {
            Activation::ClippedRelu { cap } => cap,
            _ => f64::INFINITY,
        };
        match phase {
            Phase::Inactive => u <= 0.0,
            Phase::Active => l >= 0.0 && u <= cap,
            Phase::Saturated => l >= cap,
        }
    }

    /// The best point of the region of `phases` (which contains `from`, up to rounding):
    /// `min sign·cᵀf(x)` subject to every neuron keeping its phase, the box and the
    /// objective's constraints.
    fn region_optimum(&self, phases: &[Phase], from: &[f64]) -> Option<Vec<f64>> {
        let network = self.network;
        let d = network.input_dim();
        let hidden = network.hidden_layers().len();
        let maps = preactivation_maps(network, phases, hidden);
        // Rows `g·x ≤ r`.
        let mut rows: Vec<(Vec<f64>, f64)> = Vec::new();
        let mut position = 0;
        for (k, layer) in network.hidden_layers().iter().enumerate() {
            let (a, c) = &maps[k];
            for (i, row) in a.chunks(d).enumerate() {
                let phase = phases[position + i];
                if self.stable(k, i, phase, layer.activation) {
                    continue;
                }
                let negated = || row.iter().map(|v| -v).collect::<Vec<f64>>();
                match (phase, layer.activation) {
                    (Phase::Inactive, _) => rows.push((row.to_vec(), -c[i])),
                    (Phase::Active, Activation::ClippedRelu { cap }) => {
                        rows.push((negated(), c[i]));
                        rows.push((row.to_vec(), cap - c[i]));
                    }
                    (Phase::Active, _) => rows.push((negated(), c[i])),
                    (Phase::Saturated, Activation::ClippedRelu { cap }) => {
                        rows.push((negated(), c[i] - cap));
                    }
                    (Phase::Saturated, _) => {}
                }
            }
            position += layer.outputs();
        }
        let (out, out_offset) = &maps[hidden];
        let along = |weights: &[f64]| -> (Vec<f64>, f64) {
            let mut g = vec![0.0; d];
            let mut offset = 0.0;
            for ((row, &o), &w) in out.chunks(d).zip(out_offset).zip(weights) {
                g.iter_mut().zip(row).for_each(|(g, r)| *g += w * r);
                offset += w * o;
            }
            (g, offset)
        };
        for constraint in &self.objective.constraints {
            let (g, offset) = along(&constraint.weights);
            if constraint.upper.is_finite() {
                rows.push((g.clone(), constraint.upper - offset));
            }
            if constraint.lower.is_finite() {
                rows.push((g.iter().map(|v| -v).collect(), offset - constraint.lower));
            }
        }
        let (gradient, _) = along(&self.objective.weights);
        let cost: Vec<f64> = gradient.iter().map(|g| self.sign * g).collect();
        let x = if d <= VERTEX_SIMPLEX_DIM {
            self.vertex_simplex(rows, &cost, from)
        } else {
            self.highs(rows, &cost)
        }?;
        // The solvers may leave a vertex outside the box by rounding.
        Some(self.input_box.clamp(&x))
    }

    fn vertex_simplex(
        &self,
        rows: Vec<(Vec<f64>, f64)>,
        cost: &[f64],
        from: &[f64],
    ) -> Option<Vec<f64>> {
        let d = from.len();
        let mut matrix = Vec::with_capacity((rows.len() + 2 * d) * d);
        let mut rhs = Vec::with_capacity(rows.len() + 2 * d);
        for (row, r) in rows {
            let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 1e-12 {
                matrix.extend(row.iter().map(|v| v / norm));
                rhs.push(r / norm);
            }
        }
        for i in 0..d {
            for (sign, bound) in [
                (1.0, self.input_box.upper()[i]),
                (-1.0, -self.input_box.lower()[i]),
            ] {
                matrix.extend((0..d).map(|j| if i == j { sign } else { 0.0 }));
                rhs.push(bound);
            }
        }
        let maximise: Vec<f64> = cost.iter().map(|c| -c).collect();
        maximize_from(&matrix, &rhs, d, &maximise, from)
            .ok()
            .map(|opt| opt.x)
    }

    fn highs(&self, rows: Vec<(Vec<f64>, f64)>, cost: &[f64]) -> Option<Vec<f64>> {
        let mut model = LinearModel::new();
        let cols: Vec<Col> = (0..cost.len())
            .map(|i| {
                model.add_column(
                    format!("x_{i}"),
                    self.input_box.lower()[i],
                    self.input_box.upper()[i],
                    false,
                )
            })
            .collect();
        for (r, (row, rhs)) in rows.iter().enumerate() {
            let terms: Vec<(Col, f64)> = cols
                .iter()
                .zip(row)
                .filter(|(_, v)| **v != 0.0)
                .map(|(&c, &v)| (c, v))
                .collect();
            model.add_row(format!("r{r}"), f64::NEG_INFINITY, *rhs, &terms);
        }
        let objective: Vec<(Col, f64)> = cols.iter().copied().zip(cost.iter().copied()).collect();
        OneShotHighs::new(model)
            .minimize(&objective)
            .ok()
            .and_then(|b| b.minimizer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::interval_bounds;
    use crate::formulation::OutputConstraint;
    use crate::lp::Sense;
    use crate::network::tests::random_network_with;
    use rand::SeedableRng;

    /// From random inputs the walk returns a point of the box whose value is its forward
    /// pass, at least as good as its start, and strictly better from most interior starts.
    #[test]
    fn walks_improve_true_values_inside_the_box() {
        for (seed, widths, act) in [
            (1, vec![2, 10, 10, 1], Activation::Relu),
            (2, vec![3, 8, 8, 8, 1], Activation::ClippedRelu { cap: 0.7 }),
            (3, vec![14, 12, 12, 1], Activation::Relu),
        ] {
            let net = random_network_with(&widths, seed, act);
            let b = net.input_box().unwrap().clone();
            let bounds = interval_bounds(&net, &b);
            let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
            for sense in [Sense::Minimize, Sense::Maximize] {
                let objective = Objective::output(sense, 0, 1).unwrap();
                let mut improved = 0;
                for _ in 0..10 {
                    let start = b.sample(&mut rng);
                    let before = net.forward(&start)[0];
                    let (best, report) = region_walk(
                        &net,
                        &b,
                        &objective,
                        Some(&bounds),
                        &[start],
                        None,
                        &AtomicBool::new(false),
                    );
                    let (x, value) = best.unwrap();
                    assert!(b.contains(&x, 0.0));
                    assert_eq!(value, net.forward(&x)[0]);
                    assert!(objective.better_or_equal(value, before));
                    assert_eq!(report.to, Some(value));
                    if value != before {
                        improved += 1;
                        assert!(report.steps >= 1 && report.lps >= report.steps);
                    }
                }
                assert!(improved >= 8, "{widths:?} {sense:?}: {improved} of 10");
            }
        }
    }

    /// In a MILP solve the walk starts from the sampled incumbent (recomputed here) and hands
    /// HiGHS the point it ends at, whose value is its forward pass.
    #[test]
    fn a_solve_reports_its_walk_from_the_sampled_start_to_its_own_start() {
        use crate::milp::{NetworkSolveOptions, SolveControl, sampled_incumbent, solve_network};
        let net = random_network_with(&[2, 12, 12, 1], 8, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let bounds = interval_bounds(&net, &b);
        for sense in [Sense::Minimize, Sense::Maximize] {
            let objective = Objective::output(sense, 0, 1).unwrap();
            let options = NetworkSolveOptions::default();
            let r = solve_network(
                &net,
                &b,
                &bounds,
                &objective,
                &options,
                &SolveControl::default(),
            )
            .unwrap();
            let walk = r.local_search.unwrap();
            let sampled =
                sampled_incumbent(&net, &b, &objective, options.start_samples, 0).unwrap();
            assert_eq!(walk.from, Some(sampled.objective), "{sense:?}");
            assert_eq!(walk.to, r.start_objective, "{sense:?}");
            let to = walk.to.unwrap();
            assert!(objective.better_or_equal(to, sampled.objective));
            // A true value: the solve's optimum is at least as good.
            assert!(objective.better_or_equal(r.objective.unwrap(), to + sense.sign() * 1e-9));
        }
    }

    /// Cancel stops the walk before its first LP; the start comes back as it was.
    #[test]
    fn cancel_stops_the_walk_at_once() {
        let net = random_network_with(&[2, 10, 10, 1], 6, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let objective = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let start = b.center();
        let (best, report) = region_walk(
            &net,
            &b,
            &objective,
            None,
            std::slice::from_ref(&start),
            None,
            &AtomicBool::new(true),
        );
        assert_eq!(best, Some((start.clone(), net.forward(&start)[0])));
        assert_eq!((report.lps, report.steps), (0, 0));
    }

    /// With a constraint on the output the walk stays where it holds.
    #[test]
    fn walks_keep_the_constraints() {
        let net = random_network_with(&[2, 10, 10, 1], 5, Activation::Relu);
        let b = net.input_box().unwrap().clone();
        let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
        let free = Objective::output(Sense::Minimize, 0, 1).unwrap();
        let start = b.sample(&mut rng);
        let floor = net.forward(&start)[0] - 0.01;
        let objective = free
            .subject_to(vec![OutputConstraint {
                weights: vec![1.0],
                lower: floor,
                upper: f64::INFINITY,
                origin: "test".into(),
            }])
            .unwrap();
        let (best, _) = region_walk(
            &net,
            &b,
            &objective,
            None,
            &[start],
            None,
            &AtomicBool::new(false),
        );
        let (x, value) = best.unwrap();
        assert!(value >= floor - 1e-9, "{value} below {floor}");
        assert!(objective.check_constraints(&net.forward(&x)).is_ok());
    }
}
