//! `d.await`: a Deferred is also a Future.
//!
//! The two are built the other way round. A deferred is eager: its callbacks run the
//! moment the result arrives, and nobody has to poll it. A future is lazy: nothing
//! happens until an executor polls it. To await a deferred, the future side only has
//! to wait until the eager side has finished its chain, then take the result.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Deferred;

/// Awaiting a deferred gives the result at the end of its chain, after every
/// callback added so far has run. The result is taken: links added afterwards never
/// run, as if `await` were the chain's last callback (in Twisted it is one).
///
/// `poll` looks at the slot:
/// - `Slot::Ready(result)`: the chain ran dry with a result (`run_chain` never leaves
///   one there while links remain). Take it, leave `Slot::Given`, return
///   `Poll::Ready(result)`.
/// - `Slot::Given`: the result is gone; polling a finished future may panic.
/// - anything else (not fired, paused, running): store `cx.waker().clone()` in
///   `State::waker` and return `Poll::Pending`. `run_chain` wakes it when the chain
///   runs dry with a result, and the executor polls again.
impl<T: 'static, E: 'static> Future for Deferred<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _ = (self, cx);
        todo!("Deferred::poll")
    }
}
