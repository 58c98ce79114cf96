//! The feed's connection limit and [`FeedFactory`], what every connection shares:
//! the inventory and the line limit, with the methods that are given. Given whole.
//!
//! `FeedFactory::line_received` and `FeedFactory::serve` are yours to write in
//! `server.rs`, in another `impl FeedFactory` block.

use std::sync::{Arc, Mutex, PoisonError};

use crate::codec::MAX_LENGTH;
use crate::feed::Inventory;

/// How many clients may be connected at once; a newcomer beyond that is told
/// [`BUSY`](crate::port::BUSY) and closed (see `port.rs`). Below macOS's default
/// limit of 256 open files (Linux's is 1,024), so the server reaches it before
/// running out of descriptors, when it could no longer accept a newcomer even to
/// say no.
pub const MAX_CONNECTIONS: usize = 200;

// ANCHOR: factory
/// The factory (Twisted's `Factory`): what all connections share, handed to each
/// new connection as a cheap clone.
///
/// The inventory lives behind `Arc<Mutex<…>>`: `Arc` because every connection task
/// holds it, `Mutex` because they all update it. A std `Mutex` is right here: it is
/// only held for a few instructions, never across an `.await`.
#[derive(Debug, Clone)]
pub struct FeedFactory {
    pub(crate) inventory: Arc<Mutex<Inventory>>,
    pub(crate) max_length: usize,
}
// ANCHOR_END: factory

impl FeedFactory {
    /// A factory with an empty inventory that accepts lines of up to [`MAX_LENGTH`] bytes.
    pub fn new() -> Self {
        Self::with_max_length(MAX_LENGTH)
    }

    /// A factory whose connections accept lines of up to `max_length` bytes.
    pub fn with_max_length(max_length: usize) -> Self {
        Self { inventory: Arc::new(Mutex::new(Inventory::new())), max_length }
    }

    /// The longest line a connection accepts, in bytes.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// The current total of `sku` (0 if it never moved), e.g. for a status page.
    pub fn total(&self, sku: &str) -> i64 {
        self.inventory.lock().unwrap_or_else(PoisonError::into_inner).total(sku)
    }
}

impl Default for FeedFactory {
    fn default() -> Self {
        Self::new()
    }
}
