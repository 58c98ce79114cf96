//! What every connection of one service shares: the ledger, the running tasks and
//! the expiry timers. Most planted bugs live here, each marked `PLANTED BUG`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::task::AbortHandle;

use super::command::Command;
use super::store::{Refusal, Store};
use super::tasks::TaskGroup;
use super::variant::Variant;

/// The state of one stock service, shared by its connections and timers.
pub(crate) struct Shared {
    variant: Variant,
    hold: Duration,
    store: Mutex<Store>,
    /// The listener's accept loop and one task per connection.
    pub(crate) connections: TaskGroup,
    /// One expiry timer per live reservation (Twisted's `callLater`).
    pub(crate) timers: TaskGroup,
    /// The timer of each reservation, to cancel it on `RELEASE`.
    armed: Mutex<HashMap<u64, AbortHandle>>,
}

impl Shared {
    /// A service of kind `variant` with `stock` on the shelf; reservations last `hold`.
    pub(crate) fn new(variant: Variant, stock: &[(&str, u32)], hold: Duration) -> Self {
        Self {
            variant,
            hold,
            store: Mutex::new(Store::new(stock)),
            connections: TaskGroup::default(),
            timers: TaskGroup::default(),
            armed: Mutex::new(HashMap::new()),
        }
    }

    /// Which service this is.
    pub(crate) fn variant(&self) -> Variant {
        self.variant
    }

    /// What ends every reply line.
    pub(crate) fn delimiter(&self) -> &'static str {
        match self.variant {
            // PLANTED BUG: a bare \n; the protocol says \r\n.
            Variant::BareNewline => "\n",
            _ => "\r\n",
        }
    }

    /// Runs one request line and returns the reply, without its delimiter.
    pub(crate) fn execute(self: &Arc<Self>, line: &str) -> String {
        match Command::parse(line) {
            Err(reply) => reply,
            Ok(Command::Stock { sku }) => match self.store().available(&sku) {
                Some(units) => format!("STOCK {sku} {units}"),
                None => format!("ERR unknown sku {sku}"),
            },
            Ok(Command::Reserve { sku, units }) => self.reserve(&sku, units),
            Ok(Command::Release { id }) => self.release(id),
        }
    }

    fn reserve(self: &Arc<Self>, sku: &str, units: u32) -> String {
        // PLANTED BUG (OverReserve): the check lets one unit too many through.
        let slack = if self.variant == Variant::OverReserve { 1 } else { 0 };
        let outcome = self.store().reserve(sku, units, slack);
        match outcome {
            Ok(id) => {
                self.arm_expiry(id, sku, units);
                format!("RESERVED {id} {sku} {units}")
            }
            Err(Refusal::UnknownSku) => format!("ERR unknown sku {sku}"),
            Err(Refusal::NotEnough { left }) => format!("ERR only {left} {sku} left"),
        }
    }

    fn release(&self, id: u64) -> String {
        if self.store().release(id).is_none() {
            return format!("ERR no reservation {id}");
        }
        // PLANTED BUG (ReleaseKeepsTimer): the timer is left armed.
        if self.variant != Variant::ReleaseKeepsTimer
            && let Some(timer) = self.armed().remove(&id)
        {
            timer.abort();
        }
        format!("RELEASED {id}")
    }

    // ANCHOR: call_later
    /// Schedules the end of reservation `id`: `reactor.callLater(hold, expire, id)`.
    fn arm_expiry(self: &Arc<Self>, id: u64, sku: &str, units: u32) {
        let delay = match self.variant {
            // PLANTED BUG: no timer at all.
            Variant::NeverExpires => return,
            // PLANTED BUG: half the hold.
            Variant::ExpiresEarly => self.hold / 2,
            _ => self.hold,
        };
        let shared = Arc::clone(self);
        let sku = sku.to_owned();
        let timer = self.timers.spawn(async move {
            tokio::time::sleep(delay).await;
            shared.expire(id, &sku, units);
        });
        if let Some(timer) = timer {
            self.armed().insert(id, timer);
        }
    }
    // ANCHOR_END: call_later

    /// The timer of reservation `id` fired.
    fn expire(&self, id: u64, sku: &str, units: u32) {
        self.armed().remove(&id);
        let mut store = self.store();
        if self.variant == Variant::ReleaseKeepsTimer {
            // PLANTED BUG: trusts its own copy of the units instead of asking the ledger
            // whether the reservation still exists.
            store.give_back(sku, units);
        } else {
            // Already released? Then there is nothing to give back.
            store.release(id);
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn armed(&self) -> MutexGuard<'_, HashMap<u64, AbortHandle>> {
        self.armed.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
