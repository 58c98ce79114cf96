//! A finger client: the `finger` command, in a function.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

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

// ANCHOR: finger
/// Asks the finger server at `addr` one query (`""`, `"alice"`, `"/W alice"`)
/// and returns its whole answer as text, line ends included. The answer ends
/// when the server closes the connection.
pub async fn finger(addr: SocketAddr, query: &str) -> Result<String, ClientError> {
    if query.contains(['\r', '\n']) || query.len() > MAX_QUERY_LENGTH {
        return Err(ClientError::BadQuery);
    }
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(format!("{query}\r\n").as_bytes()).await?;
        let mut answer = Vec::new();
        // One byte past the limit tells "exactly MAX_ANSWER" from "more".
        stream.take(MAX_ANSWER as u64 + 1).read_to_end(&mut answer).await?;
        Ok::<_, io::Error>(answer)
    };
    let answer =
        timeout(CLIENT_TIMEOUT, exchange).await.map_err(|_| ClientError::TimedOut)??;
    if answer.len() > MAX_ANSWER {
        return Err(ClientError::TooLong);
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
// ANCHOR_END: finger
