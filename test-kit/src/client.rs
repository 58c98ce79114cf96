//! A real TCP client for line protocols that records everything in a [`Transcript`],
//! over plain TCP or any other byte stream (a TLS stream, say).
//!
//! It is strict where learners slip: a line from the server must end in `\r\n`, and
//! a server that stays silent is reported after a few seconds instead of hanging.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::Transcript;

/// How long the client waits for the server's next line or its close.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// One connected client, named in the transcript (`alice > …`, `alice < …`), over
/// TCP unless it was made [`over`](LineClient::over) another stream.
pub struct LineClient<S = TcpStream> {
    name: String,
    stream: BufReader<S>,
    transcript: Transcript,
}

impl LineClient {
    /// Connects to `addr`; panics with a readable message if nothing listens there.
    pub async fn connect(addr: SocketAddr, name: &str, transcript: &Transcript) -> Self {
        let stream =
            TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{name} could not connect to {addr}: {e}"));
        Self::over(stream, name, transcript)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> LineClient<S> {
    /// A client over a stream that is already connected (a TLS stream, for instance).
    pub fn over(stream: S, name: &str, transcript: &Transcript) -> Self {
        Self { name: name.to_owned(), stream: BufReader::new(stream), transcript: transcript.clone() }
    }

    /// Gives the stream back, e.g. to start TLS on it after a STARTTLS exchange.
    /// Panics if the server sent bytes the client has read but not consumed yet:
    /// they would be lost.
    pub fn into_inner(self) -> S {
        let unread = self.stream.buffer();
        assert!(
            unread.is_empty(),
            "{} has unread bytes from the server: {:?}",
            self.name,
            String::from_utf8_lossy(unread)
        );
        self.stream.into_inner()
    }

    /// Sends one line, adding the `\r\n` delimiter.
    pub async fn send_line(&mut self, line: &str) {
        self.transcript.sent(&self.name, line);
        self.write(format!("{line}\r\n").as_bytes()).await;
    }

    /// Sends raw bytes exactly as given, to split or merge lines on the wire.
    /// The transcript shows them with their delimiters escaped.
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.transcript.sent(&self.name, &String::from_utf8_lossy(bytes));
        self.write(bytes).await;
    }

    async fn write(&mut self, bytes: &[u8]) {
        let name = &self.name;
        let stream = self.stream.get_mut();
        stream.write_all(bytes).await.unwrap_or_else(|e| panic!("{name} could not send: {e}"));
        stream.flush().await.unwrap_or_else(|e| panic!("{name} could not send: {e}"));
    }

    /// Waits for the server's next line and returns it without its `\r\n`.
    ///
    /// Panics if the server closes first, stays silent for [`READ_TIMEOUT`], or ends
    /// the line with a bare `\n`.
    pub async fn recv_line(&mut self) -> String {
        match self.read_raw_line().await {
            None => panic!("{} expected a line, but the server closed the connection", self.name),
            Some(raw) => {
                self.transcript.received(&self.name, raw.trim_end_matches(['\r', '\n']));
                match raw.strip_suffix("\r\n") {
                    Some(line) => line.to_owned(),
                    None => panic!("the server sent {raw:?}: lines must end with \"\\r\\n\", not a bare \"\\n\""),
                }
            }
        }
    }

    /// Waits until the server closes the connection; panics if it sends a line instead.
    pub async fn expect_closed(&mut self) {
        match self.read_raw_line().await {
            None => self.transcript.event(&self.name, "connection closed by server"),
            Some(raw) => panic!("{} expected the server to close the connection, got {raw:?}", self.name),
        }
    }

    /// Reads up to and including `\n`; `None` on a clean close or a reset.
    async fn read_raw_line(&mut self) -> Option<String> {
        let mut raw = Vec::new();
        let read = timeout(READ_TIMEOUT, self.stream.read_until(b'\n', &mut raw)).await.unwrap_or_else(|_| {
            panic!("{} waited {} s for the server, which sent nothing", self.name, READ_TIMEOUT.as_secs())
        });
        match read {
            Ok(0) | Err(_) if raw.is_empty() => None,
            Ok(_) if !raw.ends_with(b"\n") => {
                panic!("the server closed the connection in the middle of a line: {:?}", String::from_utf8_lossy(&raw))
            }
            _ => Some(String::from_utf8_lossy(&raw).into_owned()),
        }
    }
}
