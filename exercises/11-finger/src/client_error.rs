//! The finger client's limits and [`ClientError`], why it gave up. Given whole.
//!
//! `finger` itself is yours to write in `client.rs`.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::server::MAX_QUERY_LENGTH;

/// The largest answer the client accepts, in bytes.
pub const MAX_ANSWER: usize = 64 * 1024;

/// How long the whole exchange may take: connect, ask, read to the close.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why [`finger`](crate::finger) gave up.
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
