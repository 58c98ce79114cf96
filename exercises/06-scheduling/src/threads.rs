//! Threads and the loop: `deferToThread` and `callFromThread`.

use tokio::sync::mpsc;

use crate::TaskError;

/// Runs blocking work `f` on tokio's blocking thread pool and waits for its result
/// without blocking the event loop: Twisted's `threads.deferToThread(f)`.
///
/// `tokio::task::spawn_blocking(f)` returns a `JoinHandle`; a panic in `f` comes back
/// as [`TaskError::Panicked`], as an exception in the thread comes back to Twisted as
/// a failed Deferred.
pub async fn defer_to_thread<T, F>(f: F) -> Result<T, TaskError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _ = f;
    todo!("defer_to_thread")
}

/// A call posted by another thread, to run on the loop with the loop's state.
type Call<S> = Box<dyn FnOnce(&mut S) + Send>;

/// Creates the two ends of `callFromThread`: [`FromThread`] for other threads to post
/// calls with, [`LoopCalls`] for the loop to run them with its own state `S`.
///
/// An unbounded `tokio::sync::mpsc` channel of `Call`s (boxed closures) fits: its `send` never
/// waits, so a plain thread can post without a runtime.
pub fn loop_calls<S>() -> (FromThread<S>, LoopCalls<S>) {
    todo!("loop_calls")
}

/// What another thread holds to hand work back to the event loop: Twisted's
/// `reactor.callFromThread`. Clone it for each thread.
pub struct FromThread<S> {
    calls: mpsc::UnboundedSender<Call<S>>,
}

impl<S> Clone for FromThread<S> {
    fn clone(&self) -> Self {
        Self { calls: self.calls.clone() }
    }
}

impl<S> FromThread<S> {
    /// Posts `f` to run on the loop, after the calls posted before it. Only the call
    /// crosses threads, so it must be `Send`; the loop's state `S` never moves.
    /// Fails with [`TaskError::Closed`] when the loop no longer takes calls.
    pub fn call_from_thread(
        &self,
        f: impl FnOnce(&mut S) + Send + 'static,
    ) -> Result<(), TaskError> {
        let _ = f;
        todo!("FromThread::call_from_thread")
    }
}

/// The loop's end of `callFromThread`: runs posted calls, in order, on the loop.
// The field is a suggestion. Remove the `allow` once your methods use it.
#[allow(dead_code)]
pub struct LoopCalls<S> {
    queue: mpsc::UnboundedReceiver<Call<S>>,
}

impl<S> LoopCalls<S> {
    /// Runs each posted call with `state` until every [`FromThread`] is dropped (then
    /// the channel's `recv()` returns `None`). `state` may be `!Send` (an `Rc`): it
    /// stays on the loop's task.
    pub async fn run(self, state: &mut S) {
        let _ = state;
        todo!("LoopCalls::run")
    }
}
