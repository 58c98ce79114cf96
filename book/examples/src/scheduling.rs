//! Worked examples for the scheduling chapter (book/src/scheduling/index.md).
//!
//! Neighbours of the exercise's problems, never its answers: a stock snapshot taken on
//! an interval, the missed-tick timelines measured for every `MissedTickBehavior`, a
//! retry with backoff (a closure that returns a new future per call), a debounced
//! restock request (a delayed call that is cancelled and re-armed), a checksum on the
//! blocking pool, and a scanner thread that hands its scans back to the loop.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::{self, JoinError, JoinHandle};
use tokio::time::{self, Instant, MissedTickBehavior};

/// SKU → units on hand, shared with whatever books stock moves.
pub type Stock = Arc<Mutex<BTreeMap<String, i64>>>;

// ANCHOR: snapshots
/// Sends a copy of `stock` every `period`, the first one right away, until `shutdown`
/// fires (or its sender is dropped) or nobody reads the snapshots. Returns the task,
/// whose output is how many snapshots it sent, and the snapshots' receiver.
pub fn spawn_snapshots(
    stock: Stock,
    period: Duration,
    mut shutdown: oneshot::Receiver<()>,
) -> (JoinHandle<usize>, mpsc::UnboundedReceiver<BTreeMap<String, i64>>) {
    let mut ticks = time::interval(period);
    // A snapshot is a sample: after a stall, one is enough, and the next one may wait a
    // full period. Delay says exactly that; the default, Burst, would send a pile.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (snapshots, received) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut sent = 0;
        loop {
            tokio::select! {
                // Checked first: a shutdown wins over a tick that is also ready.
                biased;
                _ = &mut shutdown => return sent,
                _ = ticks.tick() => {
                    // Lock, copy, unlock (the guard dies at the `;`), then send.
                    let copy =
                        stock.lock().unwrap_or_else(PoisonError::into_inner).clone();
                    if snapshots.send(copy).is_err() {
                        return sent;
                    }
                    sent += 1;
                }
            }
        }
    });
    (task, received)
}
// ANCHOR_END: snapshots

// ANCHOR: timeline
/// When each of the first `calls` calls of a job on a 1 s interval starts, in seconds
/// from the start, when the second call stalls for 3.5 s. Run it in paused time (the
/// clock jumps from timer to timer) and the numbers are exact.
pub async fn call_starts(behavior: MissedTickBehavior, calls: usize) -> Vec<f64> {
    let start = Instant::now();
    let mut ticks = time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(behavior);
    let mut starts = Vec::new();
    for call in 1..=calls {
        ticks.tick().await;
        starts.push(start.elapsed().as_secs_f64());
        if call == 2 {
            time::sleep(Duration::from_millis(3500)).await; // the slow call
        }
    }
    starts
}
// ANCHOR_END: timeline

/// `[0.0, 4.5]` as the chapter's table writes it: `0, 4.5`.
pub fn as_row(starts: &[f64]) -> String {
    starts.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
}

// ANCHOR: retry
/// Calls `attempt(1)`, `attempt(2)`, … until one succeeds or `tries` have failed,
/// sleeping `backoff`, then twice that, and so on, between attempts. Returns the first
/// success or the last error.
///
/// `attempt` is called once per try, so it is an `FnMut` that returns a new future
/// each time (Twisted: a function returning a new Deferred).
pub async fn retry<T, E, F, Fut>(
    tries: u32,
    backoff: Duration,
    mut attempt: F,
) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut wait = backoff;
    let mut n = 1;
    loop {
        match attempt(n).await {
            Err(_) if n < tries => {
                time::sleep(wait).await;
                wait *= 2;
                n += 1;
            }
            outcome => return outcome,
        }
    }
}
// ANCHOR_END: retry

/// A supplier's price-list endpoint that fails its first calls, then answers.
pub struct FlakySupplier {
    failures_left: AtomicU32,
}

impl FlakySupplier {
    /// A supplier that fails `failures` times before it answers.
    pub fn new(failures: u32) -> Self {
        Self { failures_left: AtomicU32::new(failures) }
    }

    /// One request, 100 ms on the wire.
    pub async fn price_list(&self, attempt: u32) -> Result<String, String> {
        time::sleep(Duration::from_millis(100)).await;
        let failed = self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failed {
            Err(format!("attempt {attempt}: 503 busy"))
        } else {
            Ok(format!("attempt {attempt}: GEAR 4.20, BOLT 0.15"))
        }
    }
}

// ANCHOR: fetch
/// Fetches the price list, retrying up to 4 times, 1 s apart at first.
pub async fn fetch_prices(supplier: Arc<FlakySupplier>) -> Result<String, String> {
    retry(4, Duration::from_secs(1), move |n| {
        // The closure is called once per attempt, and each future must own its handle:
        // clone here, then move the clone (not the closure's own Arc) into the future.
        let supplier = Arc::clone(&supplier);
        async move { supplier.price_list(n).await }
    })
    .await
}
// ANCHOR_END: fetch

