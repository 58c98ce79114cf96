//! When to try again: exponential backoff with jitter, as a plain calculation.
//!
//! Keeping the policy apart from the waiting and the connecting makes it testable
//! without a clock or a network.

use std::time::Duration;

pub use crate::rng::SplitMix64;

// ANCHOR: backoff
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
    initial_delay: Duration,
    factor: f64,
    max_delay: Duration,
    jitter: f64,
    max_retries: Option<u32>,
    /// The next delay before jitter.
    delay: Duration,
    /// Delays handed out since the last reset.
    retries: u32,
    rng: SplitMix64,
}

impl Backoff {
    /// Starts at `initial_delay`, multiplies by `factor` after each retry, stops
    /// growing at `max_delay`. No jitter, no limit on retries.
    ///
    /// A `factor` below 1 (or NaN) is taken as 1: a backoff never speeds up.
    pub fn new(initial_delay: Duration, factor: f64, max_delay: Duration) -> Self {
        let initial_delay = initial_delay.min(max_delay);
        Self {
            initial_delay,
            factor: if factor >= 1.0 { factor } else { 1.0 },
            max_delay,
            jitter: 0.0,
            max_retries: None,
            delay: initial_delay,
            retries: 0,
            rng: SplitMix64::new(0),
        }
    }

    /// Spreads each delay by up to ±`jitter` (a fraction, clamped to 0..=1) of
    /// itself, drawing from a generator seeded with `seed`. Give every process its
    /// own seed (the time, the pid): the same seed everywhere means the same
    /// "random" delays everywhere.
    pub fn with_jitter(mut self, jitter: f64, seed: u64) -> Self {
        self.jitter = if jitter.is_nan() { 0.0 } else { jitter.clamp(0.0, 1.0) };
        self.rng = SplitMix64::new(seed);
        self
    }

    /// Gives up after `max_retries` delays without a successful connection.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// The delay to wait before the next attempt, or `None` to give up.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.max_retries.is_some_and(|max| self.retries >= max) {
            return None;
        }
        self.retries += 1;
        let base = self.delay;
        // Grow the base, not the jittered value: jitter must not drift the sequence.
        self.delay = scale(base, self.factor).min(self.max_delay);
        if self.jitter == 0.0 {
            return Some(base);
        }
        let spread = 2.0 * self.rng.next_f64() - 1.0; // in [-1, 1)
        Some(scale(base, 1.0 + self.jitter * spread))
    }

    /// Back to the first delay and zero retries: call it once a connection succeeds
    /// (Twisted's `resetDelay`).
    pub fn reset(&mut self) {
        self.delay = self.initial_delay;
        self.retries = 0;
    }

    /// How many delays were handed out since the last reset.
    pub fn retries(&self) -> u32 {
        self.retries
    }
}

/// `duration · by`, saturating instead of panicking on overflow.
fn scale(duration: Duration, by: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * by).unwrap_or(Duration::MAX)
}
// ANCHOR_END: backoff
