// The steps of exercise 06. The runner reports the first one that fails.
//
// Steps 1-4 and 7 run in paused time: the clock only moves when every task waits, and
// then it jumps to the next timer, so the times they check are exact. Steps 5 and 6
// need real threads, so they synchronise with channels, never with sleeps.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::time::Duration;

use scheduling::{
    Inventory, LoopingCall, TaskError, call_later, defer_to_thread, loop_calls,
    start_reorder_check,
};
use tokio::time::{Instant, sleep, sleep_until};

const SECOND: Duration = Duration::from_secs(1);

/// When each call started, in seconds since `start`, with one decimal: `0.0`, `4.5`.
#[derive(Clone)]
struct Stamps {
    start: Instant,
    at: Arc<Mutex<Vec<String>>>,
}

impl Stamps {
    fn new() -> Self {
        Self { start: Instant::now(), at: Arc::default() }
    }

    /// Records now; returns how many calls were recorded, this one included.
    fn record(&self) -> usize {
        let mut at = self.at.lock().unwrap();
        at.push(format!("{:.1}", self.start.elapsed().as_secs_f64()));
        at.len()
    }

    fn list(&self) -> Vec<String> {
        self.at.lock().unwrap().clone()
    }
}

#[test]
fn step_1_looping_call_ticks_every_interval_until_stopped() {
    test_kit::run_paused(|| async {
        // now = true: the first call right away, then one per second.
        let stamps = Stamps::new();
        let recorder = stamps.clone();
        let lc = LoopingCall::start(SECOND, true, move || {
            recorder.record();
            async { Ok::<(), String>(()) }
        });
        sleep(Duration::from_millis(3500)).await;
        assert!(lc.is_running(), "the loop runs until stopped");
        lc.stop();
        assert_eq!(lc.join().await, Ok(()), "a stopped loop ends with Ok(())");
        assert_eq!(
            stamps.list(),
            ["0.0", "1.0", "2.0", "3.0"],
            "now = true: calls at 0, 1, 2, 3 s"
        );
        sleep(5 * SECOND).await;
        assert_eq!(stamps.list().len(), 4, "no call may start after stop()");

        // now = false: the first call one interval after the start.
        let stamps = Stamps::new();
        let recorder = stamps.clone();
        let lc = LoopingCall::start(SECOND, false, move || {
            recorder.record();
            async { Ok::<(), String>(()) }
        });
        sleep(Duration::from_millis(3500)).await;
        lc.stop();
        assert_eq!(lc.join().await, Ok(()));
        assert_eq!(
            stamps.list(),
            ["1.0", "2.0", "3.0"],
            "now = false: the first call after one interval"
        );

        // stop() during a call: the call finishes, then the loop ends (nothing is cut
        // off halfway, as in Twisted).
        let finished = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished);
        let lc = LoopingCall::start(SECOND, true, move || {
            let flag = Arc::clone(&flag);
            async move {
                sleep(2 * SECOND).await;
                flag.store(true, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        });
        sleep(SECOND).await;
        lc.stop();
        assert_eq!(lc.join().await, Ok(()));
        assert!(
            finished.load(Ordering::SeqCst),
            "stop() must let a running call finish, not abort it"
        );
    });
}

#[test]
fn step_2_missed_ticks_are_skipped_not_burst() {
    test_kit::run_paused(|| async {
        // The second call (at 1 s) stalls for 3.5 s: the ticks at 2, 3 and 4 s are missed.
        let stamps = Stamps::new();
        let recorder = stamps.clone();
        let lc = LoopingCall::start(SECOND, true, move || {
            let n = recorder.record();
            async move {
                if n == 2 {
                    sleep(Duration::from_millis(3500)).await;
                }
                Ok::<(), String>(())
            }
        });
        sleep(Duration::from_millis(6500)).await;
        lc.stop();
        assert_eq!(lc.join().await, Ok(()));

        let calls = stamps.list();
        assert_ne!(
            calls,
            ["0.0", "1.0", "4.5", "4.5", "4.5", "5.0", "6.0"],
            "that is Burst (the default): set MissedTickBehavior::Skip"
        );
        assert_ne!(
            calls,
            ["0.0", "1.0", "4.5", "5.5"],
            "that is Delay: set MissedTickBehavior::Skip"
        );
        // Skip: one late call when the stall ends, then back on whole seconds.
        let report: Vec<String> = calls
            .iter()
            .enumerate()
            .map(|(i, at)| format!("call {} at {at} s", i + 1))
            .collect();
        insta::assert_snapshot!(report.join("\n"));
    });
}

#[test]
fn step_3_an_error_stops_the_loop_and_surfaces_from_join() {
    test_kit::run_paused(|| async {
        let stamps = Stamps::new();
        let recorder = stamps.clone();
        let lc = LoopingCall::start(SECOND, true, move || {
            let n = recorder.record();
            async move {
                if n == 3 { Err("inventory unavailable".to_owned()) } else { Ok(()) }
            }
        });
        sleep(10 * SECOND).await;
        assert!(!lc.is_running(), "the loop must end when the function returns an error");
        assert_eq!(stamps.list(), ["0.0", "1.0", "2.0"], "no call after the failing one");
        assert_eq!(
            lc.join().await,
            Err("inventory unavailable".to_owned()),
            "join() returns the function's error"
        );
    });
}

#[test]
fn step_4_call_later_runs_once_unless_cancelled() {
    test_kit::run_paused(|| async {
        let start = Instant::now();
        let call = call_later(30 * SECOND, || "recount GEAR".to_owned());
        assert_eq!(call.result().await, Ok("recount GEAR".to_owned()));
        assert_eq!(start.elapsed(), 30 * SECOND, "the call runs after exactly its delay");

        // Cancelled after 10 s: the function never runs, the waiter sees Cancelled.
        let ran = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let call = call_later(30 * SECOND, move || flag.store(true, Ordering::SeqCst));
        sleep(10 * SECOND).await;
        call.cancel();
        assert_eq!(call.result().await, Err(TaskError::Cancelled));
        sleep(60 * SECOND).await;
        assert!(!ran.load(Ordering::SeqCst), "a cancelled call must never run");

        // Cancelling a call that already ran changes nothing.
        let call = call_later(SECOND, || 7);
        sleep(2 * SECOND).await;
        call.cancel();
        assert_eq!(call.result().await, Ok(7), "too late to cancel: the result stands");
    });
}

#[test]
fn step_5_defer_to_thread_keeps_the_loop_ticking() {
    // Real time: blocking work needs a real thread. A ticker on the event loop reports
    // each tick into a std channel, so a thread can wait for ticks without polling.
    test_kit::run(|| async {
        let (tick, ticks) = std_mpsc::channel::<()>();
        let ticker = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(5));
            loop {
                every.tick().await;
                if tick.send(()).is_err() {
                    break;
                }
            }
        });
        tokio::task::yield_now().await;

        // On the loop, a blocking call stalls everything: not one tick while it runs.
        while ticks.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(50)); // the blocking call itself
        assert!(
            ticks.try_recv().is_err(),
            "a blocking call on the loop stalls the ticker"
        );

        // In the blocking pool, the work waits for three new ticks. They only come if
        // the loop keeps running while the work blocks.
        let lookup = defer_to_thread(move || {
            while ticks.try_recv().is_ok() {}
            for _ in 0..3 {
                ticks
                    .recv_timeout(Duration::from_secs(3))
                    .map_err(|_| "no tick while the work ran: the loop was blocked")?;
            }
            Ok::<_, &str>("GEAR: supplier ACME")
        });
        assert_eq!(lookup.await, Ok(Ok("GEAR: supplier ACME")));
        ticker.abort();

        // A panic in the thread comes back as an error, not a crash of the loop.
        let crashed = defer_to_thread(|| -> u32 { panic!("ERP driver crashed") }).await;
        assert_eq!(crashed, Err(TaskError::Panicked("ERP driver crashed".to_owned())));
    });
}

