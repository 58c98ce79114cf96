//! Exercise 16, the capstone: one real-time inventory service made of Part II's
//! pieces. Scanners send stock moves over chapter 05's line protocol, inside TLS
//! with client certificates (09); the JSON API (08) and the dashboards' WebSocket
//! hub (10) show the totals; a reorder job (06's `LoopingCall`) raises alerts; a
//! drain (15) stops it without losing a move. The pieces are library code, in the
//! workspace crate `parts`: read its modules' docs first.
//!
//! Five functions are yours to write, in this order (each `todo!()` names one):
//! 1. `ReorderRule::check` in [`reorder`]: the rule, once per crossing (step 1).
//! 2. `Service::handle_line` in [`flow`]: a line becomes a move, a total pushed in
//!    order, an answer (steps 2 to 6).
//! 3. `reorder_job` in [`reorder`]: the rule on a schedule (step 2, which moves
//!    stock with `handle_line`: it passes once both are written).
//! 4. `serve_scanner` in [`flow`]: one scanner's connection (steps 3 to 7).
//! 5. `Server::run` in [`run`]: the wiring and the drain (steps 3 to 7).
//!
//! Given: the ledger, the settings, the shared state ([`service`]), the doors
//! ([`server`]), the API ([`api`]) and its page. Run `cargo xtask check
//! 16-capstone` after each one.

pub mod api;
pub mod flow;
pub mod ledger;
mod page;
pub mod reorder;
pub mod run;
pub mod server;
pub mod service;
pub mod settings;

pub use flow::serve_scanner;
pub use ledger::{Alert, Ledger, StockLevel};
pub use reorder::reorder_job;
pub use server::{Addrs, Report, Server};
pub use service::{ReorderRule, Service};
pub use settings::Settings;
