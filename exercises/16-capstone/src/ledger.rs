//! The ledger: every SKU's running total, and how many moves made them. What the
//! API shows, what the reorder rule reads. Given whole.

use std::collections::BTreeMap;

use parts::feed::{FeedError, StockMove};
use serde::Serialize;

/// How many different SKUs the ledger tracks at most: a scanner must not be able
/// to make the service grow without bound.
pub const MAX_SKUS: usize = 10_000;

/// One SKU's total, as the API shows it: `{"sku":"A","qty":1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLevel {
    /// The SKU.
    pub sku: String,
    /// Its total (may be negative: the ERP reconciles later).
    pub qty: i64,
}

/// A reorder alert, as the API shows it: `{"sku":"A","qty":3,"threshold":10}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// The SKU that fell below its threshold.
    pub sku: String,
    /// Its total when the reorder job saw it.
    pub qty: i64,
    /// Its threshold.
    pub threshold: i64,
}

/// Every SKU's total, in SKU order, and the count of moves applied.
#[derive(Debug, Default)]
pub struct Ledger {
    totals: BTreeMap<String, i64>,
    moves: u64,
}

impl Ledger {
    /// An empty ledger: every SKU at 0.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Applies one move and returns the SKU's new total; on error nothing changes.
    pub fn apply(&mut self, stock_move: &StockMove) -> Result<i64, FeedError> {
        let current = self.totals.get(&stock_move.sku).copied();
        if current.is_none() && self.totals.len() >= MAX_SKUS {
            return Err(FeedError::TooManySkus(MAX_SKUS));
        }
        let total = current
            .unwrap_or(0)
            .checked_add(stock_move.qty)
            .ok_or(FeedError::OutOfRange)?;
        self.totals.insert(stock_move.sku.clone(), total);
        self.moves += 1;
        Ok(total)
    }

    /// The total of `sku`, if it ever moved.
    pub fn get(&self, sku: &str) -> Option<i64> {
        self.totals.get(sku).copied()
    }

    /// Every SKU that moved and its total, in SKU order.
    pub fn levels(&self) -> Vec<StockLevel> {
        let level =
            |(sku, qty): (&String, &i64)| StockLevel { sku: sku.clone(), qty: *qty };
        self.totals.iter().map(level).collect()
    }

    /// How many moves were applied since the start.
    pub fn moves(&self) -> u64 {
        self.moves
    }
}
