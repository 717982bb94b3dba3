//! Threads that each keep one LP model warm for a whole OBBT run.
//!
//! The LP of layer `k` is the LP of layer `k − 1` with layer `k − 1`'s encoding appended (the
//! model of a network prefix extends the model of a shorter prefix). So instead of building a
//! model per layer, whose first LP starts cold, every worker keeps its model across layers
//! and appends the new columns and rows: the simplex continues from the last optimal vertex.
//!
//! Each worker solves with the [`DenseSimplex`], several times faster than HiGHS on these
//! small LPs and certified by a dual bound; an LP it cannot certify goes to a HiGHS model of
//! the same polytope (made on first need, then kept in step), and the dense simplex starts
//! afresh at the next layer. HiGHS models are `!Send`, hence one long-lived thread per worker
//! rather than a rayon task.

use super::neuron_queue::NeuronQueue;
use super::obbt::Chunk;
use crate::bounds::{BoundsError, LayerBounds};
use crate::control::TaskControl;
use crate::formulation::AffineExpr;
use crate::lp::{
    Col, DenseSimplex, Fallback, LinearModel, LpBound, LpError, LpOracle, ObjectiveOracle,
    OnPrimaryError,
};
use crate::network::Activation;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::{Scope, ScopedJoinHandle};

/// One layer's work for one worker.
pub(super) struct LpJob {
    /// The LP relaxation of the layers before this one (extends the previous job's model).
    pub model: Arc<LinearModel>,
    /// Pre-activation of every neuron of the layer, in the model's columns.
    pub exprs: Arc<Vec<AffineExpr>>,
    /// The layer's neurons, shared by all workers.
    pub queue: Arc<NeuronQueue>,
    /// Starting bounds of the layer.
    pub initial: Arc<LayerBounds>,
    /// The layer's activation.
    pub activation: Activation,
    /// Skip sides that cannot matter.
    pub skip: bool,
}

/// What one worker did for one layer.
#[derive(Debug, Default)]
pub(super) struct LpWork {
    /// `(neuron, lower, upper)` per optimised neuron.
    pub found: Vec<(usize, f64, f64)>,
    /// LPs solved.
    pub lps: usize,
    /// Simplex iterations.
    pub iterations: u64,
    /// LPs solved by HiGHS because the dense simplex could not certify them.
    pub by_highs: usize,
    /// LPs no solver could answer (their sides keep the starting bounds).
    pub failed: usize,
}

/// A worker's answer for one layer.
pub(super) type LpAnswer = Result<LpWork, BoundsError>;

/// A fixed set of LP workers living inside a [`std::thread::scope`].
pub(super) struct LpWorkers<'scope> {
    jobs: Vec<Sender<LpJob>>,
    answers: Vec<Receiver<LpAnswer>>,
    _handles: Vec<ScopedJoinHandle<'scope, ()>>,
}

