//! The capstone chapter's worked examples: the ideas of the inventory service on
//! neighbouring problems. A price board fans price changes out to screens in order
//! (one lock orders them; a screen that lags resyncs); a freezer's alarm remembers
//! that it rang (hysteresis); a sampler runs on a ticker and a channel at once; a
//! label printer, stopped, still prints the labels it was already handed.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::{MissedTickBehavior, interval};

// ANCHOR: price_board
/// A price board: every change goes to every screen, and each screen must see one
/// product's prices in the order they were set.
pub struct PriceBoard {
    prices: Mutex<BTreeMap<String, u64>>,
    screens: broadcast::Sender<(String, u64)>,
}

impl PriceBoard {
    /// A board whose screens may lag `capacity` changes behind.
    pub fn new(capacity: usize) -> PriceBoard {
        let (screens, _) = broadcast::channel(capacity);
        PriceBoard { prices: Mutex::new(BTreeMap::new()), screens }
    }

    /// Sets a price and tells the screens. The send happens *inside* the lock:
    /// two threads setting one product's price are told in the order they set it.
    pub fn set(&self, product: &str, cents: u64) {
        let mut prices = self.prices.lock().unwrap();
        prices.insert(product.to_owned(), cents);
        // Never waits: a screen that lags too far loses the oldest changes.
        let _ = self.screens.send((product.to_owned(), cents));
    }

    /// A new screen: today's prices, then every change after them.
    pub fn watch(&self) -> (BTreeMap<String, u64>, broadcast::Receiver<(String, u64)>) {
        let prices = self.prices.lock().unwrap();
        // Subscribing under the same lock: no change falls between the two.
        (prices.clone(), self.screens.subscribe())
    }
}
// ANCHOR_END: price_board

// ANCHOR: alarm
/// A freezer's alarm with hysteresis: it rings once when the temperature rises
/// above `high`, and is armed again only once it is back at or below `low`, so a
/// temperature hovering around `high` does not ring on every reading.
pub struct FreezerAlarm {
    high: f64,
    low: f64,
    ringing: bool,
}

impl FreezerAlarm {
    /// An armed alarm.
    pub fn new(high: f64, low: f64) -> FreezerAlarm {
        FreezerAlarm { high, low, ringing: false }
    }

    /// One reading; `true` when it rings.
    pub fn reading(&mut self, celsius: f64) -> bool {
        if celsius <= self.low {
            self.ringing = false; // re-armed
            false
        } else if celsius > self.high && !self.ringing {
            self.ringing = true; // rings once, then remembers it did
            true
        } else {
            false
        }
    }
}
// ANCHOR_END: alarm

// ANCHOR: sampler
/// Every `every`, sends a wall screen the highest reading received since the last
/// beat, until `stop` says so. A ticker and a channel in one `select!`: whichever is
/// ready. A screen wants its beats spaced, not on a grid: after a stall, the next
/// beat comes a whole period after the late one (chapter 06 measured the three
/// missed-tick behaviours; this is `Delay`).
pub async fn sampler(
    mut readings: mpsc::Receiver<f64>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
    report: mpsc::UnboundedSender<Option<f64>>,
) {
    let mut ticks = interval(every); // the first tick is immediate
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut highest: Option<f64> = None;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                let _ = report.send(highest.take());
            }
            Some(reading) = readings.recv() => {
                highest = Some(highest.map_or(reading, |h| h.max(reading)));
            }
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}
// ANCHOR_END: sampler

