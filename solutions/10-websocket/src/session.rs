//! One WebSocket connection, after the server routed it: the opening handshake,
//! the echo endpoint, the dashboard endpoint, and the close code each failure gets.
//! (Twisted's `WebSocketServerProtocol`: `onConnect`, `onMessage`, `onClose`.)

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::accept_hdr_async_with_config;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::hub::{Hub, Subscription};
use crate::message::{Interest, Push};
use crate::policy::Policy;

/// The answer to a text that is not `subscribe *` or `subscribe SKU…`.
const BAD_REQUEST: &str = "error expected `subscribe *` or `subscribe SKU…`";

/// How long a closing handshake may take before the connection is dropped anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

// ANCHOR: accept
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
    let mut origin = None;
    // The callback sees the request before the 101 goes out (autobahn's onConnect).
    // Its error type (an HTTP response) is tungstenite's, large or not.
    #[allow(clippy::result_large_err)]
    let remember_origin = |request: &Request, response: Response| {
        origin = request
            .headers()
            .get("origin")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(response)
    };
    let ws = accept_hdr_async_with_config(stream, remember_origin, Some(config)).await?;
    Ok((ws, origin))
}
// ANCHOR_END: accept

// ANCHOR: close_for
/// The close frame that answers a failed read, or `None` when the connection is
/// simply gone (reset, already closed) and nothing can be said:
/// 1009 for a message over the limit, 1007 for a text message that is not UTF-8,
/// 1002 for any other breach of the protocol.
pub fn close_for(error: &WsError) -> Option<CloseFrame> {
    let (code, reason) = match error {
        WsError::Capacity(CapacityError::MessageTooLong { max_size, .. }) => {
            (CloseCode::Size, format!("message over {max_size} bytes"))
        }
        WsError::Capacity(_) => (CloseCode::Size, "message too big".to_owned()),
        WsError::Utf8(_) => (CloseCode::Invalid, "text message is not UTF-8".to_owned()),
        // The peer vanished: there is no one to tell.
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => return None,
        WsError::Protocol(_) => (CloseCode::Protocol, "protocol error".to_owned()),
        _ => return None,
    };
    Some(CloseFrame { code, reason: reason.into() })
}
// ANCHOR_END: close_for

/// Sends `close` (if any), then reads until the peer's answer or [`CLOSE_TIMEOUT`]:
/// the server drops TCP only after the closing handshake, as RFC 6455 asks.
async fn finish<S>(mut ws: WebSocketStream<S>, close: Option<CloseFrame>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(frame) = close {
        let _ = ws.close(Some(frame)).await;
    }
    // Reading also flushes tungstenite's automatic reply to the peer's Close.
    let _ = timeout(CLOSE_TIMEOUT, async { while let Some(Ok(_)) = ws.next().await {} })
        .await;
}

// ANCHOR: echo
/// The echo endpoint: every text or binary message comes back as it came, until
/// the peer closes (answered with the same code) or breaks the protocol (answered
/// with [`close_for`]'s frame).
pub async fn echo<S>(mut ws: WebSocketStream<S>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let close = loop {
        match ws.next().await {
            Some(Ok(message @ (Message::Text(_) | Message::Binary(_)))) => {
                if ws.send(message).await.is_err() {
                    break None;
                }
            }
            // Pings are answered by tungstenite; a Close is answered on the next read.
            Some(Ok(_)) => {}
            Some(Err(error)) => break close_for(&error),
            None => break None,
        }
    };
    finish(ws, close).await;
}
// ANCHOR_END: echo

// ANCHOR: dashboard
/// The dashboard endpoint. Refuses a page from an Origin the policy does not allow
/// (1008); then waits for `subscribe …`, registers with the hub and forwards its
/// pushes as text; answers a bad request with `error …` and a bad frame with
/// [`close_for`]'s frame; pings every `policy.ping_interval` and drops a peer that
/// stays silent for `policy.pong_deadline` after a ping (telling it why with a 1011
/// close frame, best effort, without waiting for an answer). Unregisters when it
/// ends.
pub async fn dashboard<S>(
    mut ws: WebSocketStream<S>,
    origin: Option<String>,
    hub: Arc<Hub>,
    policy: &Policy,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if !policy.allows(origin.as_deref()) {
        let reason = format!("origin {} is not allowed", origin.unwrap_or_default());
        return finish(
            ws,
            Some(CloseFrame { code: CloseCode::Policy, reason: reason.into() }),
        )
        .await;
    }
    let mut subscription: Option<Subscription> = None;
    let mut next_ping = Instant::now() + policy.ping_interval;
    // Set when a ping goes out, cleared by any frame from the peer.
    let mut deadline: Option<Instant> = None;
    let close = loop {
        tokio::select! {
            push = next_push(&mut subscription) => match push {
                Some(push) => {
                    if ws.send(Message::text(push.to_string())).await.is_err() {
                        break None;
                    }
                }
                None => break Some(frame(CloseCode::Away, "unregistered")),
            },
            incoming = ws.next() => {
                deadline = None; // anything at all proves the peer is alive
                match incoming {
                    Some(Ok(Message::Text(text))) => match Interest::parse(&text) {
                        Some(interest) => {
                            if let Some(old) = subscription.take() {
                                hub.unregister(old.id());
                            }
                            subscription = Some(hub.register(interest));
                        }
                        None => {
                            if ws.send(Message::text(BAD_REQUEST)).await.is_err() {
                                break None;
                            }
                        }
                    },
                    Some(Ok(Message::Binary(_))) => {
                        break Some(frame(CloseCode::Unsupported, "text only"));
                    }
                    // A ping, a pong, or the peer's Close (answered on the next read).
                    Some(Ok(_)) => {}
                    Some(Err(error)) => break close_for(&error),
                    None => break None,
                }
            }
            _ = sleep_until(next_ping) => {
                next_ping += policy.ping_interval;
                deadline.get_or_insert(Instant::now() + policy.pong_deadline);
                if ws.send(Message::Ping("heartbeat".into())).await.is_err() {
                    break None;
                }
            }
            _ = sleep_until(deadline.unwrap_or(next_ping)), if deadline.is_some() => {
                // A dead peer cannot answer a closing handshake: say why (1011, as
                // Python's websockets does), best effort, and drop the connection
                // without waiting for an answer.
                if let Some(subscription) = subscription {
                    hub.unregister(subscription.id());
                }
                let silent = policy.pong_deadline.as_secs();
                let reason = format!("no pong within {silent} s");
                let close = ws.close(Some(frame(CloseCode::Error, &reason)));
                let _ = timeout(CLOSE_TIMEOUT, close).await;
                return;
            }
        }
    };
    if let Some(subscription) = subscription {
        hub.unregister(subscription.id());
    }
    finish(ws, close).await;
}
// ANCHOR_END: dashboard

/// The next push of the dashboard's subscription; never, before it subscribed.
async fn next_push(subscription: &mut Option<Subscription>) -> Option<Push> {
    match subscription {
        Some(subscription) => subscription.next().await,
        None => std::future::pending().await,
    }
}

fn frame(code: CloseCode, reason: &str) -> CloseFrame {
    CloseFrame { code, reason: reason.to_owned().into() }
}
