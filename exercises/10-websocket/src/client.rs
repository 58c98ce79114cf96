//! A real WebSocket client that records what it sends and receives in a
//! [`Transcript`]: what the steps and the demo's `--script` talk to the server
//! with. Given whole.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use test_kit::Transcript;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, Utf8Bytes};
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

/// How long the client waits for the server's next message.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// One connected WebSocket client, named in the transcript (`alice > …`), over TCP
/// or over any other byte stream (an in-memory `tokio::io::duplex` in paused time).
pub struct WsClient<S = TcpStream> {
    name: String,
    ws: WebSocketStream<S>,
    transcript: Transcript,
}

impl WsClient<TcpStream> {
    /// Opens `ws://{addr}{path}`, sending `Origin: {origin}` if given, as a browser
    /// would. Panics with a readable message if the handshake fails.
    pub async fn connect(
        addr: SocketAddr,
        path: &str,
        origin: Option<&str>,
        name: &str,
        transcript: &Transcript,
    ) -> WsClient {
        let stream = TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("{name} could not connect to {addr}: {e}"));
        WsClient::handshake(stream, &addr.to_string(), path, origin, name, transcript)
            .await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> WsClient<S> {
    /// Opens `ws://{host}{path}` over `stream`, which is already connected.
    pub async fn handshake(
        stream: S,
        host: &str,
        path: &str,
        origin: Option<&str>,
        name: &str,
        transcript: &Transcript,
    ) -> WsClient<S> {
        let mut request =
            format!("ws://{host}{path}").into_client_request().expect("a URL");
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", origin.parse().expect("an origin"));
        }
        // The client may send big messages: the server's limits are what is tested.
        let config =
            WebSocketConfig::default().max_frame_size(None).max_message_size(None);
        let handshake = client_async_with_config(request, stream, Some(config));
        let (ws, response) = timeout(READ_TIMEOUT, handshake)
            .await
            .unwrap_or_else(|_| panic!("{name}: no handshake answer from {host}{path}"))
            .unwrap_or_else(|e| panic!("{name}: the handshake on {path} failed: {e}"));
        let origin = origin.map(|o| format!(" from {o}")).unwrap_or_default();
        transcript.event(name, &format!("opened {path}{origin}: {}", response.status()));
        WsClient { name: name.to_owned(), ws, transcript: transcript.clone() }
    }

    /// Sends a text message.
    pub async fn send_text(&mut self, text: &str) {
        self.send(Message::text(text), text.to_owned()).await;
    }

    /// Sends a text message too long to record; the transcript shows its size.
    pub async fn send_big_text(&mut self, text: &str) {
        self.send(Message::text(text), format!("text of {} bytes", text.len())).await;
    }

    /// Sends a binary message.
    pub async fn send_binary(&mut self, bytes: &[u8]) {
        self.send(Message::binary(bytes.to_vec()), format!("binary {bytes:?}")).await;
    }

    /// Sends a ping with `payload`.
    pub async fn send_ping(&mut self, payload: &str) {
        let message = Message::Ping(Bytes::copy_from_slice(payload.as_bytes()));
        self.send(message, format!("ping {payload:?}")).await;
    }

    /// Sends a text frame whose payload is `bytes` as given, valid UTF-8 or not
    /// (a well-behaved client never does).
    pub async fn send_raw_text(&mut self, bytes: &[u8]) {
        let frame = Frame::message(bytes.to_vec(), OpCode::Data(Data::Text), true);
        self.send(Message::Frame(frame), format!("text frame of bytes {bytes:?}")).await;
    }

    /// Starts the closing handshake with `code` and `reason`.
    pub async fn close(&mut self, code: u16, reason: &str) {
        let frame =
            CloseFrame { code: CloseCode::from(code), reason: Utf8Bytes::from(reason) };
        self.send(Message::Close(Some(frame)), format!("close {code} {reason:?}")).await;
    }

    async fn send(&mut self, message: Message, shown: String) {
        self.transcript.sent(&self.name, &shown);
        let name = &self.name;
        self.ws
            .send(message)
            .await
            .unwrap_or_else(|e| panic!("{name} could not send: {e}"));
    }

    /// The server's next message as one transcript line (`total A=1`,
    /// `binary [1, 2]`, `pong "x"`, `close 1000 "bye"`), or `None` once the
    /// connection is closed. Panics if the server stays silent for [`READ_TIMEOUT`].
    pub async fn recv(&mut self) -> Option<String> {
        self.recv_within(READ_TIMEOUT).await
    }

    /// Like [`WsClient::recv`], waiting up to `limit` (in paused time, a limit
    /// longer than the server's timers).
    pub async fn recv_within(&mut self, limit: Duration) -> Option<String> {
        let next = timeout(limit, self.ws.next()).await.unwrap_or_else(|_| {
            panic!("{} waited {limit:?} for the server, which sent nothing", self.name)
        });
        let shown = match next {
            None | Some(Err(_)) => {
                self.transcript.event(&self.name, "connection closed by server");
                return None;
            }
            Some(Ok(message)) => show(&message),
        };
        self.transcript.received(&self.name, &shown);
        Some(shown)
    }

    /// Like [`WsClient::recv`], but panics if the connection closed instead.
    pub async fn expect(&mut self) -> String {
        match self.recv().await {
            Some(shown) => shown,
            None => panic!("{} expected a message, but the connection closed", self.name),
        }
    }

    /// Reads until the server closes the connection; panics if that takes more than
    /// `max` messages.
    pub async fn expect_closed(&mut self, max: usize) {
        for _ in 0..=max {
            if self.recv().await.is_none() {
                return;
            }
        }
        panic!("{} expected the server to close the connection", self.name);
    }

    /// The stream underneath, to stop answering pings altogether (a dead peer).
    pub fn into_inner(self) -> S {
        self.ws.into_inner()
    }
}

/// One message as a transcript line.
pub fn show(message: &Message) -> String {
    match message {
        Message::Text(text) => text.to_string(),
        Message::Binary(bytes) => format!("binary {:?}", bytes.as_ref()),
        Message::Ping(bytes) => format!("ping {:?}", String::from_utf8_lossy(bytes)),
        Message::Pong(bytes) => format!("pong {:?}", String::from_utf8_lossy(bytes)),
        Message::Close(None) => "close (no code)".to_owned(),
        Message::Close(Some(frame)) => {
            format!("close {} {:?}", u16::from(frame.code), frame.reason.as_str())
        }
        Message::Frame(_) => "raw frame".to_owned(),
    }
}
