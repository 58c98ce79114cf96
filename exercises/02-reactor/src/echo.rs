//! An echo server on the reactor: every byte a client sends comes back to it.
//!
//! Yours to write: `EchoConnection::ready` and `EchoConnection::flush`, below. The
//! limits ([`BUFFER_LIMIT`]), [`listen`] and the `EchoConnection` struct (its fields
//! `stream`, `pending`, `eof`) are given in `connection.rs`; the listener is given
//! whole in `port.rs`, as a worked example of a `Handler`; [`EchoServer`], which runs
//! it all on its own thread, is given whole in `echo_server.rs`.
//!
//! Echo is the smallest protocol that still has the hard part of a real one: the
//! peer may send faster than it reads, so writes can be partial, and the server must
//! stop reading rather than buffer without bound.

// Read and Write give TcpStream its read() and write(): your code needs them.
#[allow(unused_imports)]
use std::io::{self, Read, Write};

use mio::event::Source;

pub use crate::connection::{BUFFER_LIMIT, listen, listen_with_socket_buffers};
use crate::connection::{EchoConnection, READ_CHUNK};
use crate::reactor::{Handler, Next, Reactor, Readiness};

pub use crate::echo_server::EchoServer;

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
