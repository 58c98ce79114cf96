//! The stock every request shares: SKUs and their quantities. Given whole.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// Quantities on hand, by SKU, shared by every connection.
#[derive(Debug, Default)]
pub struct Inventory {
    stock: Mutex<BTreeMap<String, i64>>,
}

/// Why a stock move was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveError {
    /// No such SKU in the inventory.
    UnknownSku(String),
    /// The move would take the quantity below zero (or past `i64::MAX`).
    OutOfRange {
        /// The SKU moved.
        sku: String,
        /// What is on hand now.
        qty: i64,
    },
}

impl fmt::Display for MoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownSku(sku) => write!(f, "unknown SKU {sku}"),
            Self::OutOfRange { sku, qty } => {
                write!(f, "{sku} has {qty}: the move would leave it out of range")
            }
        }
    }
}

impl Inventory {
    /// An inventory holding `items` (SKU, quantity).
    pub fn with_stock(items: &[(&str, i64)]) -> Self {
        let stock = items.iter().map(|&(sku, qty)| (sku.to_owned(), qty)).collect();
        Self { stock: Mutex::new(stock) }
    }

    /// The stock the demo, the tests and the Twisted snippet all start from.
    pub fn demo() -> Self {
        Self::with_stock(&[("WIDGET-1", 10), ("GADGET", 3), ("SPROCKET-7", 0)])
    }

    /// Every SKU with its quantity, sorted by SKU.
    pub fn list(&self) -> Vec<(String, i64)> {
        self.lock().iter().map(|(sku, &qty)| (sku.clone(), qty)).collect()
    }

    /// The quantity of `sku`, if the inventory has it.
    pub fn get(&self, sku: &str) -> Option<i64> {
        self.lock().get(sku).copied()
    }

    /// Adds `delta` (negative: takes away) to `sku`; returns the new quantity.
    pub fn apply(&self, sku: &str, delta: i64) -> Result<i64, MoveError> {
        let mut stock = self.lock();
        let qty =
            stock.get_mut(sku).ok_or_else(|| MoveError::UnknownSku(sku.to_owned()))?;
        match qty.checked_add(delta) {
            Some(new) if new >= 0 => {
                *qty = new;
                Ok(new)
            }
            _ => Err(MoveError::OutOfRange { sku: sku.to_owned(), qty: *qty }),
        }
    }

    // A panic elsewhere cannot leave the map half-updated (every change is one
    // assignment), so a poisoned lock is safe to keep using.
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, i64>> {
        self.stock.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
