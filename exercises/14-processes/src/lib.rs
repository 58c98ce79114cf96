//! Exercise 14: processes. Child processes as event sources (Twisted's
//! `spawnProcess` and `ProcessProtocol`), Twisted's one-call helpers
//! (`getProcessOutput`, `getProcessValue`), and a telnet-style bridge that runs an
//! allow-listed command per TCP connection.
//!
//! Four functions are yours to write, in this order (each `todo!()` names one):
//! 1. `spawn_process` in [`protocol`]: run a child, call the protocol per event
//!    (steps 1 to 3).
//! 2. `get_process_output` in [`utils`]: its output, with Twisted's defaults (step 4).
//! 3. `get_process_value` in [`utils`]: its exit code (step 4).
//! 4. `TelnetBridge::serve` in [`bridge`]: one connection's command (steps 5 to 8).
//!
//! Everything else (how a child ended, the allow-list, the bridge's wire format, the
//! listening port, and the types the functions use: `ProcessProtocol` in
//! `process_protocol.rs`, `TelnetBridge` in `bridge_factory.rs`, `ProcessError` in
//! `process_error.rs`) is given.
//! Run `cargo xtask check 14-processes` after each one.
//! The steps run `cat`, `tr`, `sort`, `yes` and `sleep`: on Linux and macOS.

pub mod allow;
pub mod bridge;
mod bridge_factory;
pub mod exit;
pub mod port;
mod process_error;
mod process_protocol;
pub mod protocol;
pub mod utils;
pub mod wire;

pub use allow::AllowList;
pub use bridge::{ChildEvent, RUN_TIMEOUT, TelnetBridge};
pub use exit::Exit;
pub use port::{BridgeServer, MAX_CONNECTIONS};
pub use protocol::{ProcessProtocol, spawn_process};
pub use utils::{ProcessError, get_process_output, get_process_value};
