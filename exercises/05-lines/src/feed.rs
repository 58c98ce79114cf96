//! What a line means: the feed's one request, a stock move `SKU qty`. Nothing
//! here knows about sockets or framing.

pub use crate::error::FeedError;
pub use crate::inventory::{Inventory, MAX_SKUS};

/// The longest SKU (stock-keeping unit code) the feed accepts, in bytes.
pub const MAX_SKU_LENGTH: usize = 32;

/// One request line of the feed: `SKU qty`, e.g. `WIDGET-1 5` (5 received) or
/// `WIDGET-1 -2` (2 shipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    /// The item: 1 to [`MAX_SKU_LENGTH`] ASCII letters, digits, `-`, `_` or `.`.
    pub sku: String,
    /// How many units move: positive into stock, negative out of it.
    pub qty: i64,
}

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

/// Whether `sku` is a well-formed SKU: 1 to [`MAX_SKU_LENGTH`] ASCII letters,
/// digits, `-`, `_` or `.` (no spaces, no control characters, nothing to escape).
pub fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LENGTH).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}
