//! Exercise 09: TLS. The inventory feed of chapter 05, unchanged, over TLS with
//! rustls: a verified server name, mutual TLS for warehouse scanners, STARTTLS on a
//! plain connection, a deadline on the handshake.
//!
//! Six functions are yours to write, in this order (each `todo!()` names one):
//! 1. [`server_config`] in [`config`]: the server's TLS configuration (steps 1, 3, 7).
//! 2. [`client_config`] in [`config`]: what a client trusts and presents (1, 3).
//! 3. [`connect`] in [`client`]: connect and verify the server's name (1, 2).
//! 4. [`Gatekeeper::handshake`] in [`accept`]: the server's handshake, under a
//!    deadline, its failures logged (1, 5, 6).
//! 5. [`warehouse_of`] in [`accept`]: which warehouse a scanner belongs to (3).
//! 6. [`Gatekeeper::start_tls`] in [`accept`]: STARTTLS on a plain connection (4, 5).
//!
//! Given whole: [`feed`] (the 05 line protocol, generic over the stream), [`pki`]
//! (certificates made at run time), [`log`], and the listening [`TlsFeedServer`].
//! Run `cargo xtask check 09-tls` after each one.

pub mod accept;
pub mod client;
pub mod config;
mod error;
pub mod feed;
pub mod log;
pub mod pki;
mod port;

pub use accept::warehouse_of;
pub use client::connect;
pub use config::{client_config, provider, server_config};
pub use error::ConfigError;
pub use feed::{DEFAULT_WAREHOUSE, Feed, Inventory, MAX_LENGTH, WAREHOUSES, serve_lines};
pub use log::ConnectionLog;
pub use pki::{Identity, SERVER_NAMES, TestCa, scanner_name};
pub use port::{Gatekeeper, HANDSHAKE_TIMEOUT, MAX_CONNECTIONS, Security, TlsFeedServer};
// The tests (and you) name rustls' types through these, with the same versions.
pub use {rustls, tokio_rustls};
