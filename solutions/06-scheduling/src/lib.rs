//! Solution 06: scheduling. Twisted's `task` module on tokio.
//!
//! - [`LoopingCall`]: call a function every interval, skipping missed ticks.
//! - [`call_later`]: call a function once after a delay, cancellable.
//! - [`defer_to_thread`]: run blocking work off the event loop.
//! - [`loop_calls`]: let another thread hand work back to the loop (`callFromThread`).
//! - [`start_reorder_check`]: the inventory's periodic reorder check, built on them.

mod error;
mod later;
mod looping;
mod reorder;
mod threads;

// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/06-scheduling/src/inventory.rs"]
mod inventory;
#[path = "../../../exercises/06-scheduling/src/task_error.rs"]
mod task_error;

pub use error::TaskError;
pub use inventory::{Inventory, ReorderAlert, Stock};
pub use later::{DelayedCall, call_later};
pub use looping::LoopingCall;
pub use reorder::start_reorder_check;
pub use threads::{FromThread, LoopCalls, defer_to_thread, loop_calls};
