//! Exercise 15: the inventory service, deployed. A service runs unattended: it
//! reads its settings from flags and the environment, logs for a log pipeline,
//! and stops on SIGTERM without dropping the requests in flight.
//!
//! Four pieces are yours to write, in this order (each `todo!()` names one):
//! 1. `Config::load_from` in [`config`], and the `env` attribute of each setting
//!    (step 1).
//! 2. `subscriber` in [`logging`]: human lines or JSON (step 2).
//! 3. `Server::run` in [`server`]: accept until a stop, then drain (steps 3 to 5).
//! 4. `stop_requested` in [`signals`]: SIGTERM and SIGINT (steps 6 and 7).
//!
//! Given: one clerk's connection (`session`: the line protocol and its part of the
//! drain), the health check (`health`), the types your pieces belong to
//! (`ConfigError` in `config_error`, `LogFormat` in `log_format`, `Server` in
//! `listeners`), and the binary `untwisted-inventory`
//! (`src/bin/untwisted-inventory.rs`), which wires your pieces together; steps 1,
//! 6 and 7 run it.
//! Run `cargo xtask check 15-deploy` after each one.

pub mod config;
mod config_error;
pub mod health;
mod listeners;
mod log_format;
pub mod logging;
pub mod server;
pub mod session;
pub mod signals;

pub use config::{Config, ConfigError, MAX_DRAIN_SECS};
pub use health::{
    HEALTH_TIMEOUT, MAX_HEALTH_CLIENTS, MAX_HEALTH_REQUEST, Readiness, serve_health,
};
pub use logging::{LogFormat, subscriber};
pub use server::{Drained, MAX_CLERKS, Server};
pub use session::{GOODBYE, IDLE_TIMEOUT, MAX_COUNT_LINES, MAX_LINE, serve_clerk};
pub use signals::stop_requested;
