//! Fetching one resource: provided, read it, don't change it.
//!
//! `fetch` is written in the blocking *style*: every `.await` waits for one thing
//! (connect, send, the reply), top to bottom. Unlike a blocking call, an `.await`
//! hands the thread back to the event loop while it waits, so other tasks run.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The longest reply line `fetch` reads, delimiter included.
pub const MAX_REPLY: usize = 64 * 1024;

/// Why one resource could not be fetched. The other resources are not affected.
#[derive(Debug)]
pub enum FetchError {
    /// Nothing listens at the address, or the connection could not be made.
    Connect(io::Error),
    /// The connection broke while sending or reading.
    Io(io::Error),
    /// The server closed the connection without answering.
    HungUp,
    /// The server answered `ERR <reason>`.
    Server(String),
    /// The server answered something that is not the protocol.
    Garbled(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Connect(e) => write!(f, "could not connect: {e}"),
            FetchError::Io(e) => write!(f, "connection failed: {e}"),
            FetchError::HungUp => write!(f, "the server hung up without answering"),
            FetchError::Server(reason) => write!(f, "the server said: {reason}"),
            FetchError::Garbled(reply) => write!(f, "not a reply: {reply:?}"),
        }
    }
}

impl std::error::Error for FetchError {}

// ANCHOR: fetch
/// Connects to the stock server at `addr`, asks for `path` and returns the body.
//
// No timeout here on purpose: the tests run in paused time, where tokio jumps the
// clock forward whenever every task is waiting. A client-side timer could then fire
// while the reply is still on its way through the kernel. The steps have their own
// wall-clock limit instead.
pub async fn fetch(addr: SocketAddr, path: &str) -> Result<String, FetchError> {
    let mut stream = TcpStream::connect(addr).await.map_err(FetchError::Connect)?;
    stream
        .write_all(format!("GET {path}\r\n").as_bytes())
        .await
        .map_err(FetchError::Io)?;

    let mut reply = Vec::new();
    BufReader::new(stream)
        .take(MAX_REPLY as u64)
        .read_until(b'\n', &mut reply)
        .await
        .map_err(FetchError::Io)?;
    if reply.is_empty() {
        return Err(FetchError::HungUp);
    }
    let reply = String::from_utf8_lossy(&reply);
    let Some(line) = reply.strip_suffix("\r\n") else {
        return Err(FetchError::Garbled(reply.into_owned()));
    };
    if let Some(body) = line.strip_prefix("OK ") {
        Ok(body.to_owned())
    } else if let Some(reason) = line.strip_prefix("ERR ") {
        Err(FetchError::Server(reason.to_owned()))
    } else {
        Err(FetchError::Garbled(line.to_owned()))
    }
}
// ANCHOR_END: fetch