/// The loop's state in step 6. The marker makes it `!Send`, like Twisted's reactor
/// state: it can never leave the loop's thread, only calls can come to it.
struct Desk {
    inventory: Inventory,
    ran_on: Vec<std::thread::ThreadId>,
    log: Vec<String>,
    _loop_only: std::marker::PhantomData<std::rc::Rc<()>>,
}

#[test]
fn step_6_call_from_thread_hands_results_back_to_the_loop() {
    test_kit::run(|| async {
        let mut desk = Desk {
            inventory: Inventory::new(),
            ran_on: Vec::new(),
            log: Vec::new(),
            _loop_only: Default::default(),
        };
        desk.inventory.set("GEAR", 3, 5);
        desk.inventory.set("WIDGET", 12, 10);

        // A scanner thread (a blocking device driver) books stock moves on the loop.
        let (from_thread, calls) = loop_calls::<Desk>();
        let scanner = std::thread::spawn(move || {
            for (sku, delta) in [("GEAR", 10), ("WIDGET", -4), ("NOPE", 1), ("GEAR", -2)]
            {
                from_thread
                    .call_from_thread(move |desk: &mut Desk| {
                        desk.ran_on.push(std::thread::current().id());
                        let qty = desk.inventory.adjust(sku, delta);
                        desk.log.push(format!("{sku} {delta:+} -> {qty:?}"));
                    })
                    .expect("the loop takes calls while it runs");
            }
            // Dropping `from_thread` here ends calls.run().
        });
        calls.run(&mut desk).await;
        scanner.join().unwrap();

        assert_eq!(
            desk.log,
            [
                "GEAR +10 -> Some(13)",
                "WIDGET -4 -> Some(8)",
                "NOPE +1 -> None",
                "GEAR -2 -> Some(11)"
            ]
        );
        let here = std::thread::current().id();
        assert!(
            desk.ran_on.iter().all(|id| *id == here),
            "every call must run on the loop's thread"
        );
        assert_eq!(desk.inventory.get("GEAR").map(|s| s.qty), Some(11));

        // Once the loop's end is gone, posting fails instead of vanishing silently.
        let (from_thread, calls) = loop_calls::<Desk>();
        drop(calls);
        assert_eq!(from_thread.call_from_thread(|_| {}), Err(TaskError::Closed));
    });
}

