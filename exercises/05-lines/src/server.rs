//! The feed server: the factory that every connection shares and the protocol loop
//! of one connection. The listening port that ties them together is in `port.rs`.
//!
//! Yours to write: `FeedFactory::line_received` and `FeedFactory::serve`, below.
//! [`MAX_CONNECTIONS`] and the [`FeedFactory`] type (its fields `inventory` and
//! `max_length`, `new`, `total`) are given in `factory.rs`.

#[allow(unused_imports)]
use std::sync::PoisonError;

use tokio::net::TcpStream;

pub use crate::factory::{FeedFactory, MAX_CONNECTIONS};
pub use crate::port::{BUSY, FeedServer, IDLE_TIMEOUT};

// What `line_received` and `serve` will need.
#[allow(unused_imports)]
use {
    crate::codec::{CrlfLineCodec, LineError},
    crate::feed::StockMove,
    futures_util::{SinkExt, StreamExt},
    tokio_util::codec::Framed,
};

impl FeedFactory {
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
