//! Solution 00: welcome.

use std::time::Duration;

// ANCHOR: greeting
/// The line the workshop greets an attendee with:
/// `Welcome to untwisted, <name>! The reactor is running.`
pub fn greeting(name: &str) -> String {
    format!("Welcome to untwisted, {name}! The reactor is running.")
}
// ANCHOR_END: greeting

// ANCHOR: countdown
/// Counts down from `from` to 1, one number per second, then says `liftoff`.
pub async fn countdown(from: u32) -> Vec<String> {
    let mut said = Vec::new();
    for n in (1..=from).rev() {
        said.push(n.to_string());
        tokio::time::sleep(TICK).await;
    }
    said.push("liftoff".to_owned());
    said
}

/// The pause between two numbers of the countdown.
pub const TICK: Duration = Duration::from_secs(1);
// ANCHOR_END: countdown
