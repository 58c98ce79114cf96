//! Framing: turns the TCP byte stream into `\r\n`-delimited lines, and lines back
//! into bytes. TCP delivers bytes, not messages: one read may hold half a line, or
//! three lines and the start of a fourth. The codec is where that stops mattering.

use bytes::{BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

pub use crate::error::LineError;

/// The longest line the feed accepts, in bytes, not counting its `\r\n`
/// (Twisted's `LineReceiver.MAX_LENGTH`, whose default is 16384). A scanner line is
/// a few dozen bytes; anything near this limit is a bug or an attack.
pub const MAX_LENGTH: usize = 1024;

/// What ends a line on the wire, in both directions: `\r\n`, as in Twisted's
/// `LineReceiver.delimiter`, telnet and most text protocols of the internet.
pub const DELIMITER: &[u8] = b"\r\n";

// ANCHOR: codec
/// A tokio codec for `\r\n`-delimited lines of at most `max_length` bytes.
///
/// Decoding yields each line as raw bytes without its delimiter (what a line *means*
/// is the protocol's business, and it may not even be UTF-8); encoding appends `\r\n`.
#[derive(Debug, Clone)]
pub struct CrlfLineCodec {
    max_length: usize,
    /// Where the next search for `\r\n` starts: the bytes before it were already
    /// searched, and searching them again on every read would be quadratic.
    next_index: usize,
}
// ANCHOR_END: codec

impl CrlfLineCodec {
    /// A codec that accepts lines of up to [`MAX_LENGTH`] bytes.
    pub fn new() -> Self {
        Self::with_max_length(MAX_LENGTH)
    }

    /// A codec that accepts lines of up to `max_length` bytes (not counting `\r\n`).
    pub fn with_max_length(max_length: usize) -> Self {
        Self { max_length, next_index: 0 }
    }

    /// The longest line this codec accepts, in bytes.
    pub fn max_length(&self) -> usize {
        self.max_length
    }
}

impl Default for CrlfLineCodec {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: decode
impl Decoder for CrlfLineCodec {
    type Item = Bytes;
    type Error = LineError;

    /// Called by `Framed` after every read: returns the next complete line and
    /// removes it from `buf`, or `None` to ask for more bytes.
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, LineError> {
        // Never look further than one maximal line plus its delimiter: whatever
        // lies beyond cannot belong to an acceptable line.
        let end = buf.len().min(self.max_length.saturating_add(DELIMITER.len()));
        let start = self.next_index.min(end);
        match buf[start..end].windows(DELIMITER.len()).position(|w| w == DELIMITER) {
            Some(found) => {
                let line_length = start + found;
                self.next_index = 0;
                if line_length > self.max_length {
                    return Err(LineError::TooLong { max_length: self.max_length });
                }
                let mut line = buf.split_to(line_length + DELIMITER.len());
                line.truncate(line_length);
                Ok(Some(line.freeze()))
            }
            // More than a maximal line and a lone `\r` without a delimiter: the line
            // is already too long, so stop buffering now instead of waiting (maybe
            // forever, with memory growing) for a `\r\n` that would not help.
            None if buf.len() > self.max_length.saturating_add(1) => {
                Err(LineError::TooLong { max_length: self.max_length })
            }
            None => {
                // Step back one byte: a `\r` at the very end may be the first half
                // of a delimiter whose `\n` comes in the next read.
                self.next_index = buf.len().saturating_sub(1);
                Ok(None)
            }
        }
    }
}
// ANCHOR_END: decode

// ANCHOR: encode
impl<T: AsRef<str>> Encoder<T> for CrlfLineCodec {
    type Error = LineError;

    /// Appends one line and its `\r\n` to the bytes `Framed` will write
    /// (Twisted's `sendLine`). `tokio_util`'s `LinesCodec` would end it with a
    /// bare `\n`, which CRLF peers (telnet, `nc -C`, Twisted) do not accept.
    fn encode(&mut self, line: T, buf: &mut BytesMut) -> Result<(), LineError> {
        let line = line.as_ref().as_bytes();
        buf.reserve(line.len() + DELIMITER.len());
        buf.put_slice(line);
        buf.put_slice(DELIMITER);
        Ok(())
    }
}
// ANCHOR_END: encode
