//! A finger client: the `finger` command, in a function.

use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

pub use crate::client_error::{CLIENT_TIMEOUT, ClientError, MAX_ANSWER};
use crate::server::MAX_QUERY_LENGTH;

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
