//! An echo server on the reactor: every byte a client sends comes back to it.
//!
//! Echo is the smallest protocol that still has the hard part of a real one: the
//! peer may send faster than it reads, so writes can be partial, and the server must
//! stop reading rather than buffer without bound.

use std::io::{self, Read, Write};

use mio::event::Source;

pub use crate::connection::{BUFFER_LIMIT, listen, listen_with_socket_buffers};
use crate::connection::{EchoConnection, READ_CHUNK};
use crate::reactor::{Handler, Next, Reactor, Readiness};

pub use crate::echo_server::EchoServer;

// ANCHOR: connection
impl Handler for EchoConnection {
    fn source(&mut self) -> &mut dyn Source {
        &mut self.stream
    }

    /// Registered for both READABLE and WRITABLE once: with edge-triggered events a
    /// writable edge only comes after a write hit `WouldBlock`, so it costs nothing
    /// while writes succeed. On any event, alternate writing and reading until the
    /// socket says `WouldBlock` or the buffer is full.
    fn ready(&mut self, _reactor: &Reactor, _readiness: Readiness) -> Next {
        let mut chunk = [0u8; READ_CHUNK];
        loop {
            match self.flush() {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // Still owed bytes: read only if there is room, else wait for
                    // the writable edge.
                    if self.eof || self.pending.len() >= BUFFER_LIMIT {
                        return Next::Keep;
                    }
                }
                Err(_) => return Next::Close,
            }
            if self.eof {
                return if self.pending.is_empty() { Next::Close } else { Next::Keep };
            }
            let room = (BUFFER_LIMIT - self.pending.len()).min(READ_CHUNK);
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Next::Keep,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Next::Close,
            }
        }
    }
}

impl EchoConnection {
    /// Writes pending bytes until none are left (`Ok`) or the socket is full
    /// (`WouldBlock`). A write may take only part of what it is given.
    fn flush(&mut self) -> io::Result<()> {
        let mut written = 0;
        let result = loop {
            if written == self.pending.len() {
                break Ok(());
            }
            match self.stream.write(&self.pending[written..]) {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        self.pending.drain(..written);
        if self.pending.is_empty() && self.pending.capacity() > READ_CHUNK {
            // An idle connection should not keep a burst's buffer forever.
            self.pending = Vec::new();
        }
        result
    }
}
// ANCHOR_END: connection
