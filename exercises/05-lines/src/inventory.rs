//! The running totals the feed updates: the state every connection shares.
//! Given whole.

use std::collections::HashMap;

use crate::feed::{FeedError, StockMove};

/// How many different SKUs the inventory tracks at most: every new SKU costs
/// memory, and a client must not be able to make the server grow without bound.
pub const MAX_SKUS: usize = 10_000;

/// The running totals per SKU: the state every connection shares (behind the
/// factory's mutex), bounded to [`MAX_SKUS`] entries.
#[derive(Debug, Default)]
pub struct Inventory {
    totals: HashMap<String, i64>,
}

impl Inventory {
    /// An empty inventory: every SKU starts at 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one stock move and returns the SKU's new total. On error nothing
    /// changes.
    pub fn apply(&mut self, stock_move: &StockMove) -> Result<i64, FeedError> {
        let current = self.totals.get(&stock_move.sku).copied();
        if current.is_none() && self.totals.len() >= MAX_SKUS {
            return Err(FeedError::TooManySkus);
        }
        let total = current
            .unwrap_or(0)
            .checked_add(stock_move.qty)
            .ok_or(FeedError::OutOfRange)?;
        self.totals.insert(stock_move.sku.clone(), total);
        Ok(total)
    }

    /// The current total of `sku` (0 if it never moved).
    pub fn total(&self, sku: &str) -> i64 {
        self.totals.get(sku).copied().unwrap_or(0)
    }
}
