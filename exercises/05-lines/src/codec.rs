//! Framing: turns the TCP byte stream into `\r\n`-delimited lines, and lines back
//! into bytes. TCP delivers bytes, not messages: one read may hold half a line, or
//! three lines and the start of a fourth. The codec is where that stops mattering.

// You will need `BufMut` (put_slice) and `Bytes` (what decode returns).
#[allow(unused_imports)]
use bytes::{BufMut, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

pub use crate::error::LineError;

// ANCHOR: consts
/// The longest line the feed accepts, in bytes, not counting its `\r\n`
/// (Twisted's `LineReceiver.MAX_LENGTH`, whose default is 16384). A scanner line is
/// a few dozen bytes; anything near this limit is a bug or an attack.
pub const MAX_LENGTH: usize = 1024;

/// What ends a line on the wire, in both directions: `\r\n`, as in Twisted's
/// `LineReceiver.delimiter`, telnet and most text protocols of the internet.
pub const DELIMITER: &[u8] = b"\r\n";

/// A tokio codec for `\r\n`-delimited lines of at most `max_length` bytes.
///
/// Decoding yields each line as raw bytes without its delimiter (what a line *means*
/// is the protocol's business, and it may not even be UTF-8); encoding appends `\r\n`.
///
/// Optional, once everything passes: add a field that remembers how far the last
/// `decode` searched, so a long line arriving in many reads is not searched from
/// its start every time (the solution calls it `next_index`).
#[derive(Debug, Clone)]
pub struct CrlfLineCodec {
    max_length: usize,
}
// ANCHOR_END: consts

impl CrlfLineCodec {
    /// A codec that accepts lines of up to [`MAX_LENGTH`] bytes.
    pub fn new() -> Self {
        Self::with_max_length(MAX_LENGTH)
    }

    /// A codec that accepts lines of up to `max_length` bytes (not counting `\r\n`).
    pub fn with_max_length(max_length: usize) -> Self {
        Self { max_length }
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

impl Decoder for CrlfLineCodec {
    type Item = Bytes;
    type Error = LineError;

    /// Called by `Framed` after every read, again and again while it returns lines:
    /// returns the next complete line and removes it from `buf`, or `Ok(None)` to
    /// ask for more bytes (leave the unfinished line in `buf`: it grows next time).
    ///
    /// - Find the first `\r\n` in `buf`, e.g. with
    ///   `buf.windows(2).position(|w| w == DELIMITER)`. A `\r` alone at the end is
    ///   not a delimiter yet; a bare `\n` is part of the line.
    /// - Found at index `n`: if `n > self.max_length`, return
    ///   `Err(LineError::TooLong { max_length: self.max_length })`. Otherwise
    ///   `buf.split_to(n + 2)` takes the line and its `\r\n` out of `buf`;
    ///   `truncate(n)` drops the `\r\n` and `freeze()` makes the `Bytes`.
    /// - Not found: if `buf` already holds more than `max_length + 1` bytes, the line
    ///   is too long whatever comes next: return `TooLong` now, without waiting for
    ///   a `\r\n` that may never come (memory must stay bounded). Else `Ok(None)`.
    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, LineError> {
        todo!("CrlfLineCodec::decode ({} bytes buffered)", buf.len())
    }
}

impl<T: AsRef<str>> Encoder<T> for CrlfLineCodec {
    type Error = LineError;

    /// Appends one line and its `\r\n` to the bytes `Framed` will write (Twisted's
    /// `sendLine`). `line.as_ref()` is the text; `buf.put_slice(…)` appends bytes.
    ///
    /// Why not `tokio_util::codec::LinesCodec`? It ends lines with a bare `\n`,
    /// which CRLF peers (telnet, `nc -C`, Twisted) do not treat as a line end.
    fn encode(&mut self, line: T, _buf: &mut BytesMut) -> Result<(), LineError> {
        todo!("CrlfLineCodec::encode({:?})", line.as_ref())
    }
}
