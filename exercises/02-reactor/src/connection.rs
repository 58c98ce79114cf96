//! The echo server's given parts: its limits, `listen` (which hands each accepted
//! connection to a new [`EchoConnection`]) and the connection's state. Given whole.
//!
//! `EchoConnection`'s `ready` and `flush` are yours to write in `echo.rs`.

use std::io;
use std::net::SocketAddr;

use mio::Interest;
use mio::net::TcpStream;

use crate::port;
use crate::reactor::Reactor;

// ANCHOR: limits
/// At most this many bytes wait to be echoed per connection. When it is full the
/// server stops reading, TCP's window fills up, and the client is slowed down:
/// backpressure instead of unbounded memory.
pub const BUFFER_LIMIT: usize = 64 * 1024;

/// How much one `read` takes, into a buffer on the stack: idle connections own no
/// read buffer at all.
pub(crate) const READ_CHUNK: usize = 8 * 1024;
// ANCHOR_END: limits

/// Listens on `addr` and echoes on every connection it accepts; returns the bound
/// address (pass port 0 to let the OS choose). Accepting is the port's job
/// (`port.rs`, given).
pub fn listen(reactor: &Reactor, addr: SocketAddr) -> io::Result<SocketAddr> {
    listen_with_socket_buffers(reactor, addr, None)
}

/// Like [`listen`], and with `Some(bytes)` every connection gets kernel buffers of
/// about that size (see `socket_buffers.rs`): the tests use it so that partial writes
/// and a full [`BUFFER_LIMIT`] really happen on loopback.
pub fn listen_with_socket_buffers(
    reactor: &Reactor,
    addr: SocketAddr,
    socket_buffers: Option<usize>,
) -> io::Result<SocketAddr> {
    port::listen(reactor, addr, socket_buffers, |reactor, stream| {
        // Echo is interactive: send small replies now, not after Nagle's wait.
        let _ = stream.set_nodelay(true);
        let connection = EchoConnection { stream, pending: Vec::new(), eof: false };
        if let Err(e) = reactor.add(connection, Interest::READABLE | Interest::WRITABLE) {
            eprintln!("echo: cannot register a connection: {e}");
        }
    })
}

/// One echo connection (Twisted's `Protocol` and `Transport` in one).
pub(crate) struct EchoConnection {
    pub(crate) stream: TcpStream,
    /// Bytes read but not yet written back, oldest first; never over `BUFFER_LIMIT`.
    pub(crate) pending: Vec<u8>,
    /// The client closed its side: write back what is left, then close.
    pub(crate) eof: bool,
}
