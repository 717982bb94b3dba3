//! Background work: a thread per task, messages back over a channel polled every frame.
//!
//! The UI thread never joins a worker; it drains the task's channel once per frame. A worker
//! wakes the UI with `request_repaint` after each message so that progress shows at once.

use eframe::egui;
use reluscope::control::TaskControl;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::{Duration, Instant};

/// The worker's end: sends messages and wakes the UI.
pub struct Reporter<M> {
    sender: Sender<M>,
    ctx: egui::Context,
    /// Set by the UI to ask the worker to stop.
    pub cancel: Arc<AtomicBool>,
}

impl<M> Clone for Reporter<M> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
            ctx: self.ctx.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

impl<M> Reporter<M> {
    /// Sends a message (ignored if the UI dropped the task) and wakes the UI.
    pub fn send(&self, message: M) {
        // A closed channel means the UI lost interest (e.g. a newer task replaced this one).
        let _ = self.sender.send(message);
        self.ctx.request_repaint();
    }

    /// Whether the UI asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl<M: Send + 'static> Reporter<M> {
    /// The [`TaskControl`] a library computation on this worker takes: the task's cancel flag
    /// (so that Cancel and dropping the task stop it), and progress `(fraction, step)` sent
    /// to the UI as the message `progress(fraction, step)`.
    pub fn task_control(
        &self,
        progress: impl Fn(f64, String) -> M + Send + Sync + 'static,
    ) -> TaskControl {
        let reporter = self.clone();
        TaskControl {
            cancel: self.cancel.clone(),
            on_progress: Some(Arc::new(move |fraction: f64, step: &str| {
                reporter.send(progress(fraction, step.to_string()));
            })),
            deadline: None,
        }
    }
}

/// The UI's end of a running task.
pub struct Task<M> {
    receiver: Receiver<M>,
    cancel: Arc<AtomicBool>,
    started: Instant,
    finished: bool,
}

impl<M: Send + 'static> Task<M> {
    /// Runs `work` on a new thread; it reports through the [`Reporter`] it receives.
    ///
    /// If the thread cannot be started, the task finishes at once without messages; `on_spawn_error`
    /// turns that failure into the task's only message.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce(Reporter<M>) + Send + 'static,
        on_spawn_error: impl FnOnce(String) -> M,
    ) -> Self {
        let (sender, receiver) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            sender: sender.clone(),
            ctx: ctx.clone(),
            cancel: cancel.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("reluscope-{name}"))
            .spawn(move || work(reporter));
        if let Err(e) = spawned {
            let _ = sender.send(on_spawn_error(format!("cannot start a worker thread: {e}")));
        }
        Self {
            receiver,
            cancel,
            started: Instant::now(),
            finished: false,
        }
    }
}

impl<M> Task<M> {
    /// Messages received since the last call, without blocking.
    ///
    /// Once the worker has hung up and everything is drained, [`Self::is_finished`] is true.
    pub fn drain(&mut self) -> Vec<M> {
        let mut out = Vec::new();
        loop {
            match self.receiver.try_recv() {
                Ok(m) => out.push(m),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.finished = true;
                    break;
                }
            }
        }
        out
    }

    /// Whether the worker has exited and every message was drained.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Asks the worker to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelling(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Time since the task started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl<M> Drop for Task<M> {
    fn drop(&mut self) {
        // A dropped task is no longer wanted: let its worker stop early instead of finishing
        // work nobody will read.
        self.cancel();
    }
}

/// [`format_elapsed`] of a number of seconds (negative or non-finite values read as 0).
pub fn format_seconds(seconds: f64) -> String {
    format_elapsed(Duration::try_from_secs_f64(seconds).unwrap_or_default())
}

/// Formats a duration for progress displays: `850 ms`, `12.3 s`, `4 min 05 s`.
pub fn format_elapsed(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        let whole = s as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_delivers_its_messages_then_finishes() {
        let ctx = egui::Context::default();
        let mut task: Task<u32> = Task::spawn(
            &ctx,
            "test",
            |r| {
                r.send(1);
                r.send(2);
            },
            |_| 0,
        );
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !task.is_finished() && Instant::now() < deadline {
            got.extend(task.drain());
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(got, vec![1, 2]);
    }

    #[test]
    fn a_task_control_reports_progress_and_shares_the_cancel_flag() {
        let ctx = egui::Context::default();
        let mut task: Task<(f64, String)> = Task::spawn(
            &ctx,
            "test",
            |r| {
                let control = r.task_control(|f, step| (f, step));
                control.report(0.5, "half");
                control.request_cancel();
                assert!(r.is_cancelled());
            },
            |e| (0.0, e),
        );
        let mut got = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !task.is_finished() && Instant::now() < deadline {
            got.extend(task.drain());
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(got, vec![(0.5, "half".to_string())]);
        assert!(task.is_cancelling());
    }

    #[test]
    fn elapsed_times_read_well() {
        assert_eq!(format_elapsed(Duration::from_millis(850)), "850 ms");
        assert_eq!(format_elapsed(Duration::from_micros(9)), "9 µs");
        assert_eq!(format_elapsed(Duration::from_secs_f64(12.34)), "12.3 s");
        assert_eq!(format_elapsed(Duration::from_secs(245)), "4 min 05 s");
    }
}
