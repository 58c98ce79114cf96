//! The [`Clock`] type (Twisted's `task.Clock`) and its given methods. Given whole.
//!
//! `Clock::advance` is yours to write in `clock.rs`, in another `impl Clock` block.

use std::time::Duration;

use crate::time::{ManualTime, TimeSource};
use crate::timers::{DelayedCall, Timers};

/// A deterministic clock for tests: time starts at 0 and moves only in
/// [`Clock::advance`], which runs the calls that fall due, in order, instantly.
///
/// Clones share the same time and the same calls, so a callback can capture one.
#[derive(Clone)]
pub struct Clock {
    pub(crate) time: ManualTime,
    pub(crate) timers: Timers<ManualTime>,
}

impl Clock {
    /// A clock at time 0 with nothing scheduled.
    pub fn new() -> Self {
        let time = ManualTime::default();
        Self { timers: Timers::new(time.clone()), time }
    }

    /// The current time in seconds (Twisted's `seconds()`).
    pub fn seconds(&self) -> f64 {
        self.time.now().as_secs_f64()
    }

    /// The current time as a `Duration` since 0, exact where `seconds()` rounds.
    pub fn now(&self) -> Duration {
        self.time.now()
    }

    /// Schedules `f` to run once, `delay` from now on this clock.
    pub fn call_later(
        &self,
        delay: Duration,
        f: impl FnOnce() + 'static,
    ) -> DelayedCall<ManualTime> {
        self.timers.call_later(delay, f)
    }

    /// How many calls are still waiting (Twisted's `getDelayedCalls()`).
    pub fn pending(&self) -> usize {
        self.timers.pending()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
