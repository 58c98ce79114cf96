//! Exercise 00: welcome.
//!
//! Two small functions prove that your toolchain, tokio and the runner work.
//! Replace each `todo!()` with real code, then run `cargo xtask check 00-welcome`.

use std::time::Duration;

/// The line the workshop greets an attendee with:
/// `Welcome to untwisted, <name>! The reactor is running.`
// ANCHOR: sig_greeting
pub fn greeting(name: &str) -> String {
    todo!("greeting({name})")
}
// ANCHOR_END: sig_greeting

// ANCHOR: sig_countdown
/// Counts down from `from` to 1, one number per second, then says `liftoff`.
///
/// Returns what it said, in order: for 3 that is `["3", "2", "1", "liftoff"]`.
/// Wait with `tokio::time::sleep(TICK)` (never `std::thread::sleep`, which would
/// block the whole event loop).
pub async fn countdown(from: u32) -> Vec<String> {
    let _ = TICK;
    todo!("countdown({from})")
}

/// The pause between two numbers of the countdown.
pub const TICK: Duration = Duration::from_secs(1);
// ANCHOR_END: sig_countdown
