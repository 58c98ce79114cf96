//! `call_later` on a timer heap, and the handle that cancels or moves a call.
//!
//! Yours to write: `Timers::call_later`, `Timers::run_due`, and `DelayedCall`'s
//! `cancel`, `reset` and `delay`. The heap plumbing in `queue.rs` (`Queue::push`,
//! `Entry::is_live`, `Queue::left_stale`) and `DelayedCall`'s `pending` and
//! `move_to` are given: call them.
//!
//! A call that is cancelled or moved is not dug out of the heap: its old entry goes
//! stale (see `queue.rs`) and is skipped when it reaches the top.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

pub use crate::queue::CallError;
use crate::queue::{Call, Queue, State};
use crate::time::{RealTime, TimeSource};

/// The timer heap of a reactor, generic over where it reads the time.
///
/// Cloning gives another handle to the same heap, so a callback can capture one and
/// schedule more calls. Everything runs on one thread: that is the reactor's promise.
pub struct Timers<T: TimeSource = RealTime> {
    time: T,
    queue: Rc<RefCell<Queue>>,
}

impl<T: TimeSource + Clone> Clone for Timers<T> {
    fn clone(&self) -> Self {
        Self { time: self.time.clone(), queue: Rc::clone(&self.queue) }
    }
}

impl<T: TimeSource + Clone> Timers<T> {
    /// An empty heap that reads the time from `time`.
    pub fn new(time: T) -> Self {
        Self { time, queue: Rc::default() }
    }

    /// The current time of this heap's time source.
    pub fn now(&self) -> Duration {
        self.time.now()
    }

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

    /// When the earliest pending call is due, or `None` when nothing is scheduled.
    /// The reactor sleeps in `poll` until then.
    pub fn next_due(&self) -> Option<Duration> {
        self.queue.borrow_mut().next_due()
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

    /// How many calls are still waiting to run (Twisted's `getDelayedCalls()`).
    pub fn pending(&self) -> usize {
        self.queue.borrow().live()
    }
}

/// A handle to one scheduled call (Twisted's `IDelayedCall`): ask whether it is still
/// pending, cancel it, or move it.
pub struct DelayedCall<T: TimeSource = RealTime> {
    call: Rc<RefCell<Call>>,
    timers: Timers<T>,
}

impl<T: TimeSource + Clone> DelayedCall<T> {
    /// When the call is (or was) due, on the time source's clock (`getTime()`).
    pub fn time(&self) -> Duration {
        self.call.borrow().time
    }

    /// True until the call has run or been cancelled.
    pub fn active(&self) -> bool {
        self.call.borrow().state == State::Pending
    }

    /// Checks the call can still be changed: the errors Twisted raises.
    fn pending(&self) -> Result<(), CallError> {
        self.call.borrow().check_pending()
    }

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

    /// Pushes a fresh heap entry; the old one goes stale because its sequence number
    /// no longer matches. A moved call counts as newly scheduled for tie-breaking.
    fn move_to(&self, time: Duration) {
        let mut queue = self.timers.queue.borrow_mut();
        queue.push(&self.call, time);
        queue.left_stale();
    }
}

impl<T: TimeSource> fmt::Debug for DelayedCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.call.borrow();
        f.debug_struct("DelayedCall")
            .field("time", &call.time)
            .field("state", &call.state)
            .finish()
    }
}
