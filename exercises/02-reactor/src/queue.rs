//! The plumbing under [`Timers`](crate::timers::Timers): the scheduled calls and the
//! heap that orders them. Given whole: `timers.rs` calls it.
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

/// Why a [`DelayedCall`](crate::timers::DelayedCall) could not be cancelled, reset
/// or delayed (Twisted's `AlreadyCalled` and `AlreadyCancelled`).
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
            CallError::AlreadyCalled => {
                f.write_str("the delayed call has already been called")
            }
            CallError::AlreadyCancelled => {
                f.write_str("the delayed call has already been cancelled")
            }
        }
    }
}

impl std::error::Error for CallError {}

/// Where a call is in its life. A call runs at most once, and a cancelled call never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Pending,
    Called,
    Cancelled,
}

/// One scheduled call, shared by the heap entry and the `DelayedCall` handle.
pub(crate) struct Call {
    /// When it is due, measured by the time source.
    pub(crate) time: Duration,
    /// The sequence number of the heap entry that is currently valid for this call.
    pub(crate) seq: u64,
    pub(crate) state: State,
    pub(crate) func: Option<Box<dyn FnOnce()>>,
}

impl Call {
    /// Checks the call can still be changed: the errors Twisted raises.
    pub(crate) fn check_pending(&self) -> Result<(), CallError> {
        match self.state {
            State::Pending => Ok(()),
            State::Called => Err(CallError::AlreadyCalled),
            State::Cancelled => Err(CallError::AlreadyCancelled),
        }
    }
}

/// A heap entry. `time` and `seq` are copies taken when it was pushed: if the call
/// was moved since, its `seq` no longer matches and this entry is stale.
pub(crate) struct Entry {
    pub(crate) time: Duration,
    pub(crate) seq: u64,
    pub(crate) call: Rc<RefCell<Call>>,
}

impl Entry {
    /// True while this entry is the one that should run its call.
    pub(crate) fn is_live(&self) -> bool {
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
pub(crate) struct Queue {
    /// `Reverse` turns std's max-heap into the min-heap a timer queue needs.
    pub(crate) heap: BinaryHeap<Reverse<Entry>>,
    pub(crate) next_seq: u64,
    /// Entries left behind by cancel/reset/delay, still taking room in the heap.
    pub(crate) stale: usize,
}

impl Queue {
    /// Pushes an entry for `call` due at `time`, with the next sequence number, and
    /// makes it the call's only live entry.
    pub(crate) fn push(&mut self, call: &Rc<RefCell<Call>>, time: Duration) {
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
    pub(crate) fn left_stale(&mut self) {
        self.stale += 1;
        if self.stale > 64 && self.stale * 2 > self.heap.len() {
            self.heap.retain(|Reverse(entry)| entry.is_live());
            self.stale = 0;
        }
    }

    /// When the earliest live entry is due, dropping stale entries found on top.
    pub(crate) fn next_due(&mut self) -> Option<Duration> {
        // Stale entries on top would wake the reactor for nothing: drop them here.
        while let Some(Reverse(entry)) = self.heap.peek() {
            if entry.is_live() {
                return Some(entry.time);
            }
            self.heap.pop();
            self.stale = self.stale.saturating_sub(1);
        }
        None
    }

    /// How many entries are live: the calls still waiting to run.
    pub(crate) fn live(&self) -> usize {
        self.heap.iter().filter(|Reverse(entry)| entry.is_live()).count()
    }
}