// ANCHOR: debounce
/// Asks for a restock of a bin `quiet` after its last scan: every scan cancels the
/// request that is pending and arms a new one (Twisted: `delayedCall.reset(quiet)`).
pub struct Debounce {
    quiet: Duration,
    requests: mpsc::UnboundedSender<String>,
    pending: Option<JoinHandle<()>>,
}

impl Debounce {
    /// Restock requests go to `requests`, `quiet` after the last scan.
    pub fn new(quiet: Duration, requests: mpsc::UnboundedSender<String>) -> Self {
        Self { quiet, requests, pending: None }
    }

    /// A scan of `bin`: the pending request (if any) is cancelled, a new one armed.
    pub fn scanned(&mut self, bin: &str) {
        if let Some(pending) = self.pending.take() {
            // The pending task is asleep, so it is dropped right there: no request.
            pending.abort();
        }
        let (quiet, requests) = (self.quiet, self.requests.clone());
        let request = format!("restock {bin}");
        self.pending = Some(tokio::spawn(async move {
            time::sleep(quiet).await;
            // Err: nobody listens any more, and there is nobody to tell.
            let _ = requests.send(request);
        }));
    }

    /// Cancels the pending request and says how its task ended: `Err` with
    /// `is_cancelled()` if it had not fired yet, `Ok(())` if it had (too late).
    pub async fn cancel(&mut self) -> Option<Result<(), JoinError>> {
        let pending = self.pending.take()?;
        pending.abort();
        Some(pending.await)
    }
}
// ANCHOR_END: debounce

// ANCHOR: checksum
/// FNV-1a over a price list: plain CPU work, seconds of it for a big file.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The checksum, computed on tokio's blocking pool while the loop keeps serving.
pub async fn checksum_off_loop(price_list: Vec<u8>) -> Result<u64, String> {
    // The closure owns its data (`move`): it runs on another thread, maybe after the
    // caller's stack frame is gone.
    match task::spawn_blocking(move || fnv1a(&price_list)).await {
        Ok(sum) => Ok(sum),
        Err(e) if e.is_panic() => Err(format!("checksum crashed: {}", panic_text(e))),
        Err(_) => Err("cancelled: the runtime is shutting down".to_owned()),
    }
}

/// The message of the panic that ended a task: `panic!("text")` carries a
/// `&'static str`, `panic!("{x}")` a `String`.
pub fn panic_text(error: JoinError) -> String {
    let payload: Box<dyn Any + Send> = error.into_panic();
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
// ANCHOR_END: checksum

// ANCHOR: scanner
/// A barcode scanner's driver: a plain thread with a blocking read loop (here, a list
/// of codes) that sends each scan to the event loop.
pub fn spawn_scanner(codes: Vec<&'static str>) -> mpsc::UnboundedReceiver<String> {
    let (scans, received) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for code in codes {
            // An unbounded send never waits: no runtime needed on this thread.
            if scans.send(code.to_owned()).is_err() {
                break; // the loop is gone
            }
        }
        // `scans` is dropped here: the loop's `recv()` then returns None.
    });
    received
}

