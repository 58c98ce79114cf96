//! What a line means: the feed's one request, a stock move `SKU qty`. Nothing
//! here knows about sockets or framing.

pub use crate::error::FeedError;
pub use crate::inventory::{Inventory, MAX_SKUS};

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

impl StockMove {
    // ANCHOR: parse
    /// Parses one line (without its `\r\n`) into a stock move. Any input, even
    /// invalid UTF-8, gives either a move or a [`FeedError`]; it never panics.
    pub fn parse(line: &[u8]) -> Result<StockMove, FeedError> {
        let line = std::str::from_utf8(line).map_err(|_| FeedError::NotUtf8)?;
        let mut fields = line.split_ascii_whitespace();
        let (sku, qty) = match (fields.next(), fields.next(), fields.next()) {
            (None, _, _) => return Err(FeedError::Empty),
            (Some(_), None, _) => return Err(FeedError::MissingQty),
            (Some(_), Some(_), Some(_)) => return Err(FeedError::ExtraFields),
            (Some(sku), Some(qty), None) => (sku, qty),
        };
        if !is_valid_sku(sku) {
            return Err(FeedError::BadSku);
        }
        let qty = qty.parse().map_err(|_| FeedError::BadQty(qty.to_owned()))?;
        Ok(StockMove { sku: sku.to_owned(), qty })
    }
    // ANCHOR_END: parse
}

/// Whether `sku` is a well-formed SKU: 1 to [`MAX_SKU_LENGTH`] ASCII letters,
/// digits, `-`, `_` or `.` (no spaces, no control characters, nothing to escape).
pub fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LENGTH).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
