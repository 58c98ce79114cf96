//! The appendix's drawbacks: what Rust makes of "`LoopingCall` is not thread-safe".
//!
//! Twisted's answer is a rule: call into the reactor from another thread only through
//! `reactor.callFromThread`. Rust's answer is ownership: the interval and the tally
//! belong to one task, another thread reaches them only through a channel, and
//! handing the task's one-thread state to a thread does not compile.
//!
//! The compiler's refusal, checked here as doc tests (the book includes the same
//! files):
#![doc = concat!("```compile_fail,E0277\n", include_str!("../snippets/rc_across_threads.rs"), "```")]
//! and the thread-safe version, which compiles and runs:
#![doc = concat!("```\n", include_str!("../snippets/arc_across_threads.rs"), "```")]

use std::collections::BTreeMap;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{self, MissedTickBehavior};

/// One scan from the warehouse: a code, and how many came in (or went out).
#[derive(Debug)]
pub struct Move {
    /// The stock code.
    pub sku: String,
    /// Units in (positive) or out (negative).
    pub delta: i64,
}

/// Stock per code, as one report shows it.
pub type Report = BTreeMap<String, i64>;

// ANCHOR: ticker
/// The `LoopingCall`: one task owns the interval and the tally, reports the tally on
/// every tick, and takes moves from the channel between ticks. Nothing is shared, so
/// nothing needs a lock. It ends when every sender is gone, with a last report.
pub async fn ticker(mut moves: mpsc::Receiver<Move>, every: Duration) -> Vec<Report> {
    let mut tick = time::interval(every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut stock = Report::new();
    let mut reports = Vec::new();
    loop {
        tokio::select! {
            scanned = moves.recv() => match scanned {
                Some(Move { sku, delta }) => *stock.entry(sku).or_default() += delta,
                None => break,
            },
            _ = tick.tick() => reports.push(stock.clone()),
        }
    }
    reports.push(stock);
    reports
}
// ANCHOR_END: ticker

// ANCHOR: scanner
/// The scanner: a plain thread (a blocking driver, say) that hands each move to the
/// ticker's task. `blocking_send` is its `callFromThread`: the one way in, and it
/// waits when the channel is full instead of piling moves up.
pub fn scanner(
    moves: mpsc::Sender<Move>,
    scans: Vec<(&'static str, i64)>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for (sku, delta) in scans {
            let scanned = Move { sku: sku.to_owned(), delta };
            if moves.blocking_send(scanned).is_err() {
                return; // the ticker is gone: nobody to tell
            }
        }
        // `moves` is dropped here: the ticker's `recv()` returns None and it ends.
    })
}
// ANCHOR_END: scanner

#[cfg(test)]
mod tests {
    use super::*;

    const SCANS: [(&str, i64); 5] =
        [("GEAR", 5), ("BOLT", 40), ("GEAR", -2), ("BOLT", -15), ("GEAR", 1)];

    #[tokio::test]
    async fn a_thread_feeds_the_ticker_through_the_channel_and_every_move_counts() {
        let (moves, received) = mpsc::channel(2);
        let thread = scanner(moves, SCANS.to_vec());
        let reports = time::timeout(
            Duration::from_secs(10),
            ticker(received, Duration::from_millis(5)),
        )
        .await
        .expect("the ticker ends when the scanner thread is done");
        thread.join().unwrap();
        let last = reports.last().unwrap();
        assert_eq!(
            last,
            &Report::from([("BOLT".to_owned(), 25), ("GEAR".to_owned(), 4)])
        );
        // Every report is a moment of the tally: BOLT only ever grows by 40 then falls.
        assert!(
            reports.iter().all(|r| r.get("BOLT").is_none_or(|n| [25, 40].contains(n)))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_ticker_reports_once_per_period_between_moves() {
        let (moves, received) = mpsc::channel(8);
        let ticker = tokio::spawn(ticker(received, Duration::from_secs(10)));
        // The first tick is at once; then one report per 10 s of quiet.
        time::sleep(Duration::from_secs(25)).await;
        moves.send(Move { sku: "GEAR".to_owned(), delta: 3 }).await.unwrap();
        time::sleep(Duration::from_secs(10)).await;
        drop(moves);
        let reports = ticker.await.unwrap();
        let gears: Vec<i64> =
            reports.iter().map(|r| r.get("GEAR").copied().unwrap_or(0)).collect();
        // Ticks at 0, 10, 20 (before the move at 25), 30 (after it), then the last report.
        assert_eq!(gears, [0, 0, 0, 3, 3]);
    }

    /// Stable rustdoc does not check a `compile_fail` test's error code, so this test
    /// asks rustc itself why the `Rc` snippet fails: E0277, `Rc` is not `Send`.
    #[test]
    fn the_compiler_refuses_the_rc_tally_because_rc_is_not_send() {
        let snippet =
            concat!(env!("CARGO_MANIFEST_DIR"), "/snippets/rc_across_threads.rs");
        let out = std::env::temp_dir()
            .join(format!("untwisted-rc-snippet-{}", std::process::id()));
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let output = std::process::Command::new(rustc)
            .args(["--edition", "2024", "--emit", "metadata", "--out-dir"])
            .arg(&out)
            .arg(snippet)
            .output()
            .expect("rustc runs");
        let _ = std::fs::remove_dir_all(&out);
        let errors = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "the Rc snippet compiled:\n{errors}");
        assert!(errors.contains("error[E0277]"), "not E0277:\n{errors}");
        assert!(errors.contains("cannot be sent between threads safely"), "{errors}");
        assert_eq!(
            errors.matches("error[").count(),
            1,
            "more than the one error:\n{errors}"
        );
    }

    #[test]
    fn the_ticker_stops_the_scanner_when_it_is_gone() {
        let (moves, received) = mpsc::channel(1);
        drop(received);
        // With nobody to receive, the thread's first send fails and it ends at once.
        scanner(moves, SCANS.to_vec()).join().unwrap();
    }
}
