//! The feed server: the factory that every connection shares and the protocol loop
//! of one connection. The listening port that ties them together is in `port.rs`.

use std::sync::PoisonError;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

use crate::codec::{CrlfLineCodec, LineError};
use crate::feed::StockMove;

pub use crate::factory::{FeedFactory, MAX_CONNECTIONS};
pub use crate::port::{BUSY, FeedServer, IDLE_TIMEOUT};

impl FeedFactory {
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
