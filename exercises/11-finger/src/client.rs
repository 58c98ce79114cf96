//! A finger client: the `finger` command, in a function.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

// What `finger` will need.
#[allow(unused_imports)]
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

use crate::server::MAX_QUERY_LENGTH;

/// The largest answer the client accepts, in bytes.
pub const MAX_ANSWER: usize = 64 * 1024;

/// How long the whole exchange may take: connect, ask, read to the close.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why [`finger`] gave up.
#[derive(Debug)]
pub enum ClientError {
    /// The query holds a `\r` or `\n`, or is longer than [`MAX_QUERY_LENGTH`]:
    /// it would not be one line on the wire.
    BadQuery,
    /// Connecting, writing or reading failed.
    Io(io::Error),
    /// The server sent more than [`MAX_ANSWER`] bytes.
    TooLong,
    /// The server did not close within [`CLIENT_TIMEOUT`].
    TimedOut,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadQuery => {
                write!(f, "a query is one line of at most {MAX_QUERY_LENGTH} bytes")
            }
            ClientError::Io(err) => write!(f, "{err}"),
            ClientError::TooLong => {
                write!(f, "the answer is longer than {MAX_ANSWER} bytes")
            }
            ClientError::TimedOut => {
                write!(f, "no complete answer within {} s", CLIENT_TIMEOUT.as_secs())
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl From<io::Error> for ClientError {
    fn from(err: io::Error) -> Self {
        ClientError::Io(err)
    }
}

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
