//! `call_later` on a timer heap, and the handle that cancels or moves a call.
//!
//! Yours to write: `Timers::call_later`, `Timers::run_due`, and `DelayedCall`'s
//! `cancel`, `reset` and `delay`. The heap plumbing (`Queue::push`, `Entry::is_live`,
//! `Queue::left_stale`, `DelayedCall::move_to`) is given: call it.
//!
//! The heap is a `BinaryHeap` ordered by (due time, sequence number): the earliest
//! call is always on top, and two calls due at the same time fire in the order they
//! were scheduled. Cancelling or moving a call does not dig it out of the heap (that
//! would be O(n)); the old entry is left behind, marked stale, and skipped when it
//! reaches the top. Twisted's reactor does the same.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use crate::time::{RealTime, TimeSource};

/// Why a [`DelayedCall`] could not be cancelled, reset or delayed
/// (Twisted's `AlreadyCalled` and `AlreadyCancelled`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The call has already run.
    AlreadyCalled,
    /// The call was cancelled before it ran.
    AlreadyCancelled,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::AlreadyCalled => f.write_str("the delayed call has already been called"),
            CallError::AlreadyCancelled => f.write_str("the delayed call has already been cancelled"),
        }
    }
}

impl std::error::Error for CallError {}

/// Where a call is in its life. A call runs at most once, and a cancelled call never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Pending,
    Called,
    Cancelled,
}

/// One scheduled call, shared by the heap entry and the [`DelayedCall`] handle.
struct Call {
    /// When it is due, measured by the time source.
    time: Duration,
    /// The sequence number of the heap entry that is currently valid for this call.
    seq: u64,
    state: State,
    func: Option<Box<dyn FnOnce()>>,
}

/// A heap entry. `time` and `seq` are copies taken when it was pushed: if the call
/// was moved since, its `seq` no longer matches and this entry is stale.
struct Entry {
    time: Duration,
    seq: u64,
    call: Rc<RefCell<Call>>,
}

impl Entry {
    fn is_live(&self) -> bool {
        let call = self.call.borrow();
        call.state == State::Pending && call.seq == self.seq
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// The heap and the counter that numbers entries.
#[derive(Default)]
struct Queue {
    /// `Reverse` turns std's max-heap into the min-heap a timer queue needs.
    heap: BinaryHeap<Reverse<Entry>>,
    next_seq: u64,
    /// Entries left behind by cancel/reset/delay, still taking room in the heap.
    stale: usize,
}

impl Queue {
    fn push(&mut self, call: &Rc<RefCell<Call>>, time: Duration) {
        let seq = self.next_seq;
        self.next_seq += 1;
        {
            let mut c = call.borrow_mut();
            c.time = time;
            c.seq = seq;
        }
        self.heap.push(Reverse(Entry { time, seq, call: Rc::clone(call) }));
    }

    /// Notes one more stale entry; when they are over half the heap, sweeps them out
    /// so a program that schedules and cancels timeouts forever does not grow forever.
    fn left_stale(&mut self) {
        self.stale += 1;
        if self.stale > 64 && self.stale * 2 > self.heap.len() {
            self.heap.retain(|Reverse(entry)| entry.is_live());
            self.stale = 0;
        }
    }
}

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
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + 'static) -> DelayedCall<T> {
        // Wrap `f` in a pending `Call` shared through `Rc<RefCell<…>>`, push it with
        // `Queue::push` at `self.now() + delay` (push gives it the next sequence number),
        // and return a `DelayedCall` that holds the call and a clone of `self`.
        let _ = (delay, f);
        todo!("Timers::call_later")
    }

    /// When the earliest pending call is due, or `None` when nothing is scheduled.
    /// The reactor sleeps in `poll` until then.
    pub fn next_due(&self) -> Option<Duration> {
        let mut queue = self.queue.borrow_mut();
        // Stale entries on top would wake the reactor for nothing: drop them here.
        while let Some(Reverse(entry)) = queue.heap.peek() {
            if entry.is_live() {
                return Some(entry.time);
            }
            queue.heap.pop();
            queue.stale = queue.stale.saturating_sub(1);
        }
        None
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
        // 3. Mark the call `Called`, take its `func` and call it, with no `borrow` or
        //    `borrow_mut` of the queue or the call still alive (the callback may
        //    schedule, cancel or reset: that borrows them again).
        todo!("Timers::run_due")
    }

    /// How many calls are still waiting to run (Twisted's `getDelayedCalls()`).
    pub fn pending(&self) -> usize {
        self.queue.borrow().heap.iter().filter(|Reverse(entry)| entry.is_live()).count()
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
        match self.call.borrow().state {
            State::Pending => Ok(()),
            State::Called => Err(CallError::AlreadyCalled),
            State::Cancelled => Err(CallError::AlreadyCancelled),
        }
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
        f.debug_struct("DelayedCall").field("time", &call.time).field("state", &call.state).finish()
    }
}
