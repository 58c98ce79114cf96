//! `LoopingCall`: a function called every interval on the event loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Calls a function every `interval` until it is stopped or the function fails:
/// Twisted's `task.LoopingCall`.
///
/// Calls land on multiples of `interval` from the start. A call that overruns does not
/// cause a burst of catch-up calls: the loop calls once, late, and then goes back to
/// the next multiple. That is `tokio::time::interval` with
/// `set_missed_tick_behavior(MissedTickBehavior::Skip)`; the default, `Burst`, would
/// call back-to-back for every missed tick.
// The fields are a suggestion: the loop's task, and a Notify that asks it to stop.
// Remove the `allow` once your methods use them.
#[allow(dead_code)]
pub struct LoopingCall<E> {
    stop: Arc<Notify>,
    task: JoinHandle<Result<(), E>>,
}

impl<E: Send + 'static> LoopingCall<E> {
    /// Starts calling `f` every `interval`: the first call right away when `now` is
    /// true (Twisted's `start(interval, now=True)`), else one interval from now.
    ///
    /// Build the ticks with `tokio::time::interval_at(first, interval)` (the first
    /// `tick()` completes at `first`), set `MissedTickBehavior::Skip`, and
    /// `tokio::spawn` a task that loops: wait for a stop or a tick (`tokio::select!`,
    /// `biased;` with the stop first), then `f().await?`, so that an error ends the
    /// loop and becomes the task's result.
    ///
    /// The loop runs as its own task, so `f` and its future must be `Send`.
    pub fn start<F, Fut>(interval: Duration, now: bool, f: F) -> Self
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        let _ = f;
        todo!("LoopingCall::start(every {interval:?}, now = {now})")
    }

    /// Asks the loop to stop: no call starts after this, and a call that is running
    /// finishes first. [`join`](Self::join) then returns `Ok(())`.
    ///
    /// `Notify::notify_one` stores a permit when nobody waits yet (the loop is busy
    /// inside `f`), so the next `notified().await` completes at once.
    pub fn stop(&self) {
        todo!("LoopingCall::stop")
    }

    /// Whether the loop still runs: false once it stopped or the function failed
    /// (`JoinHandle::is_finished`).
    pub fn is_running(&self) -> bool {
        todo!("LoopingCall::is_running")
    }

    /// Waits for the loop to end: `Ok(())` after [`stop`](Self::stop), or the error
    /// that the function returned and that ended the loop (Twisted: the Deferred that
    /// `start()` returned fires, or errbacks).
    ///
    /// Awaiting the task's `JoinHandle` gives `Ok(the loop's result)`, or a `JoinError`
    /// if the function panicked (`std::panic::resume_unwind(error.into_panic())` lets
    /// that panic continue here) or the runtime is shutting down (the loop is over).
    pub async fn join(self) -> Result<(), E> {
        todo!("LoopingCall::join")
    }
}
