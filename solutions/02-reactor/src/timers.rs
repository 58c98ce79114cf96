//! `call_later` on a timer heap, and the handle that cancels or moves a call.
//!
//! A call that is cancelled or moved is not dug out of the heap: its old entry goes
//! stale (see `queue.rs`) and is skipped when it reaches the top.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::rc::Rc;
use std::time::Duration;

pub use crate::queue::CallError;
use crate::queue::{Call, State};
pub use crate::schedule::{DelayedCall, Timers};
use crate::time::TimeSource;

impl<T: TimeSource + Clone> Timers<T> {
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
}

impl<T: TimeSource + Clone> DelayedCall<T> {
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
}
