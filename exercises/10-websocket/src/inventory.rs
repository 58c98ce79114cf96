//! Stock moves and the running totals they change. Given whole (05-lines taught it).

use std::collections::BTreeMap;
use std::fmt;

/// Longest SKU accepted: a dashboard or a feed must not make the server store
/// arbitrarily long keys.
pub const MAX_SKU_LENGTH: usize = 32;

/// How many different SKUs the inventory tracks at most, so a full snapshot (what a
/// lagging dashboard is sent) stays small.
pub const MAX_SKUS: usize = 1_000;

/// One stock move, `SKU qty`: `WIDGET-1 5` (5 received) or `WIDGET-1 -2` (2 shipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    /// The item that moved.
    pub sku: String,
    /// How many units: positive into stock, negative out of it.
    pub qty: i64,
}

impl StockMove {
    /// Parses one feed line (without its line end).
    pub fn parse(line: &str) -> Result<StockMove, MoveError> {
        let mut words = line.split_ascii_whitespace();
        let (Some(sku), Some(qty), None) = (words.next(), words.next(), words.next())
        else {
            return Err(MoveError::Malformed);
        };
        if !is_valid_sku(sku) {
            return Err(MoveError::BadSku);
        }
        let qty = qty.parse().map_err(|_| MoveError::BadQuantity)?;
        Ok(StockMove { sku: sku.to_owned(), qty })
    }
}

/// Whether `sku` is 1 to [`MAX_SKU_LENGTH`] ASCII letters, digits, `-`, `_` or `.`.
pub fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LENGTH).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Why a stock move was refused; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveError {
    /// Not two words.
    Malformed,
    /// The SKU is empty, too long or has characters outside `[A-Za-z0-9._-]`.
    BadSku,
    /// The quantity is not a whole number.
    BadQuantity,
    /// The total would overflow.
    OutOfRange,
    /// A new SKU, and the inventory already tracks [`MAX_SKUS`].
    TooManySkus,
}

impl fmt::Display for MoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoveError::Malformed => "expected `SKU qty`",
            MoveError::BadSku => "bad SKU",
            MoveError::BadQuantity => "quantity is not a whole number",
            MoveError::OutOfRange => "total out of range",
            MoveError::TooManySkus => "too many SKUs",
        })
    }
}

/// The running total of every SKU that ever moved, in SKU order.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    totals: BTreeMap<String, i64>,
}

impl Inventory {
    /// Applies `stock_move` and returns the SKU's new total; on error nothing changes.
    pub fn apply(&mut self, stock_move: &StockMove) -> Result<i64, MoveError> {
        let current = self.totals.get(&stock_move.sku).copied();
        if current.is_none() && self.totals.len() >= MAX_SKUS {
            return Err(MoveError::TooManySkus);
        }
        let total = current
            .unwrap_or(0)
            .checked_add(stock_move.qty)
            .ok_or(MoveError::OutOfRange)?;
        self.totals.insert(stock_move.sku.clone(), total);
        Ok(total)
    }

    /// The total of `sku` (0 if it never moved).
    pub fn total(&self, sku: &str) -> i64 {
        self.totals.get(sku).copied().unwrap_or(0)
    }

    /// Every SKU that moved and its total, in SKU order.
    pub fn totals(&self) -> impl Iterator<Item = (&str, i64)> {
        self.totals.iter().map(|(sku, total)| (sku.as_str(), *total))
    }
}
