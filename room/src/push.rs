//! Live pages: the room object is rebuilt after changes at most
//! [`FRAMES_PER_SEC`] times a second (a burst of verdicts is one frame), and every
//! [`REFRESH`] anyway (stuck marks and minutes move with the clock); each page's
//! WebSocket gets the newest frame, a slow page skipping the ones it missed.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::app::App;

/// The most frames a second a page gets.
pub const FRAMES_PER_SEC: u32 = 10;
/// A frame at least this often, changed or not.
pub const REFRESH: Duration = Duration::from_secs(15);
/// A page that takes longer than this to take a frame is dropped (it reconnects).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// A ping this often keeps proxies and NATs from closing a quiet page.
pub const PING_EVERY: Duration = Duration::from_secs(30);
/// The most bytes a page may send us in one message (it has nothing to say).
pub const MAX_INCOMING: usize = 1024;

/// Rebuilds the room object after changes, coalesced, forever. Spawn it.
pub async fn publish_changes(app: App) {
    let mut changes = app.changes();
    let gap = Duration::from_secs(1) / FRAMES_PER_SEC;
    loop {
        // Either a change or the refresh: both mean a new frame.
        let _ = tokio::time::timeout(REFRESH, changes.changed()).await;
        changes.mark_unchanged();
        app.publish(app.view_json());
        tokio::time::sleep(gap).await;
    }
}

/// Serves one live page on an upgraded connection until it leaves.
pub async fn serve_viewer(app: App, upgraded: Upgraded) {
    let config = WebSocketConfig::default().max_message_size(Some(MAX_INCOMING)).max_frame_size(Some(MAX_INCOMING));
    let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
    let (mut sink, mut stream) = ws.split();
    let mut frames = app.frames();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut next = Some(frames.borrow_and_update().clone());
    loop {
        if let Some(frame) = next.take() {
            let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::text(frame.as_ref()))).await;
            if !matches!(sent, Ok(Ok(()))) {
                return;
            }
        }
        tokio::select! {
            changed = frames.changed() => match changed {
                Ok(()) => next = Some(frames.borrow_and_update().clone()),
                Err(_) => return, // the server is going away
            },
            incoming = stream.next() => match incoming {
                // Pings are answered by tungstenite on the next write; nothing else matters.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Ping(Default::default()))).await;
                if !matches!(sent, Ok(Ok(()))) {
                    return;
                }
            }
        }
    }
}
