//! The quote-of-the-day + echo service: one protocol, one factory.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Factory, Protocol, Reason, Transport};

/// The longest line the service accepts, in bytes without its delimiter. A peer
/// that sends more without a newline is told so and disconnected: the buffer of a
/// connection must not grow without bound.
pub const MAX_LINE: usize = 1024;

// ANCHOR: counters
/// What every connection of one factory shares. Atomics, because the connections
/// run on many tasks (maybe many threads) at once.
#[derive(Default)]
struct Counters {
    made: AtomicUsize,
    active: AtomicUsize,
}
// ANCHOR_END: counters

// ANCHOR: factory
/// Builds a [`QotdProtocol`] per connection and hands out the quotes in turn.
pub struct QotdFactory {
    quotes: Vec<String>,
    counters: Arc<Counters>,
}

impl QotdFactory {
    /// A factory that gives the first connection `quotes[0]`, the next `quotes[1]`, …
    /// and starts over after the last. With no quotes, everyone gets `"No quote today."`.
    pub fn new(quotes: Vec<String>) -> Self {
        let quotes =
            if quotes.is_empty() { vec!["No quote today.".to_owned()] } else { quotes };
        Self { quotes, counters: Arc::default() }
    }

    /// How many protocols this factory has built: one per connection, ever.
    pub fn connections_made(&self) -> usize {
        self.counters.made.load(Ordering::SeqCst)
    }

    /// How many of its connections are open right now (made, not yet lost).
    pub fn active(&self) -> usize {
        self.counters.active.load(Ordering::SeqCst)
    }
}

impl Factory for QotdFactory {
    fn build_protocol(&self, _peer: SocketAddr) -> Box<dyn Protocol> {
        // fetch_add hands each connection its own number even when two are
        // accepted at once on two threads.
        let number = self.counters.made.fetch_add(1, Ordering::SeqCst);
        let quote = self.quotes[number % self.quotes.len()].clone();
        Box::new(QotdProtocol {
            quote,
            counters: Arc::clone(&self.counters),
            transport: None,
            buffer: Vec::new(),
            closing: false,
        })
    }
}
// ANCHOR_END: factory

// ANCHOR: protocol_struct
/// One connection of the service: greets with the quote of the day, then echoes
/// each line back; `quit` says `Bye!` and closes cleanly.
///
/// Built only by [`QotdFactory::build_protocol`].
pub struct QotdProtocol {
    quote: String,
    counters: Arc<Counters>,
    /// `None` until `connection_made` and after `connection_lost`.
    transport: Option<Box<dyn Transport>>,
    /// Bytes of a line that has not ended yet.
    buffer: Vec<u8>,
    /// Set once we asked to close: whatever else arrives is ignored.
    closing: bool,
}
// ANCHOR_END: protocol_struct

// ANCHOR: protocol
impl Protocol for QotdProtocol {
    fn connection_made(&mut self, transport: Box<dyn Transport>) {
        self.counters.active.fetch_add(1, Ordering::SeqCst);
        self.transport = Some(transport);
        let greeting = format!("{}\r\n", self.quote);
        self.send(greeting.as_bytes());
    }

    fn data_received(&mut self, data: &[u8]) {
        if self.closing {
            return;
        }
        // TCP delivers a stream, not messages: `data` may hold half a line or
        // several. Keep the tail and act only on complete lines.
        self.buffer.extend_from_slice(data);
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            line.pop(); // the '\n'
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.line_received(&line);
            if self.closing {
                return;
            }
        }
        if self.buffer.len() > MAX_LINE {
            self.refuse_long_line();
        }
    }

    fn connection_lost(&mut self, _reason: Reason) {
        // Count down only what connection_made counted up.
        if self.transport.take().is_some() {
            self.counters.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
// ANCHOR_END: protocol

// ANCHOR: helpers
impl QotdProtocol {
    fn line_received(&mut self, line: &[u8]) {
        if line.len() > MAX_LINE {
            self.refuse_long_line();
        } else if line == b"quit" {
            self.send(b"Bye!\r\n");
            self.close();
        } else {
            let mut echo = Vec::with_capacity(line.len() + 2);
            echo.extend_from_slice(line);
            echo.extend_from_slice(b"\r\n");
            self.send(&echo);
        }
    }

    fn refuse_long_line(&mut self) {
        self.send(format!("ERR line longer than {MAX_LINE} bytes\r\n").as_bytes());
        self.close();
    }

    fn send(&mut self, bytes: &[u8]) {
        if let Some(transport) = self.transport.as_mut() {
            transport.write(bytes);
        }
    }

    fn close(&mut self) {
        self.closing = true;
        self.buffer.clear();
        if let Some(transport) = self.transport.as_mut() {
            transport.lose_connection();
        }
    }
}
// ANCHOR_END: helpers
