//! Worked examples for the setup chapter (book/src/setup/index.md).
//!
//! A restock timer: a label built with `format!`, and a tiny async function that
//! waits on tokio's clock. The tests run it in paused time, as the exercise's steps do.

use std::time::Duration;

// ANCHOR: label
/// The line the dashboard shows when a delivery is booked, for example
/// `BOLT-M8: 40 due in 2 s`.
pub fn restock_label(sku: &str, quantity: u32, lead_time: Duration) -> String {
    // `{sku}` reads a variable in scope; an expression goes in `{}` with an argument.
    format!("{sku}: {quantity} due in {} s", lead_time.as_secs())
}
// ANCHOR_END: label

// ANCHOR: restock
/// Waits for a delivery's lead time, then says what arrived.
///
/// While it waits, the thread is free: `.await` hands it back to tokio's event loop,
/// which runs other tasks until the timer is due.
pub async fn restock(sku: &str, quantity: u32, lead_time: Duration) -> String {
    tokio::time::sleep(lead_time).await;
    format!("{sku}: {quantity} received")
}
// ANCHOR_END: restock

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{restock, restock_label};

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_label_formats_the_delivery() {
        assert_eq!(restock_label("BOLT-M8", 40, 2 * SECOND), "BOLT-M8: 40 due in 2 s");
    }

    // ANCHOR: paused
    // `start_paused`: tokio's clock stands still, and jumps to the next timer as soon
    // as every task is waiting. Two seconds of restocking take no real time.
    #[tokio::test(start_paused = true)]
    async fn a_restock_takes_its_lead_time_in_virtual_time() {
        let start = Instant::now();
        let said = restock("BOLT-M8", 40, 2 * SECOND).await;
        assert_eq!(said, "BOLT-M8: 40 received");
        assert_eq!(start.elapsed(), 2 * SECOND, "exactly, every run");
    }
    // ANCHOR_END: paused

    // ANCHOR: add_up
    // One `.await` after another: the second timer starts when the first is over,
    // so the waits add up.
    #[tokio::test(start_paused = true)]
    async fn restocks_awaited_one_after_another_add_up() {
        let start = Instant::now();
        restock("BOLT-M8", 40, 2 * SECOND).await;
        restock("NUT-M8", 15, 3 * SECOND).await;
        assert_eq!(start.elapsed(), 5 * SECOND);
    }
    // ANCHOR_END: add_up

    // ANCHOR: lazy
    // A future does nothing until it is awaited: building it starts no timer.
    #[tokio::test(start_paused = true)]
    async fn a_restock_never_awaited_never_waits() {
        let start = Instant::now();
        let pending = restock("WASHER-M8", 100, 60 * SECOND);
        drop(pending);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
    // ANCHOR_END: lazy

    // ANCHOR: blocking
    // A blocking sleep stops the thread, but tokio's clock never hears of it: the
    // paused clock does not move, and every other task on the loop stood still.
    #[tokio::test(start_paused = true)]
    async fn a_blocking_sleep_is_invisible_to_the_loop() {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
    // ANCHOR_END: blocking
}
