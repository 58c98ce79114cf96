//! The reorder check: which SKUs are low, checked periodically on a `LoopingCall`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::inventory::{Inventory, ReorderAlert};
use crate::{LoopingCall, TaskError};

impl Inventory {
    /// Every SKU whose quantity is below its reorder point, sorted by SKU (`self.items`,
    /// in `inventory.rs`, is a `BTreeMap`, so iterating it is already sorted).
    pub fn below_reorder_point(&self) -> Vec<ReorderAlert> {
        todo!("Inventory::below_reorder_point")
    }
}

/// Checks `inventory` every `every`, the first time right away, and sends one report
/// per check: the SKUs below their reorder point (an empty report when none is).
///
/// Build it on [`LoopingCall`]: each call locks the inventory just long enough to list
/// the low SKUs (never hold a std `Mutex` across an `.await`), sends the list on an
/// unbounded channel, and returns [`TaskError::Closed`] when the receiver is gone,
/// which ends the loop.
pub fn start_reorder_check(
    inventory: Arc<Mutex<Inventory>>,
    every: Duration,
) -> (LoopingCall<TaskError>, mpsc::UnboundedReceiver<Vec<ReorderAlert>>) {
    let _ = inventory;
    todo!("start_reorder_check(every {every:?})")
}
