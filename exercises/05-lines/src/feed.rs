//! What a line means: the feed's one request, a stock move `SKU qty`. Nothing
//! here knows about sockets or framing.
//!
//! Yours to write: `StockMove::parse`, below. [`StockMove`], [`MAX_SKU_LENGTH`] and
//! [`is_valid_sku`] are given in `stock_move.rs`.

pub use crate::error::FeedError;
pub use crate::inventory::{Inventory, MAX_SKUS};
pub use crate::stock_move::{MAX_SKU_LENGTH, StockMove, is_valid_sku};

impl StockMove {
    /// Parses one line (without its `\r\n`) into a stock move. Any input, even
    /// invalid UTF-8, gives either a move or a [`FeedError`]; it never panics.
    ///
    /// In this order (the first problem found is the one reported):
    /// 1. `std::str::from_utf8(line)` fails: [`FeedError::NotUtf8`].
    /// 2. Split on whitespace (`split_ascii_whitespace`): no field at all is
    ///    [`FeedError::Empty`], one field [`FeedError::MissingQty`], more than two
    ///    [`FeedError::ExtraFields`].
    /// 3. The SKU fails [`is_valid_sku`]: [`FeedError::BadSku`].
    /// 4. The qty does not parse as an `i64` (`"-2".parse::<i64>()` is fine, `"+5"`
    ///    too): [`FeedError::BadQty`] with the qty text as given.
    pub fn parse(line: &[u8]) -> Result<StockMove, FeedError> {
        todo!("StockMove::parse({:?})", String::from_utf8_lossy(line))
    }
}
