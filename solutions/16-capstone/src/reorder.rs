//! The reorder job (Twisted's `LoopingCall`): on a fixed schedule, one alert per
//! crossing below a threshold.

use std::sync::Arc;
use std::time::Duration;

use parts::drain::Stop;
use tokio::time::{MissedTickBehavior, interval};

use crate::ledger::{Alert, Ledger};
use crate::service::{ReorderRule, Service};

impl ReorderRule {
    // ANCHOR: check
    /// One run of the rule over `ledger`: an alert for each SKU below its threshold
    /// that was not alerted yet in this crossing (a SKU that never moved is at 0).
    /// A SKU at or above its threshold is re-armed. SKU order.
    pub fn check(&mut self, ledger: &Ledger) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for (sku, &threshold) in &self.thresholds {
            let qty = ledger.get(sku).unwrap_or(0);
            if qty >= threshold {
                self.alerted.remove(sku);
            } else if self.alerted.insert(sku.clone()) {
                alerts.push(Alert { sku: sku.clone(), qty, threshold });
            }
        }
        alerts
    }
    // ANCHOR_END: check
}

// ANCHOR: reorder_job
/// Runs `rule` over the service's ledger at once, then every `every`, until
/// `stop`; raises each alert it gives. A tick missed while the runtime was busy is
/// skipped, and the schedule stays where it was (`LoopingCall`'s way).
pub async fn reorder_job(
    service: Arc<Service>,
    mut rule: ReorderRule,
    every: Duration,
    stop: Stop,
) {
    let mut ticks = interval(every);
    // tokio's default, Burst, would run the missed checks back to back.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                // Under the ledger's lock: an alert reaches the dashboards right
                // after the total it reports, never before it.
                let ledger = service.ledger();
                for alert in rule.check(&ledger) {
                    service.raise(alert);
                }
                service.checked();
            }
            () = stop.stopped() => return,
        }
    }
}
// ANCHOR_END: reorder_job
