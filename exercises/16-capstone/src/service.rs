//! The service's shared state: the ledger, the dashboards' hub, the alerts raised,
//! whether it is ready; and the reorder rule's memory. Given whole: what happens
//! to them is yours (`flow.rs`, `reorder.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use parts::hub::{Hub, Push};

use crate::ledger::{Alert, Ledger, StockLevel};

/// How many pushes wait for one dashboard before it counts as behind (and gets a
/// fresh snapshot instead).
pub const DASHBOARD_QUEUE: usize = 256;

/// The most alerts `/alerts` remembers (the oldest are forgotten first).
pub const MAX_ALERTS: usize = 1000;

/// Everything the scanners, the API, the dashboards and the reorder job share.
#[derive(Debug)]
pub struct Service {
    /// The totals. Whoever changes them holds this lock while telling the hub, so
    /// the hub hears of each SKU's totals in the order they were made.
    pub(crate) ledger: Mutex<Ledger>,
    /// The dashboards.
    pub(crate) hub: Arc<Hub>,
    alerts: Mutex<Vec<Alert>>,
    ready: AtomicBool,
    checks: AtomicU64,
}

impl Service {
    /// A service with an empty ledger, publishing to `hub`; not ready yet.
    pub fn new(hub: Arc<Hub>) -> Arc<Service> {
        Arc::new(Service {
            ledger: Mutex::new(Ledger::new()),
            hub,
            alerts: Mutex::new(Vec::new()),
            ready: AtomicBool::new(false),
            checks: AtomicU64::new(0),
        })
    }

    /// The dashboards' hub.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// The ledger, locked. Never hold it across an `.await`.
    pub fn ledger(&self) -> MutexGuard<'_, Ledger> {
        lock(&self.ledger)
    }

    /// Every SKU's total, in SKU order (`GET /inventory`).
    pub fn levels(&self) -> Vec<StockLevel> {
        self.ledger().levels()
    }

    /// One SKU's total, if it ever moved (`GET /inventory/SKU`).
    pub fn level(&self, sku: &str) -> Option<StockLevel> {
        let qty = self.ledger().get(sku)?;
        Some(StockLevel { sku: sku.to_owned(), qty })
    }

    /// How many moves were applied since the start.
    pub fn moves_applied(&self) -> u64 {
        self.ledger().moves()
    }

    /// Records `alert` for `/alerts` and pushes it to the dashboards that want its
    /// SKU.
    pub fn raise(&self, alert: Alert) {
        let push = Push::Alert {
            sku: alert.sku.clone(),
            qty: alert.qty,
            below: alert.threshold,
        };
        let mut alerts = lock(&self.alerts);
        if alerts.len() >= MAX_ALERTS {
            alerts.remove(0);
        }
        alerts.push(alert);
        self.hub.publish(push);
    }

    /// Records one run of the reorder rule. Monitoring counts them: a job that
    /// stopped running, or runs more often than its schedule, shows.
    pub fn checked(&self) {
        self.checks.fetch_add(1, Ordering::SeqCst);
    }

    /// How many times the reorder rule ran since the start.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::SeqCst)
    }

    /// The alerts raised so far, oldest first (`GET /alerts`).
    pub fn alerts(&self) -> Vec<Alert> {
        lock(&self.alerts).clone()
    }

    /// Whether `/ready` answers 200 (`true`) or 503 draining (`false`).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Sets what `/ready` answers.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }
}

/// The reorder rule's thresholds and memory: which SKUs were alerted and not yet
/// seen back at or above their threshold.
#[derive(Debug, Clone, Default)]
#[allow(dead_code)] // `ReorderRule::check`, yours, reads them
pub struct ReorderRule {
    /// SKU → threshold. SKUs not here are never reordered.
    pub(crate) thresholds: BTreeMap<String, i64>,
    /// The SKUs alerted in their current crossing.
    pub(crate) alerted: BTreeSet<String>,
}

impl ReorderRule {
    /// A rule with these thresholds, nothing alerted yet.
    pub fn new(thresholds: BTreeMap<String, i64>) -> ReorderRule {
        ReorderRule { thresholds, alerted: BTreeSet::new() }
    }
}

/// A lock that a panic elsewhere does not poison for everyone.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