/// The loop's side: counts scans per code, in state that never leaves this task. An
/// `Rc<RefCell<…>>` is not `Send`: the compiler would refuse to let it cross threads.
pub async fn tally(mut scans: mpsc::UnboundedReceiver<String>) -> BTreeMap<String, u32> {
    let counts: Rc<RefCell<BTreeMap<String, u32>>> = Rc::default();
    while let Some(code) = scans.recv().await {
        *counts.borrow_mut().entry(code).or_default() += 1;
    }
    counts.take()
}
// ANCHOR_END: scanner

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// The chapter page, to check that its measured tables are what the code measures.
    const CHAPTER: &str = include_str!("../../src/scheduling/index.md");

    /// The timeline cell of the chapter's table row that starts with `label`.
    fn chapter_row(label: &str) -> String {
        let line = CHAPTER
            .lines()
            .find(|line| line.starts_with(label))
            .unwrap_or_else(|| panic!("no table row starts with {label:?}"));
        line.split('|').nth(2).unwrap_or_default().trim().to_owned()
    }

    #[tokio::test(start_paused = true)]
    async fn the_missed_tick_table_is_what_tokio_does() {
        for (behavior, label, row) in [
            (MissedTickBehavior::Burst, "| tokio `Burst`", "0, 1, 4.5, 4.5, 4.5, 5"),
            (MissedTickBehavior::Delay, "| tokio `Delay`", "0, 1, 4.5, 5.5, 6.5, 7.5"),
            (MissedTickBehavior::Skip, "| tokio `Skip`", "0, 1, 4.5, 5, 6, 7"),
        ] {
            assert_eq!(as_row(&call_starts(behavior, 6).await), row, "{behavior:?}");
            assert_eq!(chapter_row(label), row, "the chapter's {behavior:?} row");
        }
        // Measured by the chapter's Twisted snippet (scheduling.py --selftest).
        assert_eq!(chapter_row("| Twisted `LoopingCall`"), "0, 1, 5, 6, 7, 8");
    }

    #[tokio::test(start_paused = true)]
    async fn snapshots_come_every_period_until_shutdown() {
        let stock: Stock = Arc::default();
        stock.lock().unwrap().insert("GEAR".to_owned(), 3);
        let (stop, shutdown) = oneshot::channel();
        let (task, mut snapshots) =
            spawn_snapshots(Arc::clone(&stock), 10 * SECOND, shutdown);
        let start = Instant::now();
        assert_eq!(snapshots.recv().await.unwrap()["GEAR"], 3);
        assert_eq!(start.elapsed(), Duration::ZERO, "the first tick is immediate");
        stock.lock().unwrap().insert("GEAR".to_owned(), 8);
        assert_eq!(snapshots.recv().await.unwrap()["GEAR"], 8);
        assert_eq!(start.elapsed(), 10 * SECOND);
        stop.send(()).unwrap();
        assert_eq!(task.await.unwrap(), 2);

        // Nobody reads: the task ends by itself instead of ticking forever.
        let (_stop, shutdown) = oneshot::channel();
        let (task, snapshots) = spawn_snapshots(stock, 10 * SECOND, shutdown);
        drop(snapshots);
        assert_eq!(task.await.unwrap(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_backs_off_then_succeeds() {
        let start = Instant::now();
        let prices = fetch_prices(Arc::new(FlakySupplier::new(2))).await;
        assert_eq!(prices, Ok("attempt 3: GEAR 4.20, BOLT 0.15".to_owned()));
        // 3 requests of 100 ms, waits of 1 s and 2 s.
        assert_eq!(start.elapsed(), Duration::from_millis(3300));

        let prices = fetch_prices(Arc::new(FlakySupplier::new(9))).await;
        assert_eq!(prices, Err("attempt 4: 503 busy".to_owned()), "gives up after 4");
    }

    #[tokio::test(start_paused = true)]
    async fn debounce_fires_once_after_the_last_scan() {
        let (requests, mut received) = mpsc::unbounded_channel();
        let mut debounce = Debounce::new(5 * SECOND, requests);
        let start = Instant::now();
        for _ in 0..3 {
            debounce.scanned("A-12");
            time::sleep(2 * SECOND).await; // scans 2 s apart: never quiet for 5 s
        }
        assert_eq!(received.recv().await.as_deref(), Some("restock A-12"));
        assert_eq!(start.elapsed(), 9 * SECOND, "5 s after the last scan, at 4 s");
        // Fired already: cancelling is too late, and harmless.
        assert!(matches!(debounce.cancel().await, Some(Ok(()))));

        debounce.scanned("B-07");
        time::sleep(SECOND).await;
        let cancelled = debounce.cancel().await.unwrap();
        assert!(cancelled.is_err_and(|e| e.is_cancelled()));
        time::sleep(60 * SECOND).await;
        assert!(received.try_recv().is_err(), "a cancelled request is never sent");
    }

    #[tokio::test]
    async fn the_checksum_runs_while_the_loop_keeps_going() {
        assert_eq!(
            checksum_off_loop(b"GEAR 4.20\n".to_vec()).await,
            Ok(fnv1a(b"GEAR 4.20\n"))
        );
        // The blocking closure waits for a message that only a task on the loop sends,
        // after a timer: it arrives only if the loop runs while the closure blocks.
        let (go, wait) = std::sync::mpsc::channel();
        tokio::spawn(async move {
            time::sleep(Duration::from_millis(10)).await;
            go.send(()).unwrap();
        });
        let heard = task::spawn_blocking(move || wait.recv_timeout(5 * SECOND).is_ok());
        assert!(heard.await.unwrap(), "the loop stalled while the closure blocked");

        let crashed = task::spawn_blocking(|| -> u64 { panic!("price list truncated") });
        assert_eq!(panic_text(crashed.await.unwrap_err()), "price list truncated");
    }

    #[tokio::test]
    async fn scans_from_a_thread_are_tallied_on_the_loop() {
        let scans = spawn_scanner(vec!["GEAR", "BOLT", "GEAR"]);
        let counts = tally(scans).await;
        assert_eq!(
            counts,
            BTreeMap::from([("BOLT".to_owned(), 1), ("GEAR".to_owned(), 2)])
        );
    }
}
