//! `call_later` on a timer heap, and the handle that cancels or moves a call.
//!
//! A call that is cancelled or moved is not dug out of the heap: its old entry goes
//! stale (see `queue.rs`) and is skipped when it reaches the top.

use std::cell::RefCell;
use std::cmp::Reverse;
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

    // ANCHOR: call_later
    /// Schedules `f` to run once, `delay` from now (Twisted's `callLater`).
    pub fn call_later(
        &self,
        delay: Duration,
        f: impl FnOnce() + 'static,
    ) -> DelayedCall<T> {
        let call = Rc::new(RefCell::new(Call {
            time: Duration::ZERO,
            seq: 0,
            state: State::Pending,
            func: Some(Box::new(f)),
        }));
        // The sequence number breaks ties: equal times fire in scheduling order.
        self.queue.borrow_mut().push(&call, self.now() + delay);
        DelayedCall { call, timers: self.clone() }
    }
    // ANCHOR_END: call_later

    /// When the earliest pending call is due, or `None` when nothing is scheduled.
    /// The reactor sleeps in `poll` until then.
    pub fn next_due(&self) -> Option<Duration> {
        self.queue.borrow_mut().next_due()
    }

    // ANCHOR: run_due
    /// Runs every call that was due when this pass began, earliest first, and returns
    /// how many ran (Twisted's `runUntilCurrent`).
    ///
    /// A call scheduled *during* the pass waits for the next pass, even with a zero
    /// delay: otherwise a callback that reschedules itself with `call_later(0, …)`
    /// would starve the sockets forever.
    pub fn run_due(&self) -> usize {
        let now = self.now();
        // Entries pushed from here on have a sequence number >= this one.
        let pass_end = self.queue.borrow().next_seq;
        let mut ran = 0;
        loop {
            // Take the next due entry, then let go of the heap *before* calling user
            // code: the callback may schedule, cancel or reset, which borrows it again.
            let entry = {
                let mut queue = self.queue.borrow_mut();
                match queue.heap.peek() {
                    Some(Reverse(top)) if top.time <= now && top.seq < pass_end => {}
                    _ => break,
                }
                let Some(Reverse(entry)) = queue.heap.pop() else { break };
                if !entry.is_live() {
                    queue.stale = queue.stale.saturating_sub(1);
                    continue;
                }
                entry
            };
            let func = {
                let mut call = entry.call.borrow_mut();
                call.state = State::Called;
                call.func.take()
            };
            if let Some(func) = func {
                func();
                ran += 1;
            }
        }
        ran
    }
    // ANCHOR_END: run_due

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

    // ANCHOR: cancel
    /// Unschedules the call. Errors if it already ran or was already cancelled.
    pub fn cancel(&self) -> Result<(), CallError> {
        self.pending()?;
        {
            let mut call = self.call.borrow_mut();
            call.state = State::Cancelled;
            // Drop the closure now: it may hold sockets or large buffers.
            call.func = None;
        }
        self.timers.queue.borrow_mut().left_stale();
        Ok(())
    }

    /// Moves the call to `delay` from *now*, earlier or later than before.
    pub fn reset(&self, delay: Duration) -> Result<(), CallError> {
        self.pending()?;
        self.move_to(self.timers.now() + delay);
        Ok(())
    }

    /// Moves the call `extra` later than it was due.
    pub fn delay(&self, extra: Duration) -> Result<(), CallError> {
        self.pending()?;
        let time = self.time() + extra;
        self.move_to(time);
        Ok(())
    }
    // ANCHOR_END: cancel

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
