//! `d.await`: a Deferred is also a Future.
//!
//! The two are built the other way round. A deferred is eager: its callbacks run the
//! moment the result arrives, and nobody has to poll it. A future is lazy: nothing
//! happens until an executor polls it. To await a deferred, the future side only has
//! to wait until the eager side has finished its chain, then take the result.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Deferred;
use crate::deferred::Slot;

// ANCHOR: future
/// Awaiting a deferred gives the result at the end of its chain, after every
/// callback added so far has run. The result is taken: links added afterwards never
/// run, as if `await` were the chain's last callback (in Twisted it is one).
impl<T: 'static, E: 'static> Future for Deferred<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.state.borrow_mut();
        match mem::replace(&mut state.slot, Slot::Given) {
            // run_chain leaves a result in the slot only once the chain is empty.
            Slot::Ready(result) => Poll::Ready(result),
            Slot::Given => panic!("Deferred awaited after its result was taken"),
            pending => {
                // Not fired, paused on another deferred, or running: run_chain
                // wakes this task when the chain runs dry with a result.
                state.slot = pending;
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: future
