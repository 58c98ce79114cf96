//! `call_later` on a timer heap, and the handle that cancels or moves a call.
//!
//! Yours to write: `Timers::call_later`, `Timers::run_due`, and `DelayedCall`'s
//! `cancel`, `reset` and `delay`, in the `impl` blocks below. The two types, their
//! fields and their other methods (`now`, `next_due`, `DelayedCall`'s `pending` and
//! `move_to`) are given in `schedule.rs`; the heap plumbing in `queue.rs`
//! (`Queue::push`, `Entry::is_live`, `Queue::left_stale`) is given too: call them.
//!
//! A call that is cancelled or moved is not dug out of the heap: its old entry goes
//! stale (see `queue.rs`) and is skipped when it reaches the top.

// `RefCell`, `Rc`, `Call` and `State` are for your `call_later` and `run_due`.
#[allow(unused_imports)]
use std::cell::RefCell;
#[allow(unused_imports)]
use std::rc::Rc;
use std::time::Duration;

pub use crate::queue::CallError;
#[allow(unused_imports)]
use crate::queue::{Call, State};
pub use crate::schedule::{DelayedCall, Timers};
use crate::time::TimeSource;

impl<T: TimeSource + Clone> Timers<T> {
    /// Schedules `f` to run once, `delay` from now (Twisted's `callLater`).
    pub fn call_later(
        &self,
        delay: Duration,
        f: impl FnOnce() + 'static,
    ) -> DelayedCall<T> {
        // Wrap `f` in a pending `Call` shared through `Rc<RefCell<…>>`, push it with
        // `Queue::push` at `self.now() + delay` (push gives it the next sequence number),
        // and return a `DelayedCall` that holds the call and a clone of `self`.
        let _ = (delay, f);
        todo!("Timers::call_later")
    }

    /// Runs every call that was due when this pass began, earliest first, and returns
    /// how many ran (Twisted's `runUntilCurrent`).
    ///
    /// A call scheduled *during* the pass waits for the next pass, even with a zero
    /// delay: otherwise a callback that reschedules itself with `call_later(0, …)`
    /// would starve the sockets forever.
    pub fn run_due(&self) -> usize {
        // 1. Read `now` and `pass_end = next_seq` once, before running anything.
        // 2. Loop: pop the top entry while it is due (`time <= now`) and was pushed
        //    before the pass (`seq < pass_end`); skip entries that are not `is_live()`.
        //    The heap holds `Reverse(entry)` (`use std::cmp::Reverse;`).
        // 3. Mark the call `Called`, take its `func` and call it, with no `borrow` or
        //    `borrow_mut` of the queue or the call still alive (the callback may
        //    schedule, cancel or reset: that borrows them again).
        todo!("Timers::run_due")
    }
}

impl<T: TimeSource + Clone> DelayedCall<T> {
    /// Unschedules the call. Errors if it already ran or was already cancelled.
    pub fn cancel(&self) -> Result<(), CallError> {
        // `self.pending()?` gives Twisted's errors. Then mark the call `Cancelled`,
        // drop its closure, and tell the queue an entry went stale (`left_stale`).
        todo!("DelayedCall::cancel")
    }

    /// Moves the call to `delay` from *now*, earlier or later than before.
    pub fn reset(&self, delay: Duration) -> Result<(), CallError> {
        // Check `pending()`, then `move_to(now + delay)`.
        let _ = delay;
        todo!("DelayedCall::reset")
    }

    /// Moves the call `extra` later than it was due.
    pub fn delay(&self, extra: Duration) -> Result<(), CallError> {
        // Check `pending()`, then `move_to(the call's time + extra)`.
        let _ = extra;
        todo!("DelayedCall::delay")
    }
}
