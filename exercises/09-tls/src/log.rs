//! The server's connection log: one line per event (`127.0.0.1:PORT TLS handshake
//! failed: …`), kept in memory so tests can wait for a line, and printed to stderr
//! for the demo. Given whole.

use std::fmt::Display;
use std::net::SocketAddr;

use tokio::sync::watch;

/// How many lines the log keeps; older ones are dropped (memory stays bounded).
pub const MAX_LINES: usize = 1000;

/// A shared, bounded log of what happened to connections. Clones share the lines.
#[derive(Debug, Clone)]
pub struct ConnectionLog {
    lines: watch::Sender<Vec<String>>,
    echo: bool,
}

impl ConnectionLog {
    /// A log kept in memory only (tests).
    pub fn new() -> Self {
        Self { lines: watch::Sender::new(Vec::new()), echo: false }
    }

    /// A log that also prints every line to stderr (the demo).
    pub fn echoing() -> Self {
        Self { echo: true, ..Self::new() }
    }

    /// Records `what` happened on the connection from `peer`: `"{peer} {what}"`.
    pub fn record(&self, peer: SocketAddr, what: impl Display) {
        let line = format!("{peer} {what}");
        if self.echo {
            eprintln!("{line}");
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
