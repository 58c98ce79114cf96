//! One WebSocket connection, after the server routed it: the opening handshake,
//! the echo endpoint, the dashboard endpoint, and the close code each failure gets.
//! (Twisted's `WebSocketServerProtocol`: `onConnect`, `onMessage`, `onClose`.)

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use crate::hub::Hub;
use crate::policy::Policy;

/// Completes the server's opening handshake on `stream` with the limits in
/// `config`, and returns the WebSocket with the request's `Origin` header (if it
/// had one, as text).
pub async fn accept<S>(
    stream: S,
    config: WebSocketConfig,
) -> Result<(WebSocketStream<S>, Option<String>), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = (stream, config);
    todo!("session::accept")
}

/// The close frame that answers a failed read, or `None` when the connection is
/// simply gone (reset, already closed) and nothing can be said:
/// 1009 for a message over the limit, 1007 for a text message that is not UTF-8,
/// 1002 for any other breach of the protocol.
pub fn close_for(error: &WsError) -> Option<CloseFrame> {
    let _ = error;
    todo!("session::close_for")
}

/// The echo endpoint: every text or binary message comes back as it came, until
/// the peer closes (answered with the same code) or breaks the protocol (answered
/// with [`close_for`]'s frame).
pub async fn echo<S>(ws: WebSocketStream<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = ws;
    todo!("session::echo")
}

/// The dashboard endpoint. Refuses a page from an Origin the policy does not allow
/// (1008); then waits for `subscribe …`, registers with the hub and forwards its
/// pushes as text; answers a bad request with `error …` and a bad frame with
/// [`close_for`]'s frame; pings every `policy.ping_interval` and drops a peer that
/// stays silent for `policy.pong_deadline` after a ping (telling it why with a 1011
/// close frame, best effort, without waiting for an answer). Unregisters when it
/// ends.
pub async fn dashboard<S>(
    ws: WebSocketStream<S>,
    origin: Option<String>,
    hub: Arc<Hub>,
    policy: &Policy,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _ = (ws, origin, hub, policy);
    todo!("session::dashboard")
}
