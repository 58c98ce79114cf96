//! Per-name rate limit: a token bucket for each name, so one runaway `watch` loop
//! cannot flood the room (or its page) for everybody.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Requests per second a name may keep up.
pub const RATE_PER_SEC: f64 = 5.0;
/// Requests a name may send at once after a quiet spell.
pub const BURST: f64 = 10.0;
/// The most names tracked at once; beyond it, names with a full bucket are forgotten.
pub const MAX_TRACKED: usize = 4096;

/// Token buckets by name.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn refilled(self, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * RATE_PER_SEC).min(BURST)
    }
}

impl RateLimiter {
    /// Whether `name` may make a request at `now` (and counts it if so).
    pub fn allow(&mut self, name: &str, now: Instant) -> bool {
        if !self.buckets.contains_key(name) && self.buckets.len() >= MAX_TRACKED {
            // A full bucket remembers nothing a fresh one would not.
            self.buckets.retain(|_, bucket| bucket.refilled(now) < BURST);
            if self.buckets.len() >= MAX_TRACKED {
                return false;
            }
        }
        let bucket = self.buckets.entry(name.to_owned()).or_insert(Bucket { tokens: BURST, updated: now });
        let tokens = bucket.refilled(now);
        bucket.updated = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            true
        } else {
            bucket.tokens = tokens;
            false
        }
    }

    /// How long until a name refused now may try again.
    pub fn retry_after() -> Duration {
        Duration::from_secs_f64(1.0 / RATE_PER_SEC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_ten_then_five_per_second() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        let allowed = (0..15).filter(|_| limiter.allow("ada", start)).count();
        assert_eq!(allowed, 10, "the burst");
        assert!(limiter.allow("grace", start), "names have buckets of their own");
        let second = start + Duration::from_secs(1);
        assert_eq!((0..10).filter(|_| limiter.allow("ada", second)).count(), 5, "a second refills five");
        // Steady at the rate: never refused.
        let mut at = second + Duration::from_secs(10);
        for _ in 0..100 {
            at += Duration::from_millis(200);
            assert!(limiter.allow("ada", at));
        }
    }

    #[test]
    fn the_table_of_names_is_bounded() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for i in 0..MAX_TRACKED {
            assert!(limiter.allow(&format!("n{i}"), start));
        }
        assert!(!limiter.allow("one too many", start), "every tracked name is busy");
        let later = start + Duration::from_secs(1);
        assert!(limiter.allow("one too many", later), "idle names are forgotten");
        assert!(limiter.buckets.len() <= MAX_TRACKED);
    }
}
