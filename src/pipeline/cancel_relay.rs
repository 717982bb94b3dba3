//! The user's Cancel copied into the flag a piece of work stops on, for as long as the work
//! runs: the race, the alternatives of a problem and the optimisation of a constraint each
//! stop on a flag of their own (set when they are settled), which must also see the user's.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Ends the watcher when dropped: sets its flag and wakes it, so that it does not sleep out
/// its period after the work is done (with thousands of short solves, that wait was most of
/// the time).
struct StopWatcher<'a> {
    done: &'a AtomicBool,
    watcher: std::thread::Thread,
}

impl Drop for StopWatcher<'_> {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        self.watcher.unpark();
    }
}

/// Runs `work` while a watcher thread copies `from` into `to` every 10 ms.
pub(super) fn relaying_cancel<T>(
    from: &AtomicBool,
    to: &AtomicBool,
    work: impl FnOnce() -> T,
) -> T {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                if from.load(Ordering::Relaxed) {
                    to.store(true, Ordering::Relaxed);
                }
                std::thread::park_timeout(Duration::from_millis(10));
            }
        });
        // Ends the watcher however `work` ends (a panic too), so that the scope can join it.
        let _stop = StopWatcher {
            done: &done,
            watcher: watcher.thread().clone(),
        };
        work()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cancel_reaches_the_work_and_the_watcher_ends_with_it() {
        let (user, work_flag) = (AtomicBool::new(false), AtomicBool::new(false));
        let seen = relaying_cancel(&user, &work_flag, || {
            user.store(true, Ordering::Relaxed);
            let start = std::time::Instant::now();
            while !work_flag.load(Ordering::Relaxed) && start.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(1));
            }
            work_flag.load(Ordering::Relaxed)
        });
        assert!(seen);
        // A panicking work still ends the watcher (the scope joins it, then the panic goes on).
        let quiet = AtomicBool::new(false);
        let outcome =
            std::panic::catch_unwind(|| relaying_cancel(&quiet, &quiet, || panic!("work")));
        assert!(outcome.is_err());
        // Short work does not wait out the watcher's period.
        let started = std::time::Instant::now();
        for _ in 0..100 {
            relaying_cancel(&quiet, &quiet, || ());
        }
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
}
