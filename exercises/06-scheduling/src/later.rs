//! `call_later`: a function called once after a delay, unless cancelled first.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::TaskError;

/// A call scheduled by [`call_later`]: Twisted's `IDelayedCall` and the Deferred of
/// `task.deferLater` in one.
///
/// Dropping it does not cancel the call (as in Twisted); call [`cancel`](Self::cancel).
// The field is a suggestion: the spawned task that sleeps, then calls.
// Remove the `allow` once your methods use it.
#[allow(dead_code)]
pub struct DelayedCall<T> {
    task: JoinHandle<T>,
}

/// Calls `f` once, `delay` from now, on the event loop: Twisted's
/// `reactor.callLater(delay, f)` / `task.deferLater(clock, delay, f)`.
///
/// Spawn a task that sleeps for `delay`, then returns `f()`.
pub fn call_later<T, F>(delay: Duration, f: F) -> DelayedCall<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _ = f;
    todo!("call_later({delay:?})")
}

impl<T> DelayedCall<T> {
    /// Cancels the call if it has not run yet; it then never runs. Cancelling a call
    /// that already ran does nothing (Twisted raises `AlreadyCalled`).
    ///
    /// `JoinHandle::abort` drops the task at its next `.await`: the sleep.
    pub fn cancel(&self) {
        todo!("DelayedCall::cancel")
    }

    /// Waits for the call: its value, or [`TaskError::Cancelled`] if it was cancelled
    /// first, or [`TaskError::Panicked`] if `f` panicked (see `TaskError`'s `From`).
    pub async fn result(self) -> Result<T, TaskError> {
        todo!("DelayedCall::result")
    }
}
