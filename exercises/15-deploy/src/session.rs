//! One clerk's connection: the inventory line protocol, and how it ends in a drain.
//!
//! Lines end in `\r\n`. Outside a count every line is answered at once (`ok <line>`).
//! `BEGIN` opens a stock count: the lines that follow are the shelf's contents,
//! answered together by `END` (`ok counted N`). A count is a request in flight: a
//! drain lets it finish, then says goodbye; a clerk between requests is told goodbye
//! at once.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::watch;
use tokio::time::timeout;

/// The longest line, without its `\r\n`; a longer one is refused and the connection
/// closed.
pub const MAX_LINE: usize = 1024;

/// The most lines one count may hold.
pub const MAX_COUNT_LINES: usize = 10_000;

/// A clerk silent this long is disconnected, count or no count.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// What a clerk hears when a drain reaches it between requests.
pub const GOODBYE: &str = "bye: shutting down";

/// Serves one clerk until the clerk leaves, misbehaves, or a drain reaches it.
///
/// `stopping` turns `true` when the drain starts (its sender dropped counts as a
/// drain too). From then on a clerk between requests is told [`GOODBYE`] and closed;
/// a clerk in the middle of a count may finish it first.
pub async fn serve_clerk(stream: TcpStream, mut stopping: watch::Receiver<bool>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut draining = *stopping.borrow_and_update();
    let mut count: Option<usize> = None;
    loop {
        if draining && count.is_none() {
            let _ = send(&mut write, GOODBYE).await;
            return;
        }
        let mut line = Vec::new();
        let limited = (&mut read).take(MAX_LINE as u64 + 2);
        let next = timeout(IDLE_TIMEOUT, read_line(limited, &mut line));
        let got = if draining || count.is_some() {
            // A count in progress is finished even if the drain starts meanwhile.
            next.await
        } else {
            tokio::select! {
                got = next => got,
                // The sender's drop is a drain too: either way, stop waiting.
                _ = stopping.wait_for(|stop| *stop) => {
                    draining = true;
                    continue;
                }
            }
        };
        let reply = match got {
            Ok(Ok(true)) => answer(&line, &mut count),
            Ok(Ok(false)) => Reply::Close(Some("error: line too long")),
            // Silent too long, gone, or reset.
            Err(_) | Ok(Err(_)) => Reply::Close(None),
        };
        match reply {
            Reply::Say(text) => {
                if send(&mut write, &text).await.is_err() {
                    return;
                }
            }
            Reply::Silent => {}
            Reply::Close(last) => {
                if let Some(text) = last {
                    let _ = send(&mut write, text).await;
                }
                return;
            }
        }
    }
}

/// What one line asks of the connection.
enum Reply {
    Say(String),
    Silent,
    Close(Option<&'static str>),
}

/// The protocol: `BEGIN`, lines, `END`; anything else is echoed as `ok <line>`.
fn answer(line: &[u8], count: &mut Option<usize>) -> Reply {
    let Ok(line) = std::str::from_utf8(line) else {
        return Reply::Close(Some("error: not UTF-8"));
    };
    match (line, count.as_mut()) {
        ("BEGIN", None) => {
            *count = Some(0);
            Reply::Say("ok counting".into())
        }
        ("BEGIN", Some(_)) => Reply::Say("error: already counting".into()),
        ("END", None) => Reply::Say("error: not counting".into()),
        ("END", Some(n)) => {
            let reply = Reply::Say(format!("ok counted {n}"));
            *count = None;
            reply
        }
        (_, Some(n)) if *n >= MAX_COUNT_LINES => {
            Reply::Close(Some("error: count too long"))
        }
        (_, Some(n)) => {
            *n += 1;
            Reply::Silent
        }
        (line, None) => Reply::Say(format!("ok {line}")),
    }
}

/// Reads one line into `line` without its `\r\n` (or bare `\n`). `Ok(false)` when it
/// is longer than [`MAX_LINE`]; an error when the clerk left mid-line or at once.
async fn read_line<R>(mut from: R, line: &mut Vec<u8>) -> std::io::Result<bool>
where
    R: AsyncBufReadExt + Unpin,
{
    if from.read_until(b'\n', line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    if line.pop() != Some(b'\n') {
        // No `\n` within MAX_LINE + 2 bytes, or the clerk left mid-line.
        return if line.len() > MAX_LINE {
            Ok(false)
        } else {
            Err(std::io::ErrorKind::UnexpectedEof.into())
        };
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line.len() <= MAX_LINE)
}

/// Writes one line with its `\r\n`.
async fn send(write: &mut OwnedWriteHalf, text: &str) -> std::io::Result<()> {
    write.write_all(format!("{text}\r\n").as_bytes()).await
}
