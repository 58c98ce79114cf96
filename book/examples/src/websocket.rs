//! Worked examples for the WebSocket chapter (book/src/websocket/index.md).
//!
//! The neighbouring problem: a **shift-announcement board**. A supervisor posts
//! announcements ("dock 3 closes at 18:00"); terminals on the warehouse floor show
//! them. Each terminal opens a WebSocket named after its place (`/dock-3`). It is not
//! the exercise's dashboard hub: it teaches the same tools on another shape.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::accept_hdr_async;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

// ANCHOR: handshake
/// Accepts a terminal's WebSocket and returns it with the path it asked for
/// (`/dock-3`), which names the terminal.
pub async fn accept_terminal<S>(
    stream: S,
) -> Result<(WebSocketStream<S>, String), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut place = String::new();
    // Runs during the handshake, before the 101 answer: it may read the request,
    // add headers to the response, or refuse with an HTTP error response instead.
    #[allow(clippy::result_large_err)] // that error type is tungstenite's
    let look = |request: &Request, response: Response| {
        place = request.uri().path().trim_start_matches('/').to_owned();
        Ok(response)
    };
    let ws = accept_hdr_async(stream, look).await?;
    Ok((ws, place))
}
// ANCHOR_END: handshake

// ANCHOR: acknowledge
/// A terminal acknowledges announcements by number (`ack 7`); the board answers
/// each text with `thanks, dock-3` and ignores everything else. tungstenite answers
/// pings and the peer's close frame by itself: they surface as messages, and the
/// reply goes out on the next read or write.
pub async fn acknowledge<S>(
    mut ws: WebSocketStream<S>,
    place: &str,
) -> Result<(), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    while let Some(message) = ws.next().await {
        match message? {
            Message::Text(_) => {
                ws.send(Message::text(format!("thanks, {place}"))).await?
            }
            Message::Close(frame) => println!("{place} closed: {frame:?}"),
            _ => {}
        }
    }
    Ok(()) // `None`: the closing handshake is over, the stream has ended
}
// ANCHOR_END: acknowledge

// ANCHOR: lagged
/// What a terminal shows next from the announcement channel. `broadcast` keeps the
/// last N announcements for all receivers; a receiver that falls more than N behind
/// loses the oldest and is told how many (`Lagged`): memory stays bounded, and the
/// sender never waits for the slowest terminal.
pub async fn next_line(
    announcements: &mut broadcast::Receiver<String>,
) -> Option<String> {
    match announcements.recv().await {
        Ok(text) => Some(text),
        Err(broadcast::error::RecvError::Lagged(missed)) => {
            Some(format!("({missed} announcements missed: see the board)"))
        }
        Err(broadcast::error::RecvError::Closed) => None,
    }
}
// ANCHOR_END: lagged

// ANCHOR: try_send
/// What happened to a label sent to a printer's bounded queue without waiting.
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    /// Queued.
    Queued,
    /// The queue is full: the caller decides (drop it, count it, try later).
    Full,
    /// The printer is gone.
    Gone,
}

/// Offers a label to a printer's queue. `try_send` never awaits, so it can run
/// under a std `Mutex` or in a loop over many printers.
pub fn offer(printer: &mpsc::Sender<String>, label: &str) -> Offer {
    match printer.try_send(label.to_owned()) {
        Ok(()) => Offer::Queued,
        Err(mpsc::error::TrySendError::Full(_)) => Offer::Full,
        Err(mpsc::error::TrySendError::Closed(_)) => Offer::Gone,
    }
}
// ANCHOR_END: try_send

