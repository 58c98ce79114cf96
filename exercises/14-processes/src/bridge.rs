//! The telnet-style bridge (the Twisted `FakeTelnet` of the chapter): each
//! connection names one allow-listed command, and the socket becomes the command's
//! terminal: bytes in go to its stdin, its stdout comes back, its stderr comes back
//! as `! ` lines, and the connection ends when the command does.

//!
//! Yours to write: `TelnetBridge::serve`, below. [`RUN_TIMEOUT`], [`ChildEvent`] and
//! the [`TelnetBridge`] type (its fields `allowed`, `run_timeout`, `events`, and
//! `report`) are given in `bridge_factory.rs`.

use tokio::net::TcpStream;

pub use crate::bridge_factory::{ChildEvent, RUN_TIMEOUT, TelnetBridge};

impl TelnetBridge {
    /// Serves one connection, start to end:
    ///
    /// 1. Read the command line ([`read_command`](crate::wire::read_command), with
    ///    the run deadline); on error, say its message (if any) and hang up.
    /// 2. A name not on the list: say [`unknown_command`](crate::wire::unknown_command),
    ///    hang up, spawn nothing.
    /// 3. Spawn it with pipes on all three and an EMPTY environment (Twisted's
    ///    default), report [`ChildEvent::Spawned`].
    /// 4. Until the child ends: the client's bytes (those that came with the
    ///    command line first) go to its stdin, and the client's end of input
    ///    closes stdin; its stdout goes to the client as it is; its stderr goes
    ///    through [`ErrLines`](crate::wire::ErrLines). Both directions at once, and
    ///    never reading more from the child than the client has taken.
    /// 5. If the client is gone (a read or write fails), or the deadline passes
    ///    (say [`timed_out`](crate::wire::timed_out) first): kill the child.
    /// 6. Always reap it (wait for it), report [`ChildEvent::Ended`], then say
    ///    [`ended`](crate::wire::ended) if the client is still there, and hang up.
    pub async fn serve(&self, stream: TcpStream) {
        let _ = stream;
        todo!("TelnetBridge::serve")
    }
}
