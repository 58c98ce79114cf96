//! Why a line was refused: by the framing ([`LineError`]) or by the feed
//! ([`FeedError`]). Given whole.

use std::{fmt, io};

use crate::feed::MAX_SKU_LENGTH;
use crate::inventory::MAX_SKUS;

/// Why the codec could not produce a line.
#[derive(Debug)]
pub enum LineError {
    /// A line grew past `max_length` bytes (Twisted calls `lineLengthExceeded`). The
    /// rest of the stream cannot be framed reliably: answer, then close.
    TooLong {
        /// The limit that was exceeded.
        max_length: usize,
    },
    /// The socket failed (tokio's codecs report I/O errors through the codec's error).
    Io(io::Error),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { max_length } => {
                write!(f, "line too long (max {max_length} bytes)")
            }
            LineError::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for LineError {}

impl From<io::Error> for LineError {
    fn from(err: io::Error) -> Self {
        LineError::Io(err)
    }
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
                write!(
                    f,
                    "SKU must be 1 to {MAX_SKU_LENGTH} letters, digits, '-', '_' or '.'"
                )
            }
            // `{:?}` escapes control characters, so echoing the input is safe.
            FeedError::BadQty(qty) => {
                write!(f, "qty must be a whole number, got {qty:?}")
            }
            FeedError::TooManySkus => write!(f, "inventory is full ({MAX_SKUS} SKUs)"),
            FeedError::OutOfRange => write!(f, "total out of range"),
        }
    }
}

impl std::error::Error for FeedError {}
