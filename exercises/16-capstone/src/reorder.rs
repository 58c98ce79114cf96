//! The reorder job (Twisted's `LoopingCall`): on a fixed schedule, one alert per
//! crossing below a threshold.

use std::sync::Arc;
use std::time::Duration;

use parts::drain::Stop;

use crate::ledger::{Alert, Ledger};
use crate::service::{ReorderRule, Service};

impl ReorderRule {
    /// One run of the rule over `ledger`, in SKU order, for each SKU of
    /// `self.thresholds` (its total is 0 if it never moved):
    ///
    /// - below its threshold and not in `self.alerted`: an [`Alert`] (and it is
    ///   now alerted);
    /// - below and already alerted: nothing (one alert per crossing, not per run);
    /// - at or above its threshold: re-armed (no longer alerted).
    pub fn check(&mut self, ledger: &Ledger) -> Vec<Alert> {
        todo!("ReorderRule::check ({} SKUs moved)", ledger.levels().len())
    }
}

/// Runs `rule` over the service's ledger at once, then every `every`, until `stop`
/// is raised; each alert it gives is raised with [`Service::raise`] (recorded for
/// `/alerts`, pushed to dashboards) right after the check, so that it reaches the
/// dashboards after the total it reports. Each run is counted with
/// [`Service::checked`].
///
/// Twisted's `LoopingCall(f).start(every)` calls at once, then on a fixed
/// schedule, and when the reactor was too busy to call on time it skips the
/// missed calls and keeps to the schedule. Do the same.
pub async fn reorder_job(
    service: Arc<Service>,
    rule: ReorderRule,
    every: Duration,
    stop: Stop,
) {
    let _ = (service, rule, stop);
    todo!("reorder_job (every {every:?})")
}
