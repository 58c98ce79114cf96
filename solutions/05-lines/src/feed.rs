//! What a line means: the feed's one request, a stock move `SKU qty`, and the
//! running totals it updates. Nothing here knows about sockets or framing.

use std::collections::HashMap;
use std::fmt;

/// The longest SKU (stock-keeping unit code) the feed accepts, in bytes.
pub const MAX_SKU_LENGTH: usize = 32;

/// How many different SKUs the inventory tracks at most: every new SKU costs
/// memory, and a client must not be able to make the server grow without bound.
pub const MAX_SKUS: usize = 10_000;

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
        && sku.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Why a line was refused. The feed answers `ERR <this error>` and keeps the
/// connection open: one bad scan must not cut a warehouse off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedError {
    /// The bytes are not valid UTF-8.
    NotUtf8,
    /// The line is empty or only whitespace.
    Empty,
    /// There is a SKU but no quantity.
    MissingQty,
    /// There is something after the quantity.
    ExtraFields,
    /// The SKU is too long or has characters a SKU cannot have.
    BadSku,
    /// The quantity is not a whole number that fits in an `i64`.
    BadQty(String),
    /// The move would add a SKU beyond [`MAX_SKUS`].
    TooManySkus,
    /// The new total would not fit in an `i64`.
    OutOfRange,
}

impl fmt::Display for FeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedError::NotUtf8 => write!(f, "line is not UTF-8"),
            FeedError::Empty => write!(f, "empty line, expected: SKU qty"),
            FeedError::MissingQty => write!(f, "missing qty, expected: SKU qty"),
            FeedError::ExtraFields => write!(f, "too many fields, expected: SKU qty"),
            FeedError::BadSku => {
                write!(f, "SKU must be 1 to {MAX_SKU_LENGTH} letters, digits, '-', '_' or '.'")
            }
            // `{:?}` escapes control characters, so echoing the input is safe.
            FeedError::BadQty(qty) => write!(f, "qty must be a whole number, got {qty:?}"),
            FeedError::TooManySkus => write!(f, "inventory is full ({MAX_SKUS} SKUs)"),
            FeedError::OutOfRange => write!(f, "total out of range"),
        }
    }
}

impl std::error::Error for FeedError {}

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
        let total = current.unwrap_or(0).checked_add(stock_move.qty).ok_or(FeedError::OutOfRange)?;
        self.totals.insert(stock_move.sku.clone(), total);
        Ok(total)
    }

    /// The current total of `sku` (0 if it never moved).
    pub fn total(&self, sku: &str) -> i64 {
        self.totals.get(sku).copied().unwrap_or(0)
    }
}