impl<'scope> LpWorkers<'scope> {
    /// Starts `count` workers that poll `control` between LPs.
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        count: usize,
        control: &'scope TaskControl,
        solve_chunk: ChunkSolver,
    ) -> Self {
        let mut jobs = Vec::with_capacity(count);
        let mut answers = Vec::with_capacity(count);
        let mut handles = Vec::with_capacity(count);
        for _ in 0..count.max(1) {
            let (job_tx, job_rx) = channel::<LpJob>();
            let (answer_tx, answer_rx) = channel::<LpAnswer>();
            handles.push(scope.spawn(move || {
                let mut lp: Option<WarmLp> = None;
                for job in job_rx {
                    let answer = run_job(&mut lp, &job, control, solve_chunk);
                    if answer.is_err() {
                        // Start from a fresh model next time rather than trust this one.
                        lp = None;
                    }
                    if answer_tx.send(answer).is_err() {
                        break;
                    }
                }
            }));
            jobs.push(job_tx);
            answers.push(answer_rx);
        }
        Self {
            jobs,
            answers,
            _handles: handles,
        }
    }

    /// Number of workers.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Gives job `k` to worker `k` (every worker must get one per layer, possibly with no
    /// neuron, to keep its model in step) and collects the answers.
    pub fn run(&self, jobs: Vec<LpJob>) -> LpAnswer {
        for (tx, job) in self.jobs.iter().zip(jobs) {
            tx.send(job)
                .map_err(|_| BoundsError::Solver("an LP worker stopped".into()))?;
        }
        let mut total = LpWork::default();
        let mut first_error = None;
        for rx in &self.answers {
            match rx.recv() {
                Ok(Ok(mut work)) => {
                    total.found.append(&mut work.found);
                    total.lps += work.lps;
                    total.iterations += work.iterations;
                    total.by_highs += work.by_highs;
                    total.failed += work.failed;
                }
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert(BoundsError::Solver("an LP worker stopped".into()));
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }
}

/// Solves the neurons of a queue on an oracle (see `obbt::solve_chunk`).
pub(super) type ChunkSolver = fn(
    &mut dyn LpOracle,
    &[AffineExpr],
    &NeuronQueue,
    &LayerBounds,
    Activation,
    bool,
    &TaskControl,
) -> Result<Chunk, BoundsError>;

/// One worker's LP: the dense simplex, with HiGHS for what it cannot certify.
struct WarmLp {
    lp: Fallback<DenseSimplex, ObjectiveOracle>,
    model: Arc<LinearModel>,
    lps: usize,
    iterations: u64,
}

impl WarmLp {
    fn new(model: &Arc<LinearModel>) -> Self {
        Self {
            // A dense simplex that failed no longer trusts its vertex: it is rebuilt at the
            // next layer (`extend_to`), and HiGHS answers until then.
            lp: Fallback::new(fresh_dense(model), OnPrimaryError::Drop),
            model: Arc::clone(model),
            lps: 0,
            iterations: 0,
        }
    }

    /// Appends what `model` adds to the loaded polytope.
    fn extend_to(&mut self, model: &Arc<LinearModel>) -> Result<(), LpError> {
        let extended = match self.lp.primary_mut() {
            Some(dense) => dense.extend_to(model).is_ok(),
            None => false,
        };
        if !extended {
            self.lp.set_primary(fresh_dense(model));
        }
        if let Some(highs) = self.lp.secondary_mut() {
            highs.extend_to(model)?;
        }
        self.model = Arc::clone(model);
        Ok(())
    }

    /// Simplex iterations so far of the dense simplex (if trusted) and of HiGHS (if made).
    fn iteration_counts(&mut self) -> (Option<u64>, u64) {
        let dense = self.lp.primary_mut().map(|d| d.iterations);
        let highs = self.lp.secondary_mut().map_or(0, |h| h.iterations);
        (dense, highs)
    }
}

fn fresh_dense(model: &LinearModel) -> Option<DenseSimplex> {
    let mut dense = DenseSimplex::new();
    dense.extend_to(model).ok().map(|()| dense)
}

impl LpOracle for WarmLp {
    fn minimize(&mut self, objective: &[(Col, f64)]) -> Result<LpBound, LpError> {
        self.lps += 1;
        let (dense_before, highs_before) = self.iteration_counts();
        let model = &self.model;
        let bound = self
            .lp
            .minimize_with(objective, || ObjectiveOracle::new(model, None));
        let (dense_after, highs_after) = self.iteration_counts();
        // The pivots of a dense attempt that failed (and was dropped) are not counted.
        if let (Some(before), Some(after)) = (dense_before, dense_after) {
            self.iterations += after - before;
        }
        self.iterations += highs_after - highs_before;
        bound
    }
}

fn run_job(
    lp: &mut Option<WarmLp>,
    job: &LpJob,
    control: &TaskControl,
    solve_chunk: ChunkSolver,
) -> LpAnswer {
    // A model that does not extend the loaded one (OBBT with constraints encodes the whole
    // network afresh for every layer) gets a fresh solver.
    // The HiGHS fallback checks only the sizes when it extends: the prefix is checked here.
    let extended = lp.as_mut().is_some_and(|warm| {
        warm.model.is_prefix_of(&job.model) && warm.extend_to(&job.model).is_ok()
    });
    if !extended {
        *lp = Some(WarmLp::new(&job.model));
    }
    let Some(lp) = lp.as_mut() else {
        return Err(BoundsError::Solver("no LP model".into()));
    };
    let (lps, iterations, by_highs) = (lp.lps, lp.iterations, lp.lp.fallbacks);
    let chunk = solve_chunk(
        lp,
        &job.exprs,
        &job.queue,
        &job.initial,
        job.activation,
        job.skip,
        control,
    )?;
    Ok(LpWork {
        found: chunk.found,
        failed: chunk.failed,
        lps: lp.lps - lps,
        iterations: lp.iterations - iterations,
        by_highs: lp.lp.fallbacks - by_highs,
    })
}
