//! What the reactor and its handlers say to each other: the [`Handler`] trait, the
//! [`Readiness`] the reactor reports, and the [`Next`] the handler answers.
//! Given whole.

use mio::event::{Event, Source};

use crate::reactor::Reactor;

// ANCHOR: handler
/// What the poll said about one socket.
///
/// Readiness is a hint, not a promise: a read after `readable` may still say
/// `WouldBlock`, and a handler must cope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Data (or a new connection, or end of stream) is waiting to be read.
    pub readable: bool,
    /// There is room in the socket's send buffer again.
    pub writable: bool,
    /// The peer hung up or the socket has an error pending.
    pub closed: bool,
}

impl Readiness {
    /// Reads the readiness out of one mio event.
    pub(crate) fn of(event: &Event) -> Self {
        Self {
            readable: event.is_readable(),
            writable: event.is_writable(),
            closed: event.is_read_closed() || event.is_write_closed() || event.is_error(),
        }
    }
}

/// What a handler wants after handling an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Keep the socket registered and call me again when it is ready.
    Keep,
    /// Deregister the socket and drop the handler (which closes the socket).
    Close,
}

/// Something the reactor calls when its socket is ready (Twisted's
/// `IReadDescriptor` / `IWriteDescriptor` in one).
pub trait Handler {
    /// The socket this handler owns; the reactor registers it with the poll.
    fn source(&mut self) -> &mut dyn Source;

    /// Handles readiness. mio is *edge-triggered*: it reports a change once, so read
    /// (or write) until `WouldBlock` before returning, or you will not hear again.
    fn ready(&mut self, reactor: &Reactor, readiness: Readiness) -> Next;
}
// ANCHOR_END: handler
