//! The [`Timers`] heap handle and the [`DelayedCall`] handle: their fields and the
//! methods that are given (`new`, `now`, `next_due`, `pending`, `time`, `active`,
//! `move_to`). Given whole.
//!
//! `Timers::call_later`, `Timers::run_due` and `DelayedCall`'s `cancel`, `reset` and
//! `delay` are yours to write in `timers.rs`, in other `impl` blocks of these types.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use crate::queue::CallError;
use crate::queue::{Call, Queue, State};
use crate::time::{RealTime, TimeSource};

/// The timer heap of a reactor, generic over where it reads the time.
///
/// Cloning gives another handle to the same heap, so a callback can capture one and
/// schedule more calls. Everything runs on one thread: that is the reactor's promise.
pub struct Timers<T: TimeSource = RealTime> {
    pub(crate) time: T,
    pub(crate) queue: Rc<RefCell<Queue>>,
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

    /// When the earliest pending call is due, or `None` when nothing is scheduled.
    /// The reactor sleeps in `poll` until then.
    pub fn next_due(&self) -> Option<Duration> {
        self.queue.borrow_mut().next_due()
    }

    /// How many calls are still waiting to run (Twisted's `getDelayedCalls()`).
    pub fn pending(&self) -> usize {
        self.queue.borrow().live()
    }
}

/// A handle to one scheduled call (Twisted's `IDelayedCall`): ask whether it is still
/// pending, cancel it, or move it.
pub struct DelayedCall<T: TimeSource = RealTime> {
    pub(crate) call: Rc<RefCell<Call>>,
    pub(crate) timers: Timers<T>,
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
    pub(crate) fn pending(&self) -> Result<(), CallError> {
        self.call.borrow().check_pending()
    }

    /// Pushes a fresh heap entry; the old one goes stale because its sequence number
    /// no longer matches. A moved call counts as newly scheduled for tie-breaking.
    pub(crate) fn move_to(&self, time: Duration) {
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
