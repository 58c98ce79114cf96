//! Where the demo's lines go: a bounded queue to one printing thread.
//!
//! The server must never wait for its log. `println!` blocks when stdout does (a
//! terminal paused with Ctrl-S, a pipe nobody reads), and on the serving thread
//! that would freeze every client. So the server only queues lines; one thread of
//! its own prints them; and when the queue is full, lines are dropped and counted,
//! and the count is printed once the printer catches up.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::{self, JoinHandle};

/// How many lines may wait for the printer before new ones are dropped.
pub const QUEUE_LINES: usize = 1024;

/// What the printer thread is sent.
enum Entry {
    Line(String),
    Stop,
}

/// A handle to queue lines for printing; cheap to clone, never blocks.
#[derive(Clone)]
pub struct Log {
    queue: SyncSender<Entry>,
    dropped: Arc<AtomicU64>,
}

/// The printing thread; [`Printer::finish`] prints what is queued, then stops it.
pub struct Printer {
    log: Log,
    thread: JoinHandle<()>,
}

impl Log {
    /// Starts the printing thread; lines go to stdout.
    pub fn start() -> (Log, Printer) {
        let (queue, lines) = mpsc::sync_channel(QUEUE_LINES);
        let log = Log { queue, dropped: Arc::default() };
        let dropped = Arc::clone(&log.dropped);
        let thread = thread::spawn(move || {
            let stdout = std::io::stdout();
            for entry in lines {
                let Entry::Line(line) = entry else { break };
                let mut out = stdout.lock();
                let lost = dropped.swap(0, Ordering::Relaxed);
                // A closed stdout is no reason to stop serving: ignore write errors.
                if lost > 0 {
                    let _ = writeln!(
                        out,
                        "  [log] {lost} line(s) dropped: stdout is not keeping up"
                    );
                }
                let _ = writeln!(out, "{line}");
            }
        });
        (log.clone(), Printer { log, thread })
    }

    /// Queues `line` for printing, or drops and counts it if the queue is full.
    pub fn line(&self, line: impl Into<String>) {
        match self.queue.try_send(Entry::Line(line.into())) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Printer {
    /// Waits until every line queued so far is printed, then stops the thread: for
    /// a demo that ends (`--script`), so its last lines are not lost at exit.
    pub fn finish(self) {
        // Blocking is right here: the demo is over, and its output is the point.
        if self.log.queue.send(Entry::Stop).is_ok() {
            let _ = self.thread.join();
        }
    }
}
