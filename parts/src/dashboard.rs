//! One dashboard's WebSocket (chapter 10), on top of the [`hub`](crate::hub): the
//! opening handshake under a deadline, `subscribe …` first, then every push as a
//! text frame; Close 1001 (going away) when the hub closes for the drain.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{sleep, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};

use crate::hub::{Hub, Interest, Push, Subscription};

/// The answer to a text that is not a subscription.
pub const BAD_REQUEST: &str = "error expected `subscribe *` or `subscribe SKU…`";

/// The limits and waits of one dashboard connection.
#[derive(Debug, Clone, Copy)]
pub struct DashboardLimits {
    /// How long the opening handshake may take.
    pub handshake: Duration,
    /// How long a dashboard may take to send its first `subscribe`.
    pub subscribe_within: Duration,
    /// The largest message a dashboard may send (a subscription is small).
    pub max_message: usize,
    /// How long one push may wait for a dashboard that stopped reading.
    pub write_patience: Duration,
}

impl Default for DashboardLimits {
    fn default() -> Self {
        DashboardLimits {
            handshake: Duration::from_secs(10),
            subscribe_within: Duration::from_secs(10),
            max_message: 4096,
            write_patience: Duration::from_secs(10),
        }
    }
}

/// How long the closing handshake may take before the socket is dropped anyway.
const CLOSE_PATIENCE: Duration = Duration::from_secs(2);

/// Serves one dashboard on `stream` until it leaves, breaks a limit, or the hub
/// closes (then its last pushes, then Close 1001).
pub async fn serve_dashboard<S>(stream: S, hub: Arc<Hub>, limits: DashboardLimits)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let config = WebSocketConfig::default()
        .max_message_size(Some(limits.max_message))
        .max_frame_size(Some(limits.max_message));
    let accept = tokio_tungstenite::accept_async_with_config(stream, Some(config));
    let Ok(Ok(mut ws)) = timeout(limits.handshake, accept).await else {
        return;
    };
    let mut subscription: Option<Subscription> = None;
    let subscribe_by = sleep(limits.subscribe_within);
    tokio::pin!(subscribe_by);
    let close = loop {
        tokio::select! {
            push = next_push(&mut subscription) => match push {
                Some(push) => {
                    let send = ws.send(Message::text(push.to_string()));
                    if !matches!(timeout(limits.write_patience, send).await, Ok(Ok(()))) {
                        return; // it stopped reading: nobody to say goodbye to
                    }
                }
                None => break frame(CloseCode::Away, "going away"),
            },
            () = hub.closed(), if subscription.is_none() => {
                break frame(CloseCode::Away, "going away");
            }
            () = &mut subscribe_by, if subscription.is_none() => {
                break frame(CloseCode::Policy, "subscribe first");
            }
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => match Interest::parse(&text) {
                    Some(interest) => subscription = Some(hub.subscribe(interest)),
                    None => {
                        if ws.send(Message::text(BAD_REQUEST)).await.is_err() {
                            return;
                        }
                    }
                },
                Some(Ok(Message::Binary(_))) => {
                    break frame(CloseCode::Unsupported, "text only");
                }
                // Pings are answered by tungstenite; a Close on the next read.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    };
    drop(subscription);
    let _ = timeout(CLOSE_PATIENCE, async {
        let _ = ws.close(Some(close)).await;
        // Reading until the peer's answer completes the closing handshake.
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// The next push, or never before the dashboard subscribed.
async fn next_push(subscription: &mut Option<Subscription>) -> Option<Push> {
    match subscription {
        Some(subscription) => subscription.next().await,
        None => std::future::pending().await,
    }
}

fn frame(code: CloseCode, reason: &'static str) -> CloseFrame {
    CloseFrame { code, reason: reason.into() }
}

/// A WebSocket client's end, for tests and the demo's script: the stream after a
/// client handshake on a plain TCP connection to `addr`.
pub async fn connect(
    addr: std::net::SocketAddr,
) -> Result<WebSocketStream<tokio::net::TcpStream>, tokio_tungstenite::tungstenite::Error>
{
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let url = format!("ws://{addr}/");
    let (ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
    Ok(ws)
}
