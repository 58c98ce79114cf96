//! `LoopingCall`: a function called every interval on the event loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::{self, Instant, MissedTickBehavior};

/// Calls a function every `interval` until it is stopped or the function fails:
/// Twisted's `task.LoopingCall`.
///
/// Calls land on multiples of `interval` from the start. A call that overruns does not
/// cause a burst of catch-up calls: the loop calls once, late, and then goes back to
/// the next multiple (tokio's `MissedTickBehavior::Skip`).
pub struct LoopingCall<E> {
    stop: Arc<Notify>,
    task: JoinHandle<Result<(), E>>,
}

impl<E: Send + 'static> LoopingCall<E> {
    // ANCHOR: start
    /// Starts calling `f` every `interval`: the first call right away when `now` is
    /// true (Twisted's `start(interval, now=True)`), else one interval from now.
    ///
    /// The loop runs as its own task, so `f` and its future must be `Send`.
    /// Panics if `interval` is zero (tokio's interval needs a period).
    pub fn start<F, Fut>(interval: Duration, now: bool, mut f: F) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let first = if now { Instant::now() } else { Instant::now() + interval };
        let mut ticks = time::interval_at(first, interval);
        // The default, Burst, would call back-to-back to make up for missed ticks.
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);

        let stop = Arc::new(Notify::new());
        let stopped = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    // A stop that arrived while `f` ran is already stored in the Notify,
                    // so check it first, before a tick that is already due.
                    biased;
                    () = stopped.notified() => return Ok(()),
                    _ = ticks.tick() => f().await?,
                }
            }
        });
        Self { stop, task }
    }
    // ANCHOR_END: start

    // ANCHOR: stop
    /// Asks the loop to stop: no call starts after this, and a call that is running
    /// finishes first. [`join`](Self::join) then returns `Ok(())`.
    pub fn stop(&self) {
        // notify_one keeps a permit when nobody waits yet (the loop is inside `f`).
        self.stop.notify_one();
    }

    /// Whether the loop still runs: false once it stopped or the function failed.
    pub fn is_running(&self) -> bool {
        !self.task.is_finished()
    }
    // ANCHOR_END: stop

    // ANCHOR: join
    /// Waits for the loop to end: `Ok(())` after [`stop`](Self::stop), or the error
    /// that the function returned and that ended the loop (Twisted: the Deferred that
    /// `start()` returned fires, or errbacks).
    pub async fn join(self) -> Result<(), E> {
        match self.task.await {
            Ok(outcome) => outcome,
            // The function panicked: let the panic continue in the caller.
            Err(error) if error.is_panic() => {
                std::panic::resume_unwind(error.into_panic())
            }
            // Aborted by a runtime that is shutting down: the loop is over.
            Err(_) => Ok(()),
        }
    }
    // ANCHOR_END: join
}
