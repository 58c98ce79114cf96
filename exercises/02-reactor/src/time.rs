//! Where the reactor reads the time from.
//!
//! The timer heap only ever asks "what time is it?", so the same heap runs on the
//! real monotonic clock in production and on a hand-moved clock in tests.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A source of "now", measured from the source's own start (time 0).
pub trait TimeSource {
    /// How much time has passed since this source started.
    fn now(&self) -> Duration;
}

/// The real monotonic clock: time 0 is when the source was created.
///
/// Monotonic, not wall-clock: a user changing the system date must not make
/// timers fire early or hang.
#[derive(Clone, Copy, Debug)]
pub struct RealTime {
    start: Instant,
}

impl RealTime {
    /// A real clock that reads 0 now.
    pub fn new() -> Self {
        Self { start: Instant::now() }
    }
}

impl Default for RealTime {
    fn default() -> Self {
        Self::new()
    }
}

impl TimeSource for RealTime {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Time that moves only when someone moves it: the time source behind [`crate::Clock`].
///
/// Clones share the same time, so the clock and its timer heap agree on "now".
#[derive(Clone, Debug, Default)]
pub struct ManualTime {
    now: Rc<Cell<Duration>>,
}

impl ManualTime {
    /// Moves the time to `to`. Time never goes backwards, so an earlier `to` is ignored.
    pub fn set(&self, to: Duration) {
        self.now.set(self.now.get().max(to));
    }
}

impl TimeSource for ManualTime {
    fn now(&self) -> Duration {
        self.now.get()
    }
}
