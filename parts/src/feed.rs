//! The scanners' feed (chapter 05): lines of at most [`MAX_LINE`] bytes, each a
//! stock move `SKU qty`, answered `SKU total` or `ERR reason`.

use std::fmt;

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// The longest line a scanner may send, not counting its line end.
pub const MAX_LINE: usize = 1024;

/// The longest SKU, in bytes.
pub const MAX_SKU_LENGTH: usize = 32;

/// Splits a byte stream into lines ending in `\r\n` or a bare `\n` (so `nc`
/// without `-C` works too), and writes lines ending in `\r\n`.
#[derive(Debug, Clone, Default)]
pub struct LineCodec {
    /// How far the buffer was already searched for `\n`: a line arriving in many
    /// reads is not searched from its start each time.
    searched: usize,
}

/// The one framing error: a line longer than [`MAX_LINE`]. After it the stream
/// cannot be framed reliably, so the connection answers and closes.
#[derive(Debug)]
pub enum LineError {
    /// No line end within [`MAX_LINE`] bytes.
    TooLong,
    /// The socket failed.
    Io(std::io::Error),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong => write!(f, "line too long (max {MAX_LINE} bytes)"),
            LineError::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for LineError {}

impl From<std::io::Error> for LineError {
    fn from(err: std::io::Error) -> Self {
        LineError::Io(err)
    }
}

impl Decoder for LineCodec {
    type Item = Bytes;
    type Error = LineError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, LineError> {
        // A line may be MAX_LINE bytes plus `\r\n`: never look further than that.
        let end = buf.len().min(MAX_LINE + 2);
        match buf[self.searched.min(end)..end].iter().position(|&b| b == b'\n') {
            Some(at) => {
                let newline = self.searched.min(end) + at;
                self.searched = 0;
                let mut line = buf.split_to(newline + 1);
                line.truncate(newline);
                if line.last() == Some(&b'\r') {
                    line.truncate(newline - 1);
                }
                if line.len() > MAX_LINE {
                    return Err(LineError::TooLong);
                }
                Ok(Some(line.freeze()))
            }
            None if buf.len() > MAX_LINE + 1 => Err(LineError::TooLong),
            None => {
                self.searched = buf.len();
                Ok(None)
            }
        }
    }
}

impl<T: AsRef<str>> Encoder<T> for LineCodec {
    type Error = LineError;

    fn encode(&mut self, line: T, buf: &mut BytesMut) -> Result<(), LineError> {
        buf.extend_from_slice(line.as_ref().as_bytes());
        buf.extend_from_slice(b"\r\n");
        Ok(())
    }
}

/// One scanner line: `SKU qty`, e.g. `WIDGET-1 5` (five in) or `WIDGET-1 -2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockMove {
    /// The item: see [`is_valid_sku`].
    pub sku: String,
    /// Units moved: positive in, negative out.
    pub qty: i64,
}

/// Why a line is not a stock move, or could not be applied. The scanner is
/// answered `ERR <this>` and stays connected: one bad scan must not cut it off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedError {
    /// Not UTF-8.
    NotUtf8,
    /// Empty, or only whitespace.
    Empty,
    /// A SKU without a quantity.
    MissingQty,
    /// Something after the quantity.
    ExtraFields,
    /// Not a well-formed SKU.
    BadSku,
    /// Not a whole number that fits in an `i64` (the text as given).
    BadQty(String),
    /// A new SKU beyond the ledger's bound.
    TooManySkus(usize),
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
            FeedError::BadSku => write!(
                f,
                "SKU must be 1 to {MAX_SKU_LENGTH} letters, digits, '-', '_' or '.'"
            ),
            // `{:?}` escapes control characters: echoing the input stays safe.
            FeedError::BadQty(qty) => {
                write!(f, "qty must be a whole number, got {qty:?}")
            }
            FeedError::TooManySkus(max) => write!(f, "inventory is full ({max} SKUs)"),
            FeedError::OutOfRange => write!(f, "total out of range"),
        }
    }
}

impl std::error::Error for FeedError {}

impl StockMove {
    /// Parses one line without its line end. Never panics; the first problem found
    /// is the one reported (UTF-8, field count, SKU, qty).
    pub fn parse(line: &[u8]) -> Result<StockMove, FeedError> {
        let text = std::str::from_utf8(line).map_err(|_| FeedError::NotUtf8)?;
        let fields: Vec<&str> = text.split_ascii_whitespace().take(3).collect();
        let [sku, qty] = fields[..] else {
            return Err(match fields.len() {
                0 => FeedError::Empty,
                1 => FeedError::MissingQty,
                _ => FeedError::ExtraFields,
            });
        };
        if !is_valid_sku(sku) {
            return Err(FeedError::BadSku);
        }
        let qty = qty.parse().map_err(|_| FeedError::BadQty(qty.to_owned()))?;
        Ok(StockMove { sku: sku.to_owned(), qty })
    }
}

/// Whether `sku` is 1 to [`MAX_SKU_LENGTH`] ASCII letters, digits, `-`, `_`, `.`.
pub fn is_valid_sku(sku: &str) -> bool {
    (1..=MAX_SKU_LENGTH).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Result<Bytes, String>> {
        let mut codec = LineCodec::default();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(line)) => out.push(Ok(line)),
                Ok(None) => return out,
                Err(err) => {
                    out.push(Err(err.to_string()));
                    return out;
                }
            }
        }
    }

    #[test]
    fn crlf_and_bare_lf_both_end_a_line() {
        let got = lines(b"A 1\r\nB 2\nC");
        assert_eq!(got, vec![Ok(Bytes::from("A 1")), Ok(Bytes::from("B 2"))]);
    }

    #[test]
    fn a_line_over_the_limit_is_refused_without_waiting_for_its_end() {
        let long = vec![b'x'; MAX_LINE + 2];
        assert_eq!(lines(&long), vec![Err("line too long (max 1024 bytes)".into())]);
        let mut fits = vec![b'x'; MAX_LINE];
        fits.extend_from_slice(b"\r\n");
        assert_eq!(lines(&fits).len(), 1);
        assert!(lines(&fits)[0].is_ok());
    }

    #[test]
    fn stock_moves_parse_with_05s_rules() {
        assert_eq!(
            StockMove::parse(b"W-1 -2"),
            Ok(StockMove { sku: "W-1".into(), qty: -2 })
        );
        assert_eq!(StockMove::parse(b"  "), Err(FeedError::Empty));
        assert_eq!(StockMove::parse(b"W"), Err(FeedError::MissingQty));
        assert_eq!(StockMove::parse(b"W 1 2"), Err(FeedError::ExtraFields));
        assert_eq!(StockMove::parse(b"W! 1"), Err(FeedError::BadSku));
        assert_eq!(StockMove::parse(b"W x"), Err(FeedError::BadQty("x".into())));
        assert_eq!(StockMove::parse(b"\xff 1"), Err(FeedError::NotUtf8));
    }
}
