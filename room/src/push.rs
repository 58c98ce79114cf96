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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::state::Room;
    use crate::token::Token;

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_changes_is_at_most_ten_frames_a_second_and_quiet_rooms_refresh() {
        let app = App::new(
            Token::new("0123456789abcdef"),
            Room::new(vec!["05-lines".into()], 10),
            Default::default(),
            None,
            None,
        );
        tokio::spawn(publish_changes(app.clone()));
        let frames = Arc::new(AtomicUsize::new(0));
        let mut watching = app.frames();
        let counted = Arc::clone(&frames);
        tokio::spawn(async move {
            while watching.changed().await.is_ok() {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        });
        // A change every millisecond for a second.
        for _ in 0..1000 {
            app.touch();
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let burst = frames.load(Ordering::Relaxed);
        assert!((9..=11).contains(&burst), "{burst} frames for 1000 changes in a second");
        // Nothing changes: one refresh per REFRESH (the stuck marks move with the clock).
        tokio::time::sleep(REFRESH * 2 + Duration::from_millis(500)).await;
        let quiet = frames.load(Ordering::Relaxed) - burst;
        assert!((2..=3).contains(&quiet), "{quiet} frames in {:?} of quiet", REFRESH * 2);
    }
}
