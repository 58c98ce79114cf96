//! Worked examples for the introduction chapter (book/src/introduction/index.md).
//!
//! Pinging warehouses: each ping is slow, so the dashboard starts them all as tasks
//! on one event loop and collects the answers. The waits are tokio sleeps standing
//! in for the network, so the tests measure them exactly in paused time.

use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};

/// A warehouse the dashboard pings, and how long it takes to answer.
#[derive(Clone, Debug)]
pub struct Warehouse {
    /// Its name, as the dashboard shows it.
    pub name: String,
    /// How long a ping takes to come back.
    pub latency: Duration,
}

impl Warehouse {
    /// A warehouse called `name` that answers after `latency`.
    pub fn new(name: &str, latency: Duration) -> Self {
        Warehouse { name: name.to_owned(), latency }
    }
}

// ANCHOR: ping
/// Pings one warehouse and says who answered. It owns its argument, so the future it
/// returns borrows nothing and may become a task (`tokio::spawn` needs `'static`).
pub async fn ping(warehouse: Warehouse) -> String {
    tokio::time::sleep(warehouse.latency).await;
    format!("{} is up", warehouse.name)
}
// ANCHOR_END: ping

// ANCHOR: background
/// Starts a ping as its own task and returns at once. The task runs whenever the
/// caller's task awaits something; awaiting the handle gives its result.
pub fn ping_in_background(warehouse: &Warehouse) -> JoinHandle<String> {
    tokio::spawn(ping(warehouse.clone()))
}
// ANCHOR_END: background

// ANCHOR: roll_call
/// Pings every warehouse at once and lists who answered, FIRST ANSWER FIRST: a
/// `JoinSet` hands results back in the order the tasks finish.
pub async fn roll_call(warehouses: &[Warehouse]) -> Vec<String> {
    let mut pings = JoinSet::new();
    for warehouse in warehouses {
        pings.spawn(ping(warehouse.clone()));
    }
    let mut answers = Vec::with_capacity(warehouses.len());
    while let Some(finished) = pings.join_next().await {
        // `Err` only if the task panicked (or was aborted): a bug, not a slow ping.
        answers.push(finished.expect("a ping task panicked"));
    }
    answers
}
// ANCHOR_END: roll_call

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::{Warehouse, ping, ping_in_background, roll_call};

    const SECOND: Duration = Duration::from_secs(1);

    fn warehouses() -> Vec<Warehouse> {
        vec![
            Warehouse::new("Leeds", 3 * SECOND),
            Warehouse::new("Lyon", SECOND),
            Warehouse::new("Porto", 2 * SECOND),
        ]
    }

    // ANCHOR: background_test
    #[tokio::test(start_paused = true)]
    async fn a_background_ping_runs_while_we_do_something_else() {
        let leeds = Warehouse::new("Leeds", 3 * SECOND);
        let start = Instant::now();
        let handle = ping_in_background(&leeds); // started, not awaited
        let lyon = ping(Warehouse::new("Lyon", SECOND)).await; // meanwhile
        let leeds = handle.await.expect("the ping task panicked");
        assert_eq!((lyon.as_str(), leeds.as_str()), ("Lyon is up", "Leeds is up"));
        assert_eq!(start.elapsed(), 3 * SECOND, "the waits overlapped: 3 s, not 4 s");
    }
    // ANCHOR_END: background_test

    // ANCHOR: roll_call_test
    #[tokio::test(start_paused = true)]
    async fn a_roll_call_takes_the_slowest_ping_and_lists_first_answers_first() {
        let start = Instant::now();
        let answers = roll_call(&warehouses()).await;
        assert_eq!(answers, ["Lyon is up", "Porto is up", "Leeds is up"]);
        assert_eq!(start.elapsed(), 3 * SECOND, "1 s, 2 s and 3 s at once take 3 s");
    }
    // ANCHOR_END: roll_call_test

    // ANCHOR: spawn_then_await
    // Awaiting each handle right after spawning it waits for that task before the
    // next one starts: concurrent tasks, used one after another.
    #[tokio::test(start_paused = true)]
    async fn awaiting_each_task_as_soon_as_it_is_spawned_adds_the_waits_up() {
        let start = Instant::now();
        for warehouse in &warehouses() {
            ping_in_background(warehouse).await.expect("the ping task panicked");
        }
        assert_eq!(start.elapsed(), 6 * SECOND);
    }
    // ANCHOR_END: spawn_then_await

    #[tokio::test(start_paused = true)]
    async fn every_ping_task_runs_on_the_loop_thread() {
        // The test runtime is current-thread: spawned tasks share the test's thread.
        let here = std::thread::current().id();
        let there = tokio::spawn(async { std::thread::current().id() }).await.unwrap();
        assert_eq!(here, there);
    }
}
