//! `call_later` on a timer heap, and the handle that cancels or moves a call.
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

    // ANCHOR: call_later
    /// Schedules `f` to run once, `delay` from now (Twisted's `callLater`).
    pub fn call_later(&self, delay: Duration, f: impl FnOnce() + 'static) -> DelayedCall<T> {
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
        f.debug_struct("DelayedCall").field("time", &call.time).field("state", &call.state).finish()
    }
}
