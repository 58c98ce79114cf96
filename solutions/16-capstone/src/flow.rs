//! The event flow: a scanner's line becomes a move in the ledger, an answer to the
//! scanner and a push to the dashboards, in that SKU's order.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parts::drain::Stop;
use parts::feed::{LineCodec, LineError, StockMove};
use parts::hub::Push;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::sleep;
use tokio_util::codec::{Decoder, Framed};

use crate::service::Service;

impl Service {
    // ANCHOR: handle_line
    /// One scanner line in, its answer out: `SKU TOTAL` once the move is in the
    /// ledger and on its way to the dashboards, or `ERR <reason>`.
    pub fn handle_line(&self, line: &[u8]) -> String {
        let stock_move = match StockMove::parse(line) {
            Ok(stock_move) => stock_move,
            Err(err) => return format!("ERR {err}"),
        };
        // Hold the ledger's lock while telling the hub: two moves of one SKU then
        // reach the hub in the order the ledger made their totals. Publishing after
        // unlocking would let another thread's newer total overtake this one.
        let mut ledger = self.ledger();
        match ledger.apply(&stock_move) {
            Ok(total) => {
                self.hub.publish(Push::Total(stock_move.sku.clone(), total));
                format!("{} {total}", stock_move.sku)
            }
            Err(err) => format!("ERR {err}"),
        }
    }
    // ANCHOR_END: handle_line
}

// ANCHOR: serve_scanner
/// Serves one scanner on `stream` (already through TLS): a line in, its answer
/// out, until the scanner leaves, sends a line too long (told, then closed), is
/// silent for `idle` (told, then closed), or `stop` is raised: then every whole
/// line already received is still applied and answered before the close.
pub async fn serve_scanner<S>(
    stream: S,
    service: Arc<Service>,
    stop: Stop,
    idle: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut lines = Framed::new(stream, LineCodec::default());
    loop {
        let next = tokio::select! {
            // The stop first: with lines always ready, a busy scanner would
            // otherwise keep the session reading past the drain.
            biased;
            () = stop.stopped() => break,
            next = lines.next() => next,
            () = sleep(idle) => {
                let idle = format!("ERR idle for {} s, closing", idle.as_secs());
                let _ = lines.send(idle).await;
                return;
            }
        };
        let answer = match next {
            Some(Ok(line)) => service.handle_line(&line),
            Some(Err(LineError::TooLong)) => format!("ERR {}", LineError::TooLong),
            Some(Err(LineError::Io(_))) | None => return,
        };
        let too_long = answer.starts_with("ERR line too long");
        if lines.send(answer).await.is_err() || too_long {
            return;
        }
    }
    // The drain. What sits in the codec's buffer was received: the scanner counts
    // on those answers. Nothing more is read.
    let mut held = lines.into_parts();
    let mut answers = bytes::BytesMut::new();
    while let Ok(Some(line)) = held.codec.decode(&mut held.read_buf) {
        let answer = service.handle_line(&line);
        let _ = tokio_util::codec::Encoder::encode(&mut held.codec, answer, &mut answers);
    }
    let _ = held.io.write_all(&answers).await;
    let _ = held.io.shutdown().await;
}
// ANCHOR_END: serve_scanner