// ANCHOR: leftovers
/// A label printer fed through a channel by the task that reads the network. When
/// `stop` is raised, the labels already handed over (in the channel) are still
/// printed; nothing more is taken.
pub async fn printer(
    mut labels: mpsc::Receiver<String>,
    mut stop: watch::Receiver<bool>,
) -> Vec<String> {
    let mut printed = Vec::new();
    loop {
        tokio::select! {
            // Checked first: otherwise a sender that never pauses keeps us taking.
            biased;
            _ = stop.wait_for(|stopped| *stopped) => break,
            label = labels.recv() => match label {
                Some(label) => printed.push(label),
                None => return printed,
            },
        }
    }
    // What was handed over before the stop is ours to finish: take it without
    // waiting, then let go of the channel (its sender sees it closed).
    while let Ok(label) = labels.try_recv() {
        printed.push(label);
    }
    printed
}
// ANCHOR_END: leftovers

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::{Instant, advance, sleep};

    #[test]
    fn prices_from_many_threads_reach_a_screen_in_order() {
        let board = PriceBoard::new(100_000);
        let (today, mut screen) = board.watch();
        assert!(today.is_empty());
        std::thread::scope(|threads| {
            for t in 0..4 {
                let board = &board;
                threads.spawn(move || {
                    for k in 0..10_000 {
                        board.set("TEA", t * 10_000 + k);
                    }
                });
            }
        });
        let mut last_per_thread = [None; 4];
        while let Ok((_, cents)) = screen.try_recv() {
            let thread = (cents / 10_000) as usize;
            assert!(
                last_per_thread[thread] < Some(cents),
                "one thread's prices in order"
            );
            last_per_thread[thread] = Some(cents);
        }
    }

    #[test]
    fn a_screen_that_lags_hears_so_and_can_resync() {
        let board = PriceBoard::new(2);
        let (_, mut screen) = board.watch();
        for cents in 1..=5 {
            board.set("TEA", cents);
        }
        let lagged = screen.try_recv();
        assert!(matches!(lagged, Err(broadcast::error::TryRecvError::Lagged(3))));
        let (today, _) = board.watch();
        assert_eq!(today["TEA"], 5, "a fresh look at the board is the resync");
    }

    #[test]
    fn the_alarm_rings_once_until_the_freezer_is_cold_again() {
        let mut alarm = FreezerAlarm::new(-15.0, -18.0);
        let rings: Vec<bool> = [-20.0, -14.0, -13.0, -16.0, -14.0, -18.0, -14.0]
            .map(|c| alarm.reading(c))
            .into();
        assert_eq!(rings, [false, true, false, false, false, false, true]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_sampler_reports_on_its_schedule_and_spaces_its_beats_after_a_stall() {
        let (send, readings) = mpsc::channel(8);
        let (stopper, stop) = watch::channel(false);
        let (report, mut reports) = mpsc::unbounded_channel();
        let start = Instant::now();
        let task = tokio::spawn(sampler(readings, Duration::from_secs(10), stop, report));
        assert_eq!(reports.recv().await, Some(None), "a report at once");
        send.send(3.5).await.unwrap();
        send.send(7.0).await.unwrap();
        assert_eq!(reports.recv().await, Some(Some(7.0)));
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        advance(Duration::from_secs(25)).await; // busy: beats at 20 and 30 missed
        assert_eq!(reports.recv().await, Some(None), "one late beat, at once");
        assert_eq!(start.elapsed(), Duration::from_secs(35));
        sleep(Duration::from_millis(1)).await;
        assert_eq!(reports.recv().await, Some(None));
        assert_eq!(start.elapsed(), Duration::from_secs(45), "a whole period later");
        stopper.send(true).unwrap();
        task.await.unwrap();
    }

    #[tokio::test]
    async fn a_stopped_printer_still_prints_what_it_was_handed() {
        let (labels, inbox) = mpsc::channel(8);
        let (stopper, stop) = watch::channel(false);
        for n in 1..=3 {
            labels.send(format!("box {n}")).await.unwrap();
        }
        // Stopped before it even ran: it takes nothing from the channel in the loop,
        // but still prints what was already handed over.
        stopper.send(true).unwrap();
        assert_eq!(printer(inbox, stop).await, ["box 1", "box 2", "box 3"]);
        assert!(labels.send("box 4".into()).await.is_err(), "then it lets go");
    }
}
