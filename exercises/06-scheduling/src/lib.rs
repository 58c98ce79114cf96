//! Exercise 06: scheduling. Twisted's `task` module on tokio.
//!
//! Fill in the `todo!()`s, one file at a time, in the order of the steps:
//!
//! - `looping.rs`: [`LoopingCall`], a function called every interval (steps 1-3).
//! - `error.rs` and `later.rs`: [`TaskError`] from a finished task, and
//!   [`call_later`], a cancellable delayed call (step 4).
//! - `threads.rs`: [`defer_to_thread`] (step 5) and [`loop_calls`], Twisted's
//!   `callFromThread` (step 6).
//! - `reorder.rs`: the inventory's periodic reorder check (step 7); the inventory
//!   itself is given in `inventory.rs`.
//!
//! Check with `cargo xtask check 06-scheduling`.

mod error;
mod inventory;
mod later;
mod looping;
mod reorder;
mod task_error;
mod threads;

pub use error::TaskError;
pub use inventory::{Inventory, ReorderAlert, Stock};
pub use later::{DelayedCall, call_later};
pub use looping::LoopingCall;
pub use reorder::start_reorder_check;
pub use threads::{FromThread, LoopCalls, defer_to_thread, loop_calls};
