//! `call_later`: a function called once after a delay, unless cancelled first.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::TaskError;

/// A call scheduled by [`call_later`]: Twisted's `IDelayedCall` and the Deferred of
/// `task.deferLater` in one.
///
/// Dropping it does not cancel the call (as in Twisted); call [`cancel`](Self::cancel).
pub struct DelayedCall<T> {
    task: JoinHandle<T>,
}

// ANCHOR: call_later
/// Calls `f` once, `delay` from now, on the event loop: Twisted's
/// `reactor.callLater(delay, f)` / `task.deferLater(clock, delay, f)`.
pub fn call_later<T, F>(delay: Duration, f: F) -> DelayedCall<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let task = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        f()
    });
    DelayedCall { task }
}

impl<T> DelayedCall<T> {
    /// Cancels the call if it has not run yet; it then never runs. Cancelling a call
    /// that already ran does nothing (Twisted raises `AlreadyCalled`).
    pub fn cancel(&self) {
        // Aborting wakes the task and drops it at its next await: the sleep. `f` is
        // synchronous, so the abort lands either before `f` starts or after it ended.
        self.task.abort();
    }

    /// Waits for the call: its value, or [`TaskError::Cancelled`] if it was cancelled
    /// first, or [`TaskError::Panicked`] if `f` panicked.
    pub async fn result(self) -> Result<T, TaskError> {
        self.task.await.map_err(TaskError::from)
    }
}
// ANCHOR_END: call_later
