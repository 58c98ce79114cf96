//! The hub every dashboard registers with: autobahn's broadcast factory
//! (`register`, `unregister`, `broadcast`), with a bounded queue per dashboard so a
//! slow one never slows the others nor makes the server's memory grow.
//! The solution: a dashboard that overflows its queue gets a full snapshot.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use crate::inventory::{MoveError, StockMove};
use crate::message::{Interest, Push};

use crate::hub_state::Client;
pub use crate::hub_state::{ClientId, Hub, Subscription};

impl Hub {
    // ANCHOR: register
    /// Registers a dashboard interested in `interest` (autobahn's `register`). Its
    /// first push is a snapshot of what it wants, then one total per wanted move.
    pub fn register(self: &Arc<Self>, interest: Interest) -> Subscription {
        let (sender, receiver) = mpsc::channel(self.queue_capacity);
        // Born behind: the first `next` sends the snapshot, the same path as a resync.
        let behind = Arc::new(AtomicBool::new(true));
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        let client =
            Client { interest: interest.clone(), queue: sender, behind: behind.clone() };
        state.clients.insert(id, client);
        Subscription { id, interest, queue: receiver, behind, hub: self.clone() }
    }

    /// Forgets dashboard `id` (autobahn's `unregister`); unknown ids are ignored.
    pub fn unregister(&self, id: ClientId) {
        // Dropping the sender ends the dashboard's queue: its `next` returns None.
        self.lock().clients.remove(&id);
    }
    // ANCHOR_END: register

    // ANCHOR: publish
    /// Applies a stock move and pushes the SKU's new total to every dashboard that
    /// wants it (autobahn's `broadcast`), without ever waiting for one: a dashboard
    /// whose queue is full is marked behind instead. Returns the new total.
    pub fn publish(&self, stock_move: &StockMove) -> Result<i64, MoveError> {
        let mut state = self.lock();
        let total = state.inventory.apply(stock_move)?;
        let sku = &stock_move.sku;
        let mut gone = Vec::new();
        for (id, client) in &state.clients {
            if !client.interest.wants(sku) {
                continue;
            }
            match client.queue.try_send(Push::Total(sku.clone(), total)) {
                Ok(()) => {}
                // Never wait: the queue is full, so what it holds is already stale.
                // Mark it; the dashboard's next read becomes a snapshot.
                Err(mpsc::error::TrySendError::Full(_)) => {
                    client.behind.store(true, Ordering::Release)
                }
                // Its connection is gone without unregistering: forget it now.
                Err(mpsc::error::TrySendError::Closed(_)) => gone.push(*id),
            }
        }
        for id in gone {
            state.clients.remove(&id);
        }
        Ok(total)
    }
    // ANCHOR_END: publish
}

impl Subscription {
    // ANCHOR: next
    /// The next push for this dashboard. If the hub marked it behind, the queued
    /// pushes are stale: they are dropped and a fresh snapshot comes instead. `None`
    /// once the hub has forgotten this dashboard.
    pub async fn next(&mut self) -> Option<Push> {
        if self.behind.swap(false, Ordering::Acquire) {
            // Under the hub's lock no move can slip in between the drain and the
            // snapshot: everything queued after this is newer than the snapshot.
            let state = self.hub.lock();
            if !state.clients.contains_key(&self.id) {
                return None;
            }
            while self.queue.try_recv().is_ok() {}
            return Some(Push::snapshot(&state.inventory, &self.interest));
        }
        self.queue.recv().await
    }
    // ANCHOR_END: next
}
