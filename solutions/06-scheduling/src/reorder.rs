//! The reorder check: which SKUs are low, checked periodically on a `LoopingCall`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::inventory::{Inventory, ReorderAlert};
use crate::{LoopingCall, TaskError};

impl Inventory {
    // ANCHOR: below
    /// Every SKU whose quantity is below its reorder point, sorted by SKU.
    pub fn below_reorder_point(&self) -> Vec<ReorderAlert> {
        self.items
            .iter()
            .filter(|(_, stock)| stock.qty < stock.reorder_point)
            .map(|(sku, stock)| ReorderAlert {
                sku: sku.clone(),
                qty: stock.qty,
                reorder_point: stock.reorder_point,
            })
            .collect()
    }
    // ANCHOR_END: below
}

// ANCHOR: reorder_check
/// Checks `inventory` every `every`, the first time right away, and sends one report
/// per check: the SKUs below their reorder point (an empty report when none is).
///
/// The check stops with [`TaskError::Closed`] once the reports' receiver is dropped.
pub fn start_reorder_check(
    inventory: Arc<Mutex<Inventory>>,
    every: Duration,
) -> (LoopingCall<TaskError>, mpsc::UnboundedReceiver<Vec<ReorderAlert>>) {
    let (reports, received) = mpsc::unbounded_channel();
    let check = LoopingCall::start(every, true, move || {
        // The lock is held for the check only, never across an await. A writer that
        // panicked leaves the map itself intact, so a poisoned lock is still usable.
        let low = inventory
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .below_reorder_point();
        let sent = reports.send(low).map_err(|_| TaskError::Closed);
        async move { sent }
    });
    (check, received)
}
// ANCHOR_END: reorder_check
