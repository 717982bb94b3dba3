//! Following and stopping long computations from another thread.
//!
//! Bound tightening, region counting and training take a [`TaskControl`]: they poll its
//! cancel flag between units of work and report a fraction done, so that the GUI can show a
//! progress bar and stop them within a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `seconds` after `start`; `None` without a limit, or for one too large (or invalid) for an
/// `Instant`, which is no limit.
pub fn deadline_after(start: Instant, seconds: Option<f64>) -> Option<Instant> {
    seconds
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .and_then(|d| start.checked_add(d))
}

/// Receives the fraction done in `[0, 1]` and a short description of the current step.
pub type ProgressObserver = Arc<dyn Fn(f64, &str) + Send + Sync>;

/// A cancel flag, a deadline and a progress observer shared with a worker.
///
/// Cancellation stops a task with an error (`Cancelled`); the deadline is a time limit that
/// bounds a whole command: a task that reaches it stops early and *keeps what it found* (valid
/// but looser bounds, a partial region count), saying so in its result.
#[derive(Clone, Default)]
pub struct TaskControl {
    /// Set to `true` from any thread to stop the task at its next check.
    pub cancel: Arc<AtomicBool>,
    /// Called with the fraction done in `[0, 1]` and a short description of the current step.
    pub on_progress: Option<ProgressObserver>,
    /// When the work must end (none: no time limit).
    pub deadline: Option<Instant>,
}

impl TaskControl {
    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The same control with a deadline `seconds` from now (`None`, or a limit too large for
    /// an `Instant`: none).
    pub fn with_time_limit(mut self, seconds: Option<f64>) -> Self {
        self.deadline = deadline_after(Instant::now(), seconds);
        self
    }

    /// Whether the deadline has passed.
    pub fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Time left before the deadline (zero once past it); `None` without a deadline.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Requests cancellation.
    pub fn request_cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Reports progress to the observer, if any.
    pub fn report(&self, fraction: f64, step: &str) {
        if let Some(f) = &self.on_progress {
            f(fraction.clamp(0.0, 1.0), step);
        }
    }
}

impl std::fmt::Debug for TaskControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskControl")
            .field("cancelled", &self.is_cancelled())
            .finish_non_exhaustive()
    }
}
