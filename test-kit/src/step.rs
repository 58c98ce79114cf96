//! One test step: its own thread, its own tokio runtime, a wall-clock limit.
//!
//! `#[tokio::test]` alone cannot stop a learner's busy loop: the loop never yields, so
//! no tokio timer can fire. Running the step on a separate thread lets the test thread
//! give up after a real-time limit and report it in words the runner recognises.

use std::future::Future;
use std::panic;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How long a step may run, in real seconds, before it is reported as hung.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Environment variable that overrides [`DEFAULT_TIMEOUT_SECS`] (slow machines, and the
/// runner's own tests of its timeout verdict).
pub const TIMEOUT_ENV: &str = "UNTWISTED_STEP_TIMEOUT";

/// Runs a step on a current-thread runtime with real time.
///
/// `make` builds the step's future on the step's own thread, so the future itself
/// need not be `Send` (a `Deferred` built on `Rc` is fine).
pub fn run<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    run_on_own_thread(false, make)
}

/// Runs a step on a current-thread runtime whose clock starts paused: timers fire in
/// virtual time, instantly, and in a repeatable order (Twisted's `task.Clock`).
pub fn run_paused<F, Fut>(make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    run_on_own_thread(true, make)
}

fn run_on_own_thread<F, Fut>(paused: bool, make: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let limit = timeout();
    let (done, finished) = mpsc::channel();
    // Same name as the test, so a panic reads "thread 'step_2_…' panicked at …".
    let name = thread::current().name().unwrap_or("step").to_owned();
    let step = thread::Builder::new()
        .name(name)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .start_paused(paused)
                .build()
                .expect("cannot start a tokio runtime for this step");
            runtime.block_on(make());
            let _ = done.send(());
        })
        .expect("cannot start a thread for this step");

    match finished.recv_timeout(limit) {
        Ok(()) => {
            let _ = step.join();
        }
        // The step thread is left behind; the test binary exits when all steps end.
        Err(RecvTimeoutError::Timeout) => panic!("timed out after {} s", limit.as_secs()),
        Err(RecvTimeoutError::Disconnected) => {
            if let Err(payload) = step.join() {
                // The panic message was already printed by the step's own thread.
                panic::resume_unwind(payload);
            }
        }
    }
}

fn timeout() -> Duration {
    let secs = std::env::var(TIMEOUT_ENV).ok().and_then(|value| value.parse().ok()).unwrap_or(DEFAULT_TIMEOUT_SECS);
    Duration::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_that_finishes_passes() {
        run(|| async { tokio::task::yield_now().await });
    }

    #[test]
    fn paused_time_advances_without_waiting() {
        run_paused(|| async {
            let start = tokio::time::Instant::now();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(3600));
        });
    }

    #[test]
    fn a_panicking_step_fails_with_its_own_message() {
        let outcome = panic::catch_unwind(|| run(|| async { panic!("boom") }));
        let payload = outcome.expect_err("the step must fail");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    }
}
