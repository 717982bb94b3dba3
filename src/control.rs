//! Following and stopping long computations from another thread.
//!
//! Bound tightening, region counting and training take a [`TaskControl`]: they poll its
//! cancel flag between units of work and report a fraction done, so that the GUI can show a
//! progress bar and stop them within a second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Receives the fraction done in `[0, 1]` and a short description of the current step.
pub type ProgressObserver = Arc<dyn Fn(f64, &str) + Send + Sync>;

/// A cancel flag and a progress observer shared with a worker.
#[derive(Clone, Default)]
pub struct TaskControl {
    /// Set to `true` from any thread to stop the task at its next check.
    pub cancel: Arc<AtomicBool>,
    /// Called with the fraction done in `[0, 1]` and a short description of the current step.
    pub on_progress: Option<ProgressObserver>,
}

impl TaskControl {
    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
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
