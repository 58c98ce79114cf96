//! The feed server: the factory that every connection shares and the protocol loop
//! of one connection. The listening port that ties them together is in `port.rs`.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::TcpStream;

use crate::codec::MAX_LENGTH;
use crate::feed::Inventory;

pub use crate::port::{BUSY, FeedServer, IDLE_TIMEOUT};

// What `line_received` and `serve` will need.
#[allow(unused_imports)]
use {
    crate::codec::{CrlfLineCodec, LineError},
    crate::feed::StockMove,
    futures_util::{SinkExt, StreamExt},
    tokio_util::codec::Framed,
};

/// How many clients may be connected at once; a newcomer beyond that is told
/// [`BUSY`] and closed (see `port.rs`). Below macOS's default limit of 256 open
/// files (Linux's is 1,024), so the server reaches it before running out of
/// descriptors, when it could no longer accept a newcomer even to say no.
pub const MAX_CONNECTIONS: usize = 200;

/// The factory (Twisted's `Factory`): what all connections share, handed to each
/// new connection as a cheap clone.
///
/// The inventory lives behind `Arc<Mutex<…>>`: `Arc` because every connection task
/// holds it, `Mutex` because they all update it. A std `Mutex` is right here: it is
/// only held for a few instructions, never across an `.await`.
#[derive(Debug, Clone)]
pub struct FeedFactory {
    inventory: Arc<Mutex<Inventory>>,
    max_length: usize,
}

impl FeedFactory {
    /// A factory with an empty inventory that accepts lines of up to [`MAX_LENGTH`] bytes.
    pub fn new() -> Self {
        Self::with_max_length(MAX_LENGTH)
    }

    /// A factory whose connections accept lines of up to `max_length` bytes.
    pub fn with_max_length(max_length: usize) -> Self {
        Self { inventory: Arc::new(Mutex::new(Inventory::new())), max_length }
    }

    /// The longest line a connection accepts, in bytes.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// The current total of `sku` (0 if it never moved), e.g. for a status page.
    pub fn total(&self, sku: &str) -> i64 {
        self.inventory.lock().unwrap_or_else(PoisonError::into_inner).total(sku)
    }

    /// Answers one line (Twisted's `lineReceived`): `SKU total` after applying the
    /// move, e.g. `WIDGET-1 7`, or `ERR <reason>` for a line that is not a valid
    /// move, e.g. `ERR missing qty, expected: SKU qty` (the reason is the
    /// [`FeedError`](crate::FeedError)'s `Display`).
    ///
    /// [`StockMove::parse`] the line, then apply it to the shared inventory:
    /// `self.inventory.lock()` gives a guard that derefs to `Inventory`, and
    /// [`Inventory::apply`] returns the new total. `lock()` fails only if another
    /// thread panicked while holding it ("poisoned"); the totals are still sound, so
    /// take the guard anyway: `.unwrap_or_else(PoisonError::into_inner)`.
    /// Keep the guard for as short as possible: this function is not `async`, so it
    /// cannot be held across an `.await` by mistake.
    pub fn line_received(&self, line: &[u8]) -> String {
        todo!("FeedFactory::line_received({:?})", String::from_utf8_lossy(line))
    }

    /// Runs the protocol on one connection until the client leaves: one answer per
    /// line; a line that is too long gets `ERR line too long (max N bytes)`, then
    /// the connection is closed (Twisted's `lineLengthExceeded` → `loseConnection`).
    ///
    /// - `Framed::new(stream, CrlfLineCodec::with_max_length(self.max_length))` joins
    ///   the socket and your codec: `lines.next().await` (from `StreamExt`) gives
    ///   `Some(Ok(line))`, `Some(Err(LineError))` or `None` when the client closed;
    ///   `lines.send(text).await` (from `SinkExt`) encodes, writes and flushes.
    /// - `Ok(line)`: send [`Self::line_received`]'s answer.
    /// - `Err(err @ LineError::TooLong { .. })`: send `format!("ERR {err}")`, then
    ///   return. Returning drops the `Framed`, and dropping it closes the socket.
    /// - `Err(LineError::Io(_))`, or a failed `send`: the connection is broken, return.
    ///
    /// Never `unwrap()` here: a client that vanishes mid-line is normal, not a bug.
    pub async fn serve(&self, stream: TcpStream) {
        todo!("FeedFactory::serve({:?})", stream.peer_addr())
    }
}

impl Default for FeedFactory {
    fn default() -> Self {
        Self::new()
    }
}
