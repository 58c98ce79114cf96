//! Solution 16, the capstone: the event flow, the reorder rule and its job, and the
//! wiring of the service's run and drain, on Part II's pieces (`parts`).
//!
//! - [`flow`]: a line becomes a move, a total pushed in the SKU's order, an answer;
//!   one scanner's connection, drained.
//! - [`reorder`]: the rule (once per crossing) and its `LoopingCall`-like job.
//! - [`run`]: the doors, the job, and the drain in order.
//! - Given in the exercise and included here: the ledger, the settings, the shared
//!   state, the doors, the API and its page.

pub mod flow;
pub mod reorder;
pub mod run;

// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/16-capstone/src/api.rs"]
pub mod api;
#[path = "../../../exercises/16-capstone/src/ledger.rs"]
pub mod ledger;
#[path = "../../../exercises/16-capstone/src/page.rs"]
mod page;
#[path = "../../../exercises/16-capstone/src/server.rs"]
pub mod server;
#[path = "../../../exercises/16-capstone/src/service.rs"]
pub mod service;
#[path = "../../../exercises/16-capstone/src/settings.rs"]
pub mod settings;

pub use flow::serve_scanner;
pub use ledger::{Alert, Ledger, StockLevel};
pub use reorder::reorder_job;
pub use server::{Addrs, Report, Server};
pub use service::{ReorderRule, Service};
pub use settings::Settings;