// ANCHOR: reminder
/// Shows announcements on a terminal; if a shift change is pending, reminds the
/// terminal once, `remind_after` after it was announced. A disabled `select!`
/// branch (`if reminder.is_some()`) is not polled, so `remind_at`'s stand-in value
/// is never waited on.
pub async fn show_with_reminder<S>(
    mut ws: WebSocketStream<S>,
    mut announcements: broadcast::Receiver<String>,
    remind_after: Duration,
) -> Result<(), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut reminder: Option<Instant> = None;
    loop {
        let remind_at = reminder.unwrap_or_else(Instant::now);
        tokio::select! {
            line = next_line(&mut announcements) => {
                let Some(line) = line else { break };
                if line.starts_with("shift change") {
                    reminder = Some(Instant::now() + remind_after);
                }
                ws.send(Message::text(line)).await?;
            }
            _ = sleep_until(remind_at), if reminder.is_some() => {
                reminder = None;
                ws.send(Message::text("reminder: shift change")).await?;
            }
            incoming = ws.next() => match incoming {
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
        }
    }
    // The board closed: say so with a code the terminal can act on.
    let reason = "board closed for the night";
    let close = CloseFrame { code: CloseCode::Away, reason: reason.into() };
    ws.close(Some(close)).await
}
// ANCHOR_END: reminder

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::client_async;
    use tokio_tungstenite::tungstenite::protocol::frame::Utf8Bytes;

    #[tokio::test]
    async fn the_handshake_callback_sees_the_path() {
        let (client, server) = tokio::io::duplex(4096);
        let board = tokio::spawn(accept_terminal(server));
        let (mut ws, _) =
            client_async("ws://board.example/dock-3", client).await.unwrap();
        let (board_ws, place) = board.await.unwrap().unwrap();
        assert_eq!(place, "dock-3");
        let acks = tokio::spawn(async move { acknowledge(board_ws, "dock-3").await });
        ws.send(Message::text("ack 7")).await.unwrap();
        assert_eq!(ws.next().await.unwrap().unwrap(), Message::text("thanks, dock-3"));
        ws.send(Message::Ping("hi".into())).await.unwrap();
        assert_eq!(ws.next().await.unwrap().unwrap(), Message::Pong("hi".into()));
        ws.close(None).await.unwrap();
        assert!(matches!(ws.next().await, Some(Ok(Message::Close(_)))));
        acks.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_lagging_receiver_is_told_how_many_it_missed() {
        let (board, mut slow) = broadcast::channel(2);
        for n in 1..=5 {
            board.send(format!("announcement {n}")).unwrap();
        }
        assert_eq!(
            next_line(&mut slow).await.as_deref(),
            Some("(3 announcements missed: see the board)")
        );
        assert_eq!(next_line(&mut slow).await.as_deref(), Some("announcement 4"));
    }

    #[tokio::test]
    async fn try_send_never_waits() {
        let (printer, mut queue) = mpsc::channel(1);
        assert_eq!(offer(&printer, "A"), Offer::Queued);
        assert_eq!(offer(&printer, "B"), Offer::Full);
        assert_eq!(queue.recv().await.as_deref(), Some("A"));
        drop(queue);
        assert_eq!(offer(&printer, "C"), Offer::Gone);
    }

    #[tokio::test(start_paused = true)]
    async fn the_reminder_fires_once_in_paused_time() {
        let (client, server) = tokio::io::duplex(4096);
        let (board, announcements) = broadcast::channel(8);
        tokio::spawn(async move {
            let (board_ws, _) = accept_terminal(server).await.unwrap();
            show_with_reminder(board_ws, announcements, Duration::from_secs(600)).await
        });
        let (mut ws, _) =
            client_async("ws://board.example/dock-1", client).await.unwrap();
        let started = Instant::now();
        board.send("shift change at 18:00".to_owned()).unwrap();
        assert_eq!(
            ws.next().await.unwrap().unwrap(),
            Message::text("shift change at 18:00")
        );
        let reminder = ws.next().await.unwrap().unwrap();
        assert_eq!(reminder, Message::text("reminder: shift change"));
        assert_eq!(started.elapsed(), Duration::from_secs(600));
        drop(board);
        let close = ws.next().await.unwrap().unwrap();
        let expected = CloseFrame {
            code: CloseCode::Away,
            reason: Utf8Bytes::from_static("board closed for the night"),
        };
        assert_eq!(close, Message::Close(Some(expected)));
    }
}
