//! Twisted's `task.Clock`: a timer heap whose time moves only when a test says so.

use std::time::Duration;

pub use crate::manual_clock::Clock;
use crate::time::TimeSource;

impl Clock {
    // ANCHOR: advance
    /// Moves time forward by `by`, running everything due at or before the new time,
    /// in time order, including calls scheduled during the advance that fall due
    /// within it.
    ///
    /// Time steps to each call's due time before running it, so a callback reading
    /// `seconds()` sees its own time, as on a real reactor (and on tokio's paused
    /// clock). Twisted's `Clock.advance` differs: it sets the time to the end first,
    /// then runs what is due, so a call scheduled during the advance counts its delay
    /// from the end, and may run later or not within this advance at all (step 3
    /// shows both timelines).
    pub fn advance(&self, by: Duration) {
        let end = self.time.now() + by;
        while let Some(due) = self.timers.next_due().filter(|due| *due <= end) {
            self.time.set(due);
            self.timers.run_due();
        }
        self.time.set(end);
    }
    // ANCHOR_END: advance
}
