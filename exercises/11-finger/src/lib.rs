//! Exercise 11: finger (RFC 1288), the Twisted tutorial's "evolution of finger"
//! in tokio: one query line in, the answer, then the server closes.
//!
//! Six functions are yours to write, in this order (each `todo!()` names one):
//! 1. `Query::parse` in [`query`]: what a query line means (step 1).
//! 2. `FingerFactory::answer` in [`server`]: the answer, from any [`Directory`]
//!    (steps 2 and 4).
//! 3. `FingerFactory::serve` in [`server`]: one connection, one query (steps 2 and 5).
//! 4. `parse_users` in [`file`]: the file backend's `user: status` lines (step 3).
//! 5. `SetterFactory::line_received` in [`setter`]: the setter port (step 6).
//! 6. `finger` in [`client`]: a finger client (step 7).
//!
//! Everything else is given: the backend trait and the in-memory backend
//! (`directory`), the HTTP backend (`http`), the listening ports (`port`), the web
//! view (`web`) and the service that runs the three protocols (`service`).
//! Run `cargo xtask check 11-finger` after each one.

pub mod client;
mod client_error;
mod directory;
mod factory;
pub mod file;
mod file_directory;
mod http;
mod port;
pub mod query;
mod query_types;
pub mod server;
mod service;
pub mod setter;
mod setter_port;
mod web;

pub use client::{CLIENT_TIMEOUT, ClientError, MAX_ANSWER, finger};
pub use directory::{
    Directory, DirectoryFull, Lookup, LookupError, MAX_STATUS_LENGTH, MAX_USER_LENGTH,
    MAX_USERS, MemoryDirectory, is_valid_status, is_valid_user,
};
pub use file::{FileDirectory, MAX_FILE_SIZE, parse_users};
pub use http::{HttpDirectory, MAX_RESPONSE, http_get};
pub use port::{BUSY, FingerServer, Limits, MAX_CONNECTIONS, accept_forever};
pub use query::{Query, QueryError};
pub use server::{
    FORWARDING_DENIED, FingerFactory, IDLE_TIMEOUT, INTERNAL_ERROR, LOOKUP_TIMEOUT,
    MAX_QUERY_LENGTH, NO_SUCH_USER, NO_USERS, query_too_long,
};
pub use service::{FingerService, Ports};
pub use setter::{MAX_SETTER_LINE, SETTER_IDLE_TIMEOUT, SetError, SetterFactory};
pub use web::{MAX_HEAD, WEB_TIMEOUT, serve_web};
