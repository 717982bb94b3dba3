//! Threads that each keep one LP model warm for a whole OBBT run.
//!
//! The LP of layer `k` is the LP of layer `k − 1` with layer `k − 1`'s encoding appended (the
//! model of a network prefix extends the model of a shorter prefix). So instead of building a
//! model per layer, whose first LP starts cold from a slack basis, every worker keeps its
//! HiGHS model across layers and appends the new columns and rows: the simplex continues
//! from the last optimal basis. HiGHS models are `!Send`, hence one long-lived thread per
//! model rather than a rayon task.

use super::BoundsError;
use super::LayerBounds;
use crate::control::TaskControl;
use crate::milp::{AffineExpr, LinearModel, ObjectiveOracle};
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
    /// The neurons this worker optimises.
    pub neurons: Vec<usize>,
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
                let mut oracle: Option<ObjectiveOracle> = None;
                for job in job_rx {
                    let answer = run_job(&mut oracle, &job, control, solve_chunk);
                    if answer.is_err() {
                        // Start from a fresh model next time rather than trust this one.
                        oracle = None;
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

/// Solves one chunk of neurons on an oracle (see `obbt::solve_chunk`).
pub(super) type ChunkSolver = fn(
    &mut ObjectiveOracle,
    &[AffineExpr],
    &[usize],
    &LayerBounds,
    Activation,
    bool,
    &TaskControl,
) -> Result<Vec<(usize, f64, f64)>, BoundsError>;

fn run_job(
    oracle: &mut Option<ObjectiveOracle>,
    job: &LpJob,
    control: &TaskControl,
    solve_chunk: ChunkSolver,
) -> LpAnswer {
    let solver = |e: crate::milp::MilpError| BoundsError::Solver(e.to_string());
    match oracle {
        Some(o) => o.extend_to(&job.model).map_err(solver)?,
        None => *oracle = Some(ObjectiveOracle::new(&job.model, None).map_err(solver)?),
    }
    let Some(o) = oracle.as_mut() else {
        return Err(BoundsError::Solver("no LP model".into()));
    };
    let (solves, iterations) = (o.solves, o.iterations);
    let found = solve_chunk(
        o,
        &job.exprs,
        &job.neurons,
        &job.initial,
        job.activation,
        job.skip,
        control,
    )?;
    Ok(LpWork {
        found,
        lps: o.solves - solves,
        iterations: o.iterations - iterations,
    })
}
