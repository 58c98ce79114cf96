//! The dashboards' hub (chapter 10): every dashboard registers what it wants and
//! gets a bounded queue of pushes. Publishing never waits for a dashboard: one
//! whose queue is full is marked behind, and its next read is a fresh snapshot
//! (a resync) instead of the stale pushes. The hub keeps the latest total of each
//! SKU it was told about, to make those snapshots.
//!
//! ```text
//! dashboard > subscribe *            (or `subscribe SKU SKU…`)
//! dashboard < snapshot A=1 B=2       (first, and after falling behind)
//! dashboard < total A=5              (one SKU's new total)
//! dashboard < alert A=3 below=10     (a reorder alert)
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, watch};

use crate::feed::is_valid_sku;

/// How many SKUs one `subscribe` may name.
pub const MAX_SUBSCRIBED_SKUS: usize = 64;

/// Which SKUs a dashboard watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interest {
    /// Every SKU: `subscribe *`.
    All,
    /// Only these: `subscribe A B`.
    Only(BTreeSet<String>),
}

impl Interest {
    /// Parses `subscribe *` or `subscribe SKU…` (1 to [`MAX_SUBSCRIBED_SKUS`] SKUs).
    pub fn parse(text: &str) -> Option<Interest> {
        let mut words = text.split_ascii_whitespace();
        if words.next() != Some("subscribe") {
            return None;
        }
        let skus: Vec<&str> = words.collect();
        match skus[..] {
            ["*"] => Some(Interest::All),
            [] => None,
            _ if skus.len() > MAX_SUBSCRIBED_SKUS => None,
            _ if skus.iter().all(|sku| is_valid_sku(sku)) => {
                Some(Interest::Only(skus.iter().map(|s| s.to_string()).collect()))
            }
            _ => None,
        }
    }

    /// Whether news of `sku` concerns this dashboard.
    pub fn wants(&self, sku: &str) -> bool {
        match self {
            Interest::All => true,
            Interest::Only(skus) => skus.contains(sku),
        }
    }
}

/// One message to a dashboard; its `Display` is the text frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// Every wanted SKU's total, in SKU order.
    Snapshot(Vec<(String, i64)>),
    /// One SKU's new total: `total A=5`.
    Total(String, i64),
    /// A reorder alert: `alert A=3 below=10`.
    Alert {
        /// The SKU below its threshold.
        sku: String,
        /// Its total when the job saw it.
        qty: i64,
        /// Its threshold.
        below: i64,
    },
}

impl Push {
    /// The SKU this push is about (`None` for a snapshot).
    pub fn sku(&self) -> Option<&str> {
        match self {
            Push::Snapshot(_) => None,
            Push::Total(sku, _) | Push::Alert { sku, .. } => Some(sku),
        }
    }
}

impl fmt::Display for Push {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Push::Snapshot(totals) => {
                f.write_str("snapshot")?;
                totals.iter().try_for_each(|(sku, qty)| write!(f, " {sku}={qty}"))
            }
            Push::Total(sku, qty) => write!(f, "total {sku}={qty}"),
            Push::Alert { sku, qty, below } => {
                write!(f, "alert {sku}={qty} below={below}")
            }
        }
    }
}

