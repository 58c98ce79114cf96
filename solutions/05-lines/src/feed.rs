//! What a line means: the feed's one request, a stock move `SKU qty`. Nothing
//! here knows about sockets or framing.

pub use crate::error::FeedError;
pub use crate::inventory::{Inventory, MAX_SKUS};
pub use crate::stock_move::{MAX_SKU_LENGTH, StockMove, is_valid_sku};

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
