//! An echo server on the reactor: every byte a client sends comes back to it.
//!
//! Yours to write: `EchoConnection::ready` and `EchoConnection::flush`. The
//! listener is given whole in `port.rs`, as a worked example of a `Handler`;
//! [`EchoServer`], which runs it all on its own thread, is given whole in
//! `echo_server.rs`.
//!
//! Echo is the smallest protocol that still has the hard part of a real one: the
//! peer may send faster than it reads, so writes can be partial, and the server must
//! stop reading rather than buffer without bound.

// Read and Write give TcpStream its read() and write(): your code needs them.
#[allow(unused_imports)]
use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::Interest;
use mio::event::Source;
use mio::net::TcpStream;

use crate::port;
use crate::reactor::{Handler, Next, Reactor, Readiness};

pub use crate::echo_server::EchoServer;

// ANCHOR: limits
/// At most this many bytes wait to be echoed per connection. When it is full the
/// server stops reading, TCP's window fills up, and the client is slowed down:
/// backpressure instead of unbounded memory.
pub const BUFFER_LIMIT: usize = 64 * 1024;

/// How much one `read` takes, into a buffer on the stack: idle connections own no
/// read buffer at all.
const READ_CHUNK: usize = 8 * 1024;
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
struct EchoConnection {
    stream: TcpStream,
    /// Bytes read but not yet written back, oldest first; never over `BUFFER_LIMIT`.
    pending: Vec<u8>,
    /// The client closed its side: write back what is left, then close.
    eof: bool,
}

impl Handler for EchoConnection {
    fn source(&mut self) -> &mut dyn Source {
        &mut self.stream
    }

    /// Registered for both READABLE and WRITABLE once: with edge-triggered events a
    /// writable edge only comes after a write hit `WouldBlock`, so it costs nothing
    /// while writes succeed. On any event, alternate writing and reading until the
    /// socket says `WouldBlock` or the buffer is full.
    fn ready(&mut self, _reactor: &Reactor, _readiness: Readiness) -> Next {
        // Loop until the socket says WouldBlock:
        // - `flush()`; on WouldBlock with a full buffer (or after EOF), return Keep:
        //   the writable edge will call you again;
        // - after EOF with nothing left to write, return Close;
        // - `read` into a stack buffer, at most `BUFFER_LIMIT - pending.len()` bytes:
        //   `Ok(0)` is EOF, `Ok(n)` appends to `pending`, WouldBlock returns Keep,
        //   Interrupted retries, any other error returns Close.
        let _ = (&mut self.stream, &mut self.pending, self.eof, READ_CHUNK);
        todo!("EchoConnection::ready")
    }
}

impl EchoConnection {
    /// Writes pending bytes until none are left (`Ok`) or the socket is full
    /// (`WouldBlock`). A write may take only part of what it is given.
    fn flush(&mut self) -> io::Result<()> {
        // Write `pending` from the front until it is empty (Ok) or the socket says
        // WouldBlock (return that error). `write` may take only some of the bytes:
        // keep what it did not take. `Ok(0)` is an error (WriteZero); Interrupted retries.
        todo!("EchoConnection::flush")
    }
}