/// The hub: the latest totals and the registered dashboards, behind one short lock
/// never held across an `.await`.
#[derive(Debug)]
pub struct Hub {
    state: Mutex<State>,
    capacity: usize,
    closed: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct State {
    latest: BTreeMap<String, i64>,
    dashboards: HashMap<u64, Dashboard>,
    next_id: u64,
    closed: bool,
}

impl State {
    /// What a dashboard with `interest` should see now, in SKU order.
    fn snapshot(&self, interest: &Interest) -> Push {
        Push::Snapshot(match interest {
            Interest::All => self.latest.clone().into_iter().collect(),
            Interest::Only(skus) => (skus.iter())
                .map(|sku| (sku.clone(), self.latest.get(sku).copied().unwrap_or(0)))
                .collect(),
        })
    }
}

#[derive(Debug)]
struct Dashboard {
    interest: Interest,
    queue: mpsc::Sender<Push>,
    behind: Arc<AtomicBool>,
}

/// One dashboard's end of the hub: its pushes, in the order they were published.
#[derive(Debug)]
pub struct Subscription {
    id: u64,
    interest: Interest,
    queue: mpsc::Receiver<Push>,
    behind: Arc<AtomicBool>,
    hub: Arc<Hub>,
}

impl Hub {
    /// An empty hub; each dashboard's queue holds `capacity` pushes.
    pub fn new(capacity: usize) -> Arc<Hub> {
        let (closed, _) = watch::channel(false);
        Arc::new(Hub { state: Mutex::default(), capacity: capacity.max(1), closed })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a dashboard. Its first push is a snapshot of what it wants; after
    /// [`Hub::close`] that snapshot is the last.
    pub fn subscribe(self: &Arc<Self>, interest: Interest) -> Subscription {
        let (sender, queue) = mpsc::channel(self.capacity);
        let behind = Arc::new(AtomicBool::new(false));
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        // The queue is new and holds at least one: the snapshot always fits.
        let _ = sender.try_send(state.snapshot(&interest));
        if !state.closed {
            let dashboard = Dashboard {
                interest: interest.clone(),
                queue: sender,
                behind: behind.clone(),
            };
            state.dashboards.insert(id, dashboard);
        }
        Subscription { id, interest, queue, behind, hub: self.clone() }
    }

    /// Queues `push` for every dashboard that wants its SKU, never waiting; a
    /// [`Push::Total`] also becomes the hub's latest total for snapshots. Pushes
    /// reach each dashboard in the order `publish` was called.
    pub fn publish(&self, push: Push) {
        let mut state = self.lock();
        if let Push::Total(sku, qty) = &push {
            state.latest.insert(sku.clone(), *qty);
        }
        let sku = push.sku().unwrap_or_default().to_owned();
        state.dashboards.retain(|_, dashboard| {
            if !dashboard.interest.wants(&sku) {
                return true;
            }
            match dashboard.queue.try_send(push.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    dashboard.behind.store(true, Ordering::Release);
                    true
                }
                // Its connection ended without unsubscribing: forget it.
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// The latest total the hub was told of `sku` (0 if none).
    pub fn latest(&self, sku: &str) -> i64 {
        self.lock().latest.get(sku).copied().unwrap_or(0)
    }

    /// How many dashboards are registered.
    pub fn dashboards(&self) -> usize {
        self.lock().dashboards.len()
    }

    /// The drain: queues a last snapshot for every dashboard (the final totals, so
    /// a page can show them as final), then forgets them. Each subscription still
    /// yields what was queued for it, that snapshot last, then ends; later ones end
    /// at once.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        for dashboard in state.dashboards.values() {
            let last = state.snapshot(&dashboard.interest);
            if dashboard.queue.try_send(last).is_err() {
                // A full queue: `next` drops it and answers a snapshot taken now,
                // which is just as final.
                dashboard.behind.store(true, Ordering::Release);
            }
        }
        state.dashboards.clear();
        self.closed.send_replace(true);
    }

    /// Resolves once [`Hub::close`] was called: what a dashboard that has not
    /// subscribed yet waits on.
    pub async fn closed(&self) {
        let _ = self.closed.subscribe().wait_for(|closed| *closed).await;
    }

    fn unsubscribe(&self, id: u64) {
        self.lock().dashboards.remove(&id);
    }
}

impl Subscription {
    /// The next push: a snapshot first and after falling behind (the stale queue is
    /// dropped), then each push in order. `None` once the hub was closed and the
    /// queue is empty.
    pub async fn next(&mut self) -> Option<Push> {
        if self.behind.swap(false, Ordering::Acquire) {
            // Under the hub's lock nothing is published between emptying the queue
            // and taking the snapshot: whatever is queued next is newer.
            let state = self.hub.lock();
            while self.queue.try_recv().is_ok() {}
            return Some(state.snapshot(&self.interest));
        }
        self.queue.recv().await
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dashboard_gets_a_snapshot_then_its_pushes_then_the_end() {
        let hub = Hub::new(8);
        hub.publish(Push::Total("A".into(), 1));
        let mut only_b = hub.subscribe(Interest::parse("subscribe B").unwrap());
        let mut all = hub.subscribe(Interest::parse("subscribe *").unwrap());
        hub.publish(Push::Total("B".into(), 2));
        hub.publish(Push::Alert { sku: "A".into(), qty: 1, below: 5 });
        hub.close();
        let mut seen = Vec::new();
        while let Some(push) = all.next().await {
            seen.push(push.to_string());
        }
        assert_eq!(seen, ["snapshot A=1", "total B=2", "alert A=1 below=5"]);
        let first = only_b.next().await.map(|p| p.to_string());
        assert_eq!(first, Some("snapshot B=0".into()));
        assert_eq!(only_b.next().await, Some(Push::Total("B".into(), 2)));
        assert_eq!(only_b.next().await, None);
    }

    #[tokio::test]
    async fn a_dashboard_that_falls_behind_resyncs_with_a_snapshot() {
        let hub = Hub::new(2);
        let mut slow = hub.subscribe(Interest::All);
        assert_eq!(slow.next().await, Some(Push::Snapshot(vec![])));
        for qty in 1..=5 {
            hub.publish(Push::Total("A".into(), qty));
        }
        assert_eq!(slow.next().await, Some(Push::Snapshot(vec![("A".into(), 5)])));
        hub.publish(Push::Total("A".into(), 6));
        assert_eq!(slow.next().await, Some(Push::Total("A".into(), 6)));
    }
}
