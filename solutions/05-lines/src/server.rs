//! The feed server: the factory that every connection shares and the protocol loop
//! of one connection. The listening port that ties them together is in `port.rs`.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

use crate::codec::{CrlfLineCodec, LineError, MAX_LENGTH};
use crate::feed::{Inventory, StockMove};

pub use crate::port::{BUSY, FeedServer, IDLE_TIMEOUT};

/// How many clients may be connected at once; a newcomer beyond that is told
/// [`BUSY`] and closed (see `port.rs`). Below macOS's default limit of 256 open
/// files (Linux's is 1,024), so the server reaches it before running out of
/// descriptors, when it could no longer accept a newcomer even to say no.
pub const MAX_CONNECTIONS: usize = 200;

// ANCHOR: factory
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
// ANCHOR_END: factory

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

    // ANCHOR: line_received
    /// Answers one line (Twisted's `lineReceived`): `SKU total` after applying the
    /// move, or `ERR <reason>` for a line that is not a valid move.
    pub fn line_received(&self, line: &[u8]) -> String {
        let answer = StockMove::parse(line).and_then(|stock_move| {
            // A panic elsewhere while holding the lock poisons it; the totals are
            // still consistent (apply changes nothing on error), so keep serving.
            let mut inventory =
                self.inventory.lock().unwrap_or_else(PoisonError::into_inner);
            let total = inventory.apply(&stock_move)?;
            Ok(format!("{} {total}", stock_move.sku))
        }); // The lock guard is dropped here, before any .await in `serve`.
        answer.unwrap_or_else(|err| format!("ERR {err}"))
    }
    // ANCHOR_END: line_received

    // ANCHOR: serve
    /// Runs the protocol on one connection until the client leaves: one answer per
    /// line; a line that is too long gets `ERR line too long (max N bytes)`, then
    /// the connection is closed (Twisted's `lineLengthExceeded` → `loseConnection`).
    pub async fn serve(&self, stream: TcpStream) {
        // `Framed` = the socket + the codec: a Stream of decoded lines and a Sink
        // of lines to encode and write.
        let mut lines =
            Framed::new(stream, CrlfLineCodec::with_max_length(self.max_length));
        while let Some(frame) = lines.next().await {
            let answer = match frame {
                Ok(line) => self.line_received(&line),
                Err(err @ LineError::TooLong { .. }) => {
                    // Best effort: if the client is already gone there is no one to tell.
                    let _ = lines.send(format!("ERR {err}")).await;
                    return; // dropping `lines` closes the socket
                }
                // The connection broke: nothing to answer.
                Err(LineError::Io(_)) => return,
            };
            if lines.send(answer).await.is_err() {
                return;
            }
        }
    }
    // ANCHOR_END: serve
}

impl Default for FeedFactory {
    fn default() -> Self {
        Self::new()
    }
}
