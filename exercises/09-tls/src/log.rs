//! The server's connection log: one line per event (`127.0.0.1:PORT TLS handshake
//! failed: …`), kept in memory so tests can wait for a line, and printed to stderr
//! for the demo. Given whole.

use std::fmt::Display;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread;

use tokio::sync::watch;

/// How many lines the log keeps; older ones are dropped (memory stays bounded).
pub const MAX_LINES: usize = 1000;

/// How many lines may wait to be printed before new ones are dropped (and counted).
pub const ECHO_QUEUE: usize = 1024;

/// A shared, bounded log of what happened to connections. Clones share the lines.
#[derive(Debug, Clone)]
pub struct ConnectionLog {
    lines: watch::Sender<Vec<String>>,
    echo: Option<Echo>,
}

impl ConnectionLog {
    /// A log kept in memory only (tests).
    pub fn new() -> Self {
        Self { lines: watch::Sender::new(Vec::new()), echo: None }
    }

    /// A log that also prints every line to stderr (the demo), without ever making
    /// the server wait for stderr: see [`ECHO_QUEUE`].
    pub fn echoing() -> Self {
        Self { echo: Some(Echo::start()), ..Self::new() }
    }

    /// Records `what` happened on the connection from `peer`: `"{peer} {what}"`.
    pub fn record(&self, peer: SocketAddr, what: impl Display) {
        self.push(format!("{peer} {what}"));
    }

    /// Records `what` happened to the listening port itself, not to one
    /// connection: `"listener {what}"`.
    pub fn note(&self, what: impl Display) {
        self.push(format!("listener {what}"));
    }

    fn push(&self, line: String) {
        if let Some(echo) = &self.echo {
            echo.print(&line);
        }
        self.lines.send_modify(|lines| {
            if lines.len() == MAX_LINES {
                lines.remove(0);
            }
            lines.push(line);
        });
    }

    /// Every line so far, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.lines.borrow().clone()
    }

    /// Waits until a line contains `text`, and returns that line.
    pub async fn wait_for(&self, text: &str) -> String {
        let mut lines = self.lines.subscribe();
        let found = lines.wait_for(|lines| lines.iter().any(|l| l.contains(text))).await;
        let lines = found.expect("the log's sender lives in self");
        lines.iter().find(|l| l.contains(text)).cloned().unwrap_or_default()
    }
}

impl Default for ConnectionLog {
    fn default() -> Self {
        Self::new()
    }
}

/// Prints log lines on a thread of its own. `eprintln!` on the serving thread
/// would block when stderr does (a terminal paused with Ctrl-S, a pipe nobody
/// reads) and freeze every client; here the server only queues a line, and when
/// the queue is full the line is dropped and counted instead.
#[derive(Debug, Clone)]
struct Echo {
    queue: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl Echo {
    fn start() -> Self {
        let (queue, lines) = mpsc::sync_channel::<String>(ECHO_QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&dropped);
        thread::spawn(move || {
            for line in lines {
                let mut stderr = std::io::stderr().lock();
                // A closed stderr is no reason to stop: write errors are ignored.
                let lost = counted.swap(0, Ordering::Relaxed);
                if lost > 0 {
                    let _ =
                        writeln!(stderr, "[log] {lost} lines dropped: stderr is slow");
                }
                let _ = writeln!(stderr, "{line}");
            }
        });
        Self { queue, dropped }
    }

    fn print(&self, line: &str) {
        if let Err(TrySendError::Full(_)) = self.queue.try_send(line.to_owned()) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
