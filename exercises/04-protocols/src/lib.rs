//! Exercise 04: transports, protocols and factories.
//!
//! Twisted splits a network program in three:
//! - a [`Transport`] knows *how bytes move* (a TCP socket, or a recording buffer in tests);
//! - a [`Protocol`] knows *what the bytes mean* (here: quote of the day, then echo);
//! - a [`Factory`] builds one protocol per connection and holds what connections share.
//!
//! The traits are written for you (`protocol.rs`, `transport.rs`). Fill in, in the
//! order of the steps, each `todo!()`:
//! 1. `string_transport.rs`: an in-memory transport that records writes;
//! 2. `qotd.rs`: the quote-of-the-day + echo protocol and its factory;
//! 3. `tcp.rs`: the same protocol on real TCP sockets;
//! 4. `tcp.rs` again: telling a clean close from a broken connection;
//! 5. `backoff.rs`: exponential backoff with jitter;
//! 6. `reconnect.rs`: a client that reconnects, waiting as the backoff says;
//! 7. nothing new: step 7 checks 3 and 6 together, on real TCP.
//!
//! Then run `cargo xtask check 04-protocols`.

mod backoff;
mod protocol;
mod qotd;
mod reconnect;
mod rng;
mod string_transport;
mod tcp;
mod transport;

pub use backoff::{Backoff, SplitMix64};
pub use protocol::{Factory, Protocol, Reason};
pub use qotd::{MAX_LINE, QotdFactory, QotdProtocol};
pub use reconnect::{Finished, ReconnectingClient, StopTrying};
pub use string_transport::StringTransport;
pub use tcp::{TcpTransport, connect_tcp, listen_tcp, run_connection};
pub use transport::Transport;
