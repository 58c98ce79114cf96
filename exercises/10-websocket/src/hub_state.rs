//! The hub's types and their given methods: [`Hub`] (the shared state under one
//! lock), each dashboard's entry, and [`Subscription`], a dashboard's end. Given
//! whole.
//!
//! `Hub::register`, `Hub::unregister`, `Hub::publish` and `Subscription::next` are
//! yours to write in `hub.rs`, in other `impl` blocks of these types.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

use crate::inventory::Inventory;
use crate::message::{Interest, Push};

/// Names one registered dashboard.
pub type ClientId = u64;

/// The shared state: the inventory and every registered dashboard. One lock, held
/// briefly and never across an `.await`, so a move and its pushes are one step.
#[derive(Debug)]
pub struct Hub {
    pub(crate) state: Mutex<HubState>,
    #[allow(dead_code)] // the functions you write read it
    pub(crate) queue_capacity: usize,
}

/// The hub's state under its one lock.
#[derive(Debug, Default)]
#[allow(dead_code)] // the functions you write read it
pub(crate) struct HubState {
    pub(crate) inventory: Inventory,
    pub(crate) clients: HashMap<ClientId, Client>,
    pub(crate) next_id: ClientId,
}

/// What the hub keeps for one dashboard: what it wants, where its pushes go, and
/// whether it fell behind.
#[derive(Debug)]
#[allow(dead_code)] // the functions you write read it
pub(crate) struct Client {
    pub(crate) interest: Interest,
    pub(crate) queue: mpsc::Sender<Push>,
    pub(crate) behind: Arc<AtomicBool>,
}

/// One dashboard's end: the pushes meant for it, in order.
#[derive(Debug)]
pub struct Subscription {
    pub(crate) id: ClientId,
    pub(crate) interest: Interest,
    pub(crate) queue: mpsc::Receiver<Push>,
    /// Set by the hub when a push did not fit in the queue; the next
    /// [`Subscription::next`] then resyncs with a snapshot.
    pub(crate) behind: Arc<AtomicBool>,
    pub(crate) hub: Arc<Hub>,
}

impl Hub {
    /// An empty hub whose dashboards each have a queue of `queue_capacity` pushes.
    pub fn new(queue_capacity: usize) -> Arc<Hub> {
        Arc::new(Hub { state: Mutex::default(), queue_capacity: queue_capacity.max(1) })
    }

    /// How many dashboards are registered.
    pub fn subscribers(&self) -> usize {
        self.lock().clients.len()
    }

    /// The current total of `sku`.
    pub fn total(&self, sku: &str) -> i64 {
        self.lock().inventory.total(sku)
    }

    /// The hub's state, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, HubState> {
        // A panic elsewhere must not take every dashboard down with it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Subscription {
    /// This dashboard's id in the hub.
    pub fn id(&self) -> ClientId {
        self.id
    }

    /// How many pushes wait in the queue (never more than the hub's capacity).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}
