//! The test's end of an in-memory connection: tokio's counterpart of Twisted's
//! `proto_helpers.StringTransport`.
//!
//! No socket, no port, no kernel: bytes go through a `tokio::io::duplex` pipe, and a
//! reply is ready as soon as the service's task has run. Nothing here waits on the
//! outside world, so paused time never jumps ahead while a reply is on its way.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::time::timeout;

/// How long [`Connection::recv`] waits for a reply. In paused time this passes only
/// when nothing else can happen, so it never fires while a reply is on its way.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest reply [`Connection::recv`] reads, in bytes.
const MAX_REPLY: u64 = 1024;

/// A client connected to a stock service through memory, made by
/// [`StockService::connect`](super::StockService::connect).
pub struct Connection {
    stream: BufReader<DuplexStream>,
}

impl Connection {
    pub(crate) fn new(stream: DuplexStream) -> Self {
        Self { stream: BufReader::new(stream) }
    }

    /// Sends one request line; `\r\n` is added for you.
    pub async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    /// Sends bytes exactly as given (half a line, two lines at once, no delimiter).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        let stream = self.stream.get_mut();
        if let Err(e) = stream.write_all(bytes).await {
            panic!(
                "could not send {:?}: the service closed the connection ({e})",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    // ANCHOR: recv
    /// Waits for the next reply and returns it exactly as it arrived, delimiter
    /// included: `"STOCK WIDGET 5\r\n"`, like `StringTransport.value()`.
    ///
    /// Panics if the service closes the connection or sends nothing for
    /// [`REPLY_TIMEOUT`].
    pub async fn recv(&mut self) -> String {
        let mut reply = Vec::new();
        let mut reader = (&mut self.stream).take(MAX_REPLY);
        match timeout(REPLY_TIMEOUT, reader.read_until(b'\n', &mut reply)).await {
            Err(_) => {
                panic!("the service sent no reply within {} s", REPLY_TIMEOUT.as_secs())
            }
            Ok(Err(e)) => panic!("could not read the reply: {e}"),
            Ok(Ok(0)) => panic!("the service closed the connection instead of replying"),
            Ok(Ok(_)) => String::from_utf8_lossy(&reply).into_owned(),
        }
    }
    // ANCHOR_END: recv

    /// Sends `line` and returns the reply, delimiter included.
    pub async fn request(&mut self, line: &str) -> String {
        self.send(line).await;
        self.recv().await
    }
}
