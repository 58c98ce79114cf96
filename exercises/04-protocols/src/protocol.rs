//! The protocol and its factory: what bytes mean, and who builds whom.

use std::net::SocketAddr;

// `super`, not `crate`: the book's worked examples include this file as a nested module.
use super::Transport;

// ANCHOR: reason
/// Why a connection ended, as `connection_lost` is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Closed cleanly, by either side (Twisted's `ConnectionDone`).
    ConnectionDone,
    /// Broken: reset by the peer or an I/O error (Twisted's `ConnectionLost`); the
    /// text says what.
    ConnectionLost(String),
}
// ANCHOR_END: reason

// ANCHOR: protocol
/// What the bytes of one connection mean (Twisted's `Protocol`).
///
/// The transport calls these three methods, in this order, from one task, never at
/// the same time: `connection_made` once, `data_received` any number of times,
/// `connection_lost` once. They are plain methods, not `async`: a protocol reacts to
/// events and writes to its transport, it never waits.
pub trait Protocol: Send {
    /// The connection is up; keep `transport` to write to the peer later.
    fn connection_made(&mut self, transport: Box<dyn Transport>);

    /// Some bytes arrived. Any number of them: half a line, or three lines at once.
    fn data_received(&mut self, data: &[u8]);

    /// The connection is gone, and why. Nothing written now reaches the peer.
    fn connection_lost(&mut self, reason: Reason);
}

/// Builds one protocol per connection and holds what the connections share
/// (Twisted's `Factory.buildProtocol`).
///
/// One factory serves every connection, from many tasks at once: hence `Sync`, and
/// shared counters in atomics or behind a `Mutex`.
pub trait Factory: Send + Sync {
    /// A fresh protocol for the connection with `peer`.
    fn build_protocol(&self, peer: SocketAddr) -> Box<dyn Protocol>;
}
// ANCHOR_END: protocol
