//! Solution 03: deferreds.
//!
//! Twisted's `Deferred` in Rust: a result that is not there yet, plus a chain of
//! callbacks and errbacks that run the moment it arrives.
//!
//! - [`outcome`]: what a callback hands to the next link (a value, an error, or
//!   "wait for this other deferred").
//! - [`deferred`]: the chain itself: adding links, firing it once, running it.
//! - [`list`]: waiting for many deferreds at once (`gatherResults`, `DeferredList`).
//! - [`future`]: a `Deferred` is also a `Future`, so `d.await` works.

pub mod deferred;
pub mod future;
pub mod list;
// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/03-deferreds/src/outcome.rs"]
pub mod outcome;

pub use deferred::{AlreadyCalled, Deferred};
pub use list::{deferred_list, gather_results};
pub use outcome::Outcome;
