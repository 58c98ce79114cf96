//! The inventory: SKU → stock, with the moves that change it. Given whole; the
//! reorder check that reads it is in `reorder.rs`.

use std::collections::BTreeMap;
use std::fmt;

/// One SKU's stock: the quantity on hand and the reorder point below which it must be
/// reordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock {
    /// Units on hand; negative when more was shipped than booked in.
    pub qty: i64,
    /// Reorder when `qty` falls below this.
    pub reorder_point: i64,
}

/// SKU → stock. Sorted by SKU, so reports come out in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub(crate) items: BTreeMap<String, Stock>,
}

/// A SKU below its reorder point, as a report lists it: `GEAR 3 < 5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReorderAlert {
    /// The stock-keeping unit.
    pub sku: String,
    /// Units on hand when checked.
    pub qty: i64,
    /// The reorder point it is below.
    pub reorder_point: i64,
}

impl fmt::Display for ReorderAlert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} < {}", self.sku, self.qty, self.reorder_point)
    }
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a SKU's quantity and reorder point, adding the SKU if it is new.
    pub fn set(&mut self, sku: &str, qty: i64, reorder_point: i64) {
        self.items.insert(sku.to_owned(), Stock { qty, reorder_point });
    }

    /// Books a stock move of `delta` units; returns the new quantity, or `None` for an
    /// unknown SKU (which is left out, not invented).
    pub fn adjust(&mut self, sku: &str, delta: i64) -> Option<i64> {
        let stock = self.items.get_mut(sku)?;
        stock.qty = stock.qty.saturating_add(delta);
        Some(stock.qty)
    }

    /// A SKU's stock, if known.
    pub fn get(&self, sku: &str) -> Option<Stock> {
        self.items.get(sku).copied()
    }
}
