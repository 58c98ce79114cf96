//! The hub every dashboard registers with: autobahn's broadcast factory
//! (`register`, `unregister`, `broadcast`), with a bounded queue per dashboard so a
//! slow one never slows the others nor makes the server's memory grow.
//!
//! Yours to write: `Hub::register`, `Hub::unregister`, `Hub::publish` and
//! `Subscription::next`, below. The types, their fields (`state`, `queue_capacity`;
//! a dashboard's `interest`, `queue`, `behind`) and `Hub::lock` are given in
//! `hub_state.rs`.
// What your functions will need.
use std::sync::Arc;
#[allow(unused_imports)]
use std::sync::atomic::{AtomicBool, Ordering};

#[allow(unused_imports)]
use tokio::sync::mpsc;

use crate::inventory::{MoveError, StockMove};
use crate::message::{Interest, Push};

#[allow(unused_imports)]
use crate::hub_state::Client;
pub use crate::hub_state::{ClientId, Hub, Subscription};

impl Hub {
    /// Registers a dashboard interested in `interest` (autobahn's `register`). Its
    /// first push is a snapshot of what it wants, then one total per wanted move.
    pub fn register(self: &Arc<Self>, interest: Interest) -> Subscription {
        let _ = interest;
        todo!("Hub::register")
    }

    /// Forgets dashboard `id` (autobahn's `unregister`); unknown ids are ignored.
    pub fn unregister(&self, id: ClientId) {
        let _ = id;
        todo!("Hub::unregister")
    }

    /// Applies a stock move and pushes the SKU's new total to every dashboard that
    /// wants it (autobahn's `broadcast`), without ever waiting for one: a dashboard
    /// whose queue is full is marked behind instead. Returns the new total.
    pub fn publish(&self, stock_move: &StockMove) -> Result<i64, MoveError> {
        let _ = stock_move;
        todo!("Hub::publish")
    }
}

impl Subscription {
    /// The next push for this dashboard. If the hub marked it behind, the queued
    /// pushes are stale: they are dropped and a fresh snapshot comes instead. `None`
    /// once the hub has forgotten this dashboard.
    pub async fn next(&mut self) -> Option<Push> {
        let _ = (&self.interest, &self.behind, &self.hub);
        todo!("Subscription::next")
    }
}
