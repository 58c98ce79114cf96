//! The event flow: a scanner's line becomes a move in the ledger, an answer to the
//! scanner and a push to the dashboards, in that SKU's order.

use std::sync::Arc;
use std::time::Duration;

use parts::drain::Stop;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::service::Service;

impl Service {
    /// One scanner line (without its line end) in, its answer out:
    ///
    /// - not a stock move ([`parts::feed::StockMove::parse`] says why): `ERR <why>`;
    /// - refused by the ledger ([`crate::ledger::Ledger::apply`]): `ERR <why>`;
    /// - applied: the hub hears the SKU's new total ([`parts::hub::Push::Total`],
    ///   [`parts::hub::Hub::publish`]), and the answer is `SKU TOTAL`.
    ///
    /// The order matters: every dashboard must see one SKU's totals in the order
    /// the ledger made them, even with scanners on many threads at once. The
    /// ledger's lock is what orders them: see [`Service`]'s fields.
    pub fn handle_line(&self, line: &[u8]) -> String {
        todo!("Service::handle_line({:?})", String::from_utf8_lossy(line))
    }
}

/// Serves one scanner on `stream` (already through TLS), with
/// [`parts::feed::LineCodec`] framing: each line answered by
/// [`Service::handle_line`], in order. It ends when:
///
/// - the scanner leaves (or its socket fails): nothing to say;
/// - a line is too long: answer `ERR line too long (max 1024 bytes)`, then close;
/// - it is silent for `idle`: answer `ERR idle for N s, closing`, then close;
/// - `stop` is raised (the drain): every whole line *already received* (in the
///   codec's buffer) is still applied and answered, nothing more is read, then the
///   connection closes. The scanner counts on an answer for what it handed over.
///
/// [`parts::feed::LineCodec`] encodes anything that is `AsRef<str>`, so a bare
/// `lines.close()` or `lines.flush()` cannot tell which item type it is for (E0283):
/// name it, e.g. `SinkExt::<String>::close(&mut lines)`.
pub async fn serve_scanner<S>(
    stream: S,
    service: Arc<Service>,
    stop: Stop,
    idle: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = (stream, service, stop);
    todo!("serve_scanner (idle after {idle:?})")
}
