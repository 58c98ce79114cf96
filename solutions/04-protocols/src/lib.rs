//! Solution 04: transports, protocols and factories.
//!
//! Twisted splits a network program in three:
//! - a [`Transport`] knows *how bytes move* (a TCP socket, or a recording buffer in tests);
//! - a [`Protocol`] knows *what the bytes mean* (here: quote of the day, then echo);
//! - a [`Factory`] builds one protocol per connection and holds what connections share.
//!
//! The same [`QotdProtocol`] runs on real TCP ([`listen_tcp`]) and on an in-memory
//! [`StringTransport`]; a [`ReconnectingClient`] retries with exponential [`Backoff`].

mod backoff;
// The given traits are the exercise's own files, not copies.
#[path = "../../../exercises/04-protocols/src/protocol.rs"]
mod protocol;
mod qotd;
mod reconnect;
#[path = "../../../exercises/04-protocols/src/rng.rs"]
mod rng;
mod string_transport;
mod tcp;
#[path = "../../../exercises/04-protocols/src/transport.rs"]
mod transport;

pub use backoff::{Backoff, SplitMix64};
pub use protocol::{Factory, Protocol, Reason};
pub use qotd::{MAX_LINE, QotdFactory, QotdProtocol};
pub use reconnect::{Finished, ReconnectingClient, StopTrying};
pub use string_transport::StringTransport;
pub use tcp::{TcpTransport, connect_tcp, listen_tcp, run_connection};
pub use transport::Transport;
