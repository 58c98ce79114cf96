//! The finger protocol: one query line in, the answer, then the server closes
//! (the tutorial's `FingerProtocol`). The listening port is in `port.rs`.

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::query::Query;

pub use crate::factory::{
    FORWARDING_DENIED, FingerFactory, IDLE_TIMEOUT, INTERNAL_ERROR, LOOKUP_TIMEOUT,
    MAX_QUERY_LENGTH, NO_SUCH_USER, NO_USERS, query_too_long,
};
pub use crate::port::{FingerServer, MAX_CONNECTIONS};

impl FingerFactory {
    // ANCHOR: answer
    /// The lines that answer `query`, without line ends. A failed or slow lookup
    /// is answered with [`INTERNAL_ERROR`], never with a panic or a hang.
    pub async fn answer(&self, query: &Query) -> Vec<String> {
        let directory = &self.directory;
        let lookup = async {
            let lines = match query {
                Query::Forward { .. } => vec![FORWARDING_DENIED.to_owned()],
                Query::User { name, verbose } => match directory.get_user(name).await? {
                    None => vec![NO_SUCH_USER.to_owned()],
                    Some(status) if *verbose => {
                        vec![format!("Login: {name}"), format!("Status: {status}")]
                    }
                    Some(status) => vec![format!("{name}: {status}")],
                },
                Query::List { verbose: false } => directory.get_users().await?,
                Query::List { verbose: true } => {
                    let mut lines = Vec::new();
                    for name in directory.get_users().await? {
                        // A user removed since get_users is skipped, not an error.
                        if let Some(status) = directory.get_user(&name).await? {
                            lines.push(format!("{name}: {status}"));
                        }
                    }
                    lines
                }
            };
            Ok::<_, crate::LookupError>(lines)
        };
        // One deadline for the whole answer, like the tutorial's Deferred with
        // addTimeout: an error and a timeout read the same to the client.
        match timeout(LOOKUP_TIMEOUT, lookup).await {
            Ok(Ok(lines)) if lines.is_empty() => vec![NO_USERS.to_owned()],
            Ok(Ok(lines)) => lines,
            Ok(Err(_)) | Err(_) => vec![INTERNAL_ERROR.to_owned()],
        }
    }
    // ANCHOR_END: answer

    // ANCHOR: serve
    /// Serves one connection: reads one query line (at most [`MAX_QUERY_LENGTH`]
    /// bytes, within [`IDLE_TIMEOUT`]), writes the answer, each line ending in
    /// `\r\n`, and closes.
    pub async fn serve(&self, stream: TcpStream) {
        let (reader, mut writer) = stream.into_split();
        // One byte past the limit: enough to tell a full line from a long one.
        let mut reader = BufReader::new(reader).take(MAX_QUERY_LENGTH as u64 + 1);
        let mut line = Vec::new();
        let read = timeout(IDLE_TIMEOUT, reader.read_until(b'\n', &mut line)).await;
        let answer = match read {
            Ok(Ok(_)) if line.ends_with(b"\n") => {
                line.pop();
                if line.ends_with(b"\r") {
                    line.pop();
                }
                match Query::parse(&line) {
                    Ok(query) => self.answer(&query).await,
                    Err(err) => vec![err.to_string()],
                }
            }
            Ok(Ok(_)) if line.len() > MAX_QUERY_LENGTH => vec![query_too_long()],
            // Closed before the end of the line, a broken socket, or too slow:
            // there is no query to answer. Dropping the stream closes it.
            _ => return,
        };
        let mut bytes = answer.join("\r\n");
        bytes.push_str("\r\n");
        // A client that never reads must not hold the connection forever either.
        let _ = timeout(IDLE_TIMEOUT, async {
            writer.write_all(bytes.as_bytes()).await?;
            writer.shutdown().await
        })
        .await;
    }
    // ANCHOR_END: serve
}
