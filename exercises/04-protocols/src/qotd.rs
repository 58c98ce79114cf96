//! The quote-of-the-day + echo service: one protocol, one factory.

use std::net::SocketAddr;

use crate::{Factory, Protocol, Reason, Transport};

/// The longest line the service accepts, in bytes without its delimiter. A peer
/// that sends more without a newline is told so and disconnected: the buffer of a
/// connection must not grow without bound.
pub const MAX_LINE: usize = 1024;

/// Builds a [`QotdProtocol`] per connection and hands out the quotes in turn.
///
/// What the connections share lives here: the quotes, how many connections were
/// made, how many are open. Connections run on many tasks at once, so the counters
/// are atomics (`AtomicUsize`) in an `Arc` that each protocol also holds: the
/// protocol counts itself active in `connection_made` and gone in `connection_lost`.
pub struct QotdFactory {
    // Your fields here: the quotes, and an `Arc` of the shared counters.
}

impl QotdFactory {
    /// A factory that gives the first connection `quotes[0]`, the next `quotes[1]`, …
    /// and starts over after the last. With no quotes, everyone gets `"No quote today."`.
    pub fn new(quotes: Vec<String>) -> Self {
        todo!("QotdFactory::new({} quotes)", quotes.len())
    }

    /// How many protocols this factory has built: one per connection, ever.
    pub fn connections_made(&self) -> usize {
        todo!("QotdFactory::connections_made")
    }

    /// How many of its connections are open right now (made, not yet lost).
    pub fn active(&self) -> usize {
        todo!("QotdFactory::active")
    }
}

impl Factory for QotdFactory {
    /// Counts the connection (`fetch_add` returns its number) and builds a protocol
    /// that will greet it with the next quote.
    fn build_protocol(&self, peer: SocketAddr) -> Box<dyn Protocol> {
        todo!("QotdFactory::build_protocol({peer})")
    }
}

/// One connection of the service:
/// - on `connection_made`: keep the transport, count the connection as active,
///   write the quote and `"\r\n"`;
/// - on `data_received`: buffer bytes until a `\n`; for each complete line
///   (without its `\r\n` or `\n`), write it back with `"\r\n"`; the line `quit`
///   writes `"Bye!\r\n"` and calls `lose_connection`, and anything after it is
///   ignored; a line longer than [`MAX_LINE`] (or a buffer that grows past it
///   without a `\n`) writes a line starting `"ERR "` and loses the connection;
/// - on `connection_lost`: count the connection as gone.
///
/// Built only by [`QotdFactory::build_protocol`].
pub struct QotdProtocol {
    // Your fields here: the quote, the shared counters, the transport
    // (`Option<Box<dyn Transport>>`: there is none before connection_made), the
    // bytes of a line not ended yet, whether you are closing.
}

impl Protocol for QotdProtocol {
    fn connection_made(&mut self, transport: Box<dyn Transport>) {
        let _ = transport;
        todo!("QotdProtocol::connection_made")
    }

    fn data_received(&mut self, data: &[u8]) {
        todo!("QotdProtocol::data_received({} bytes)", data.len())
    }

    fn connection_lost(&mut self, reason: Reason) {
        todo!("QotdProtocol::connection_lost({reason:?})")
    }
}
