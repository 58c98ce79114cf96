//! A finger client: the `finger` command, in a function.
//!
//! Yours to write: [`finger`], below. Its limits ([`MAX_ANSWER`], [`CLIENT_TIMEOUT`])
//! and [`ClientError`] are given in `client_error.rs`.

use std::net::SocketAddr;

// What `finger` will need.
#[allow(unused_imports)]
use std::io;
#[allow(unused_imports)]
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

pub use crate::client_error::{CLIENT_TIMEOUT, ClientError, MAX_ANSWER};
#[allow(unused_imports)]
use crate::server::MAX_QUERY_LENGTH;

/// Asks the finger server at `addr` one query (`""`, `"alice"`, `"/W alice"`)
/// and returns its whole answer as text, line ends included (invalid UTF-8
/// becomes U+FFFD: `String::from_utf8_lossy`). The answer ends when the server
/// closes the connection.
///
/// - A query with `\r` or `\n`, or longer than [`MAX_QUERY_LENGTH`], is
///   [`ClientError::BadQuery`], before connecting.
/// - Connect, write the query and `\r\n`, then read to the end, never more than
///   [`MAX_ANSWER`] + 1 bytes (`take`, then `read_to_end`): more than
///   [`MAX_ANSWER`] is [`ClientError::TooLong`].
/// - The whole exchange has [`CLIENT_TIMEOUT`]: a server that never closes is
///   [`ClientError::TimedOut`]. I/O errors are [`ClientError::Io`] (`?` converts).
pub async fn finger(addr: SocketAddr, query: &str) -> Result<String, ClientError> {
    todo!("finger({addr}, {query:?})")
}