#[test]
fn step_7_reorder_check_reports_low_stock_every_minute() {
    test_kit::run_paused(|| async {
        let inventory = Arc::new(Mutex::new(Inventory::new()));
        {
            let mut stock = inventory.lock().unwrap();
            stock.set("BOLT", 40, 20);
            stock.set("GEAR", 3, 5);
            stock.set("WIDGET", 12, 10);
        }
        let start = Instant::now();
        // Stock moves from the feed, between checks.
        let feed = {
            let inventory = Arc::clone(&inventory);
            tokio::spawn(async move {
                for (at, sku, delta) in
                    [(90, "WIDGET", -5), (150, "GEAR", 10), (200, "BOLT", -25)]
                {
                    sleep_until(start + at * SECOND).await;
                    inventory.lock().unwrap().adjust(sku, delta);
                }
            })
        };
        let (check, mut reports) =
            start_reorder_check(Arc::clone(&inventory), 60 * SECOND);

        let mut seen = Vec::new();
        for _ in 0..5 {
            let low = reports.recv().await.expect("one report per check");
            let low: Vec<String> = low.iter().map(ToString::to_string).collect();
            let low = if low.is_empty() {
                "nothing to reorder".to_owned()
            } else {
                low.join(", ")
            };
            seen.push(format!("t={}s: {low}", start.elapsed().as_secs()));
        }
        check.stop();
        assert_eq!(check.join().await, Ok(()));
        feed.await.unwrap();
        insta::assert_snapshot!(seen.join("\n"));

        // Nobody reads the reports: the check ends with Closed instead of running forever.
        let (check, reports) = start_reorder_check(inventory, 60 * SECOND);
        drop(reports);
        assert_eq!(check.join().await, Err(TaskError::Closed));
    });
}
