//! When to try again: exponential backoff with jitter, as a plain calculation.
//!
//! Keeping the policy apart from the waiting and the connecting makes it testable
//! without a clock or a network.
//!
//! Yours to write: the [`Backoff`] type and its methods, below. [`SplitMix64`], the
//! generator for the jitter, is given in `rng.rs`.

use std::time::Duration;

pub use crate::rng::SplitMix64;

/// The delays between reconnection attempts (the policy of Twisted's
/// `ReconnectingClientFactory`: `initialDelay`, `factor`, `maxDelay`, `jitter`,
/// `maxRetries`).
///
/// Without jitter the delays are `initial, initial·factor, initial·factor², …`,
/// never more than `max_delay`. With jitter `j` each delay is drawn from
/// `[d·(1−j), d·(1+j)]` around that sequence, so a thousand clients cut off together
/// do not all come back in the same millisecond.
#[derive(Debug, Clone)]
pub struct Backoff {
    // Your fields here: the settings, the next delay before jitter, the number of
    // retries since the last reset, and a `SplitMix64` for the jitter.
}

impl Backoff {
    /// Starts at `initial_delay`, multiplies by `factor` after each retry, stops
    /// growing at `max_delay`. No jitter, no limit on retries.
    ///
    /// A `factor` below 1 (or NaN) is taken as 1: a backoff never speeds up.
    pub fn new(initial_delay: Duration, factor: f64, max_delay: Duration) -> Self {
        todo!("Backoff::new({initial_delay:?}, {factor}, {max_delay:?})")
    }

    /// Spreads each delay by up to ±`jitter` (a fraction, clamped to 0..=1) of
    /// itself, drawing from a `SplitMix64` seeded with `seed`. Give every process its
    /// own seed (the time, the pid): the same seed everywhere means the same
    /// "random" delays everywhere.
    pub fn with_jitter(self, jitter: f64, seed: u64) -> Self {
        let _ = self;
        todo!("Backoff::with_jitter({jitter}, {seed})")
    }

    /// Gives up after `max_retries` delays without a successful connection.
    pub fn with_max_retries(self, max_retries: u32) -> Self {
        let _ = self;
        todo!("Backoff::with_max_retries({max_retries})")
    }

    /// The delay to wait before the next attempt, or `None` to give up (when
    /// `max_retries` delays were already handed out since the last reset).
    ///
    /// Jitter the delay you return, but grow the delay you keep from the
    /// un-jittered one, or the sequence drifts. `Duration::mul_f64` panics on
    /// overflow; `Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)` does not.
    pub fn next_delay(&mut self) -> Option<Duration> {
        todo!("Backoff::next_delay")
    }

    /// Back to the first delay and zero retries: call it once a connection succeeds
    /// (Twisted's `resetDelay`).
    pub fn reset(&mut self) {
        todo!("Backoff::reset")
    }

    /// How many delays were handed out since the last reset.
    pub fn retries(&self) -> u32 {
        todo!("Backoff::retries")
    }
}
