//! [`StockMove`], what one feed line stands for, and what makes a SKU well-formed.
//! Given whole.
//!
//! `StockMove::parse`, from a line's bytes to a move, is yours to write in
//! `feed.rs`.

/// The longest SKU (stock-keeping unit code) the feed accepts, in bytes.
pub const MAX_SKU_LENGTH: usize = 32;

// ANCHOR: stock_move
/// One request line of the feed: `SKU qty`, e.g. `WIDGET-1 5` (5 received) or
/// `WIDGET-1 -2` (2 shipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    /// The item: 1 to [`MAX_SKU_LENGTH`] ASCII letters, digits, `-`, `_` or `.`.
    pub sku: String,
    /// How many units move: positive into stock, negative out of it.
    pub qty: i64,
}
// ANCHOR_END: stock_move

/// Whether `sku` is a well-formed SKU: 1 to [`MAX_SKU_LENGTH`] ASCII letters,
/// digits, `-`, `_` or `.` (no spaces, no control characters, nothing to escape).
pub fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LENGTH).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
