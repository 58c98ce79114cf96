//! The stock ledger: units available per SKU and the reservations holding units.
//!
//! Plain data, no I/O and no clock: the service decides when a reservation ends.

use std::collections::HashMap;

/// Why a reservation was refused.
pub(crate) enum Refusal {
    /// No such SKU in the ledger.
    UnknownSku,
    /// Fewer units are left than were asked for.
    NotEnough { left: u32 },
}

/// Units held by one reservation.
pub(crate) struct Hold {
    pub(crate) sku: String,
    pub(crate) units: u32,
}

/// Units available per SKU, and who holds the rest.
pub(crate) struct Store {
    available: HashMap<String, u32>,
    holds: HashMap<u64, Hold>,
    next_id: u64,
}

impl Store {
    /// A ledger with `stock` units on the shelf and nothing reserved.
    pub(crate) fn new(stock: &[(&str, u32)]) -> Self {
        let available =
            stock.iter().map(|(sku, units)| ((*sku).to_owned(), *units)).collect();
        Self { available, holds: HashMap::new(), next_id: 1 }
    }

    /// Units of `sku` that can still be reserved, or `None` for an unknown SKU.
    pub(crate) fn available(&self, sku: &str) -> Option<u32> {
        self.available.get(sku).copied()
    }

    /// Holds `units` of `sku` and returns the new reservation's id.
    ///
    /// `slack` is how many units more than are left the check lets through: 0 in the
    /// correct service, 1 in the off-by-one mutant.
    pub(crate) fn reserve(
        &mut self,
        sku: &str,
        units: u32,
        slack: u32,
    ) -> Result<u64, Refusal> {
        let left = self.available.get_mut(sku).ok_or(Refusal::UnknownSku)?;
        if units > *left + slack {
            return Err(Refusal::NotEnough { left: *left });
        }
        // Saturating: the mutant's extra unit must not crash the service, only lie.
        *left = left.saturating_sub(units);
        let id = self.next_id;
        self.next_id += 1;
        self.holds.insert(id, Hold { sku: sku.to_owned(), units });
        Ok(id)
    }

    /// Ends reservation `id` and puts its units back; `None` if it does not exist
    /// (never made, already released, or expired).
    pub(crate) fn release(&mut self, id: u64) -> Option<Hold> {
        let hold = self.holds.remove(&id)?;
        self.give_back(&hold.sku, hold.units);
        Some(hold)
    }

    /// Puts `units` of `sku` back on the shelf, whoever held them.
    pub(crate) fn give_back(&mut self, sku: &str, units: u32) {
        if let Some(left) = self.available.get_mut(sku) {
            *left = left.saturating_add(units);
        }
    }
}
