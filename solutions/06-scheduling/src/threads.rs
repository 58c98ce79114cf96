//! Threads and the loop: `deferToThread` and `callFromThread`.

use tokio::sync::mpsc;

use crate::TaskError;

// ANCHOR: defer_to_thread
/// Runs blocking work `f` on tokio's blocking thread pool and waits for its result
/// without blocking the event loop: Twisted's `threads.deferToThread(f)`.
///
/// A panic in `f` comes back as [`TaskError::Panicked`], as an exception in the thread
/// comes back to Twisted as a failed Deferred.
pub async fn defer_to_thread<T, F>(f: F) -> Result<T, TaskError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(TaskError::from)
}
// ANCHOR_END: defer_to_thread

/// A call posted by another thread, to run on the loop with the loop's state.
type Call<S> = Box<dyn FnOnce(&mut S) + Send>;

// ANCHOR: call_from_thread
/// Creates the two ends of `callFromThread`: [`FromThread`] for other threads to post
/// calls with, [`LoopCalls`] for the loop to run them with its own state `S`.
pub fn loop_calls<S>() -> (FromThread<S>, LoopCalls<S>) {
    // Unbounded: `send` never waits, so a plain thread can post without a runtime.
    let (calls, queue) = mpsc::unbounded_channel();
    (FromThread { calls }, LoopCalls { queue })
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
        self.calls.send(Box::new(f)).map_err(|_| TaskError::Closed)
    }
}

/// The loop's end of `callFromThread`: runs posted calls, in order, on the loop.
pub struct LoopCalls<S> {
    queue: mpsc::UnboundedReceiver<Call<S>>,
}

impl<S> LoopCalls<S> {
    /// Runs each posted call with `state` until every [`FromThread`] is dropped.
    /// `state` may be `!Send` (an `Rc`): it stays on the loop's task.
    pub async fn run(mut self, state: &mut S) {
        while let Some(call) = self.queue.recv().await {
            call(state);
        }
    }
}
// ANCHOR_END: call_from_thread
