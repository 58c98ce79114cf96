//! The transport: how bytes move. A protocol only ever talks to this trait.

// ANCHOR: transport
/// Where a protocol writes, whatever carries the bytes (Twisted's `ITransport`).
///
/// Both calls return at once: a transport buffers, and delivers later. That is why
/// a protocol never blocks and why one thread can serve many connections.
pub trait Transport: Send {
    /// Queues `data` to be sent to the peer, after everything written before it.
    fn write(&mut self, data: &[u8]);

    /// Closes the connection once everything written so far has been sent
    /// (Twisted's `loseConnection`: a clean close, never a truncated one).
    fn lose_connection(&mut self);
}
// ANCHOR_END: transport
