//! Exercise 05: lines. A live inventory feed over TCP, framed as `\r\n`-delimited
//! lines: Twisted's `LineReceiver`, the tokio way.
//!
//! Five functions are yours to write, in this order (each `todo!()` names one):
//! 1. `CrlfLineCodec::decode` in [`codec`]: bytes in, lines out (steps 1 and 5).
//! 2. `CrlfLineCodec::encode` in [`codec`]: a line out, with `\r\n` (step 2).
//! 3. `StockMove::parse` in [`feed`]: what a line means (step 4).
//! 4. `FeedFactory::line_received` in [`server`]: one line in, one answer out (steps 3, 4, 6).
//! 5. `FeedFactory::serve` in [`server`]: the loop of one connection (steps 3 to 6).
//!
//! Everything else (the error types, the inventory, `StockMove` in `stock_move.rs`,
//! the factory's fields and constructors in `factory.rs`, the listening server) is
//! given.
//! Run `cargo xtask check 05-lines` after each one.

pub mod codec;
mod error;
mod factory;
pub mod feed;
mod inventory;
mod port;
pub mod server;
mod stock_move;

pub use codec::{CrlfLineCodec, DELIMITER, LineError, MAX_LENGTH};
pub use feed::{FeedError, Inventory, MAX_SKU_LENGTH, MAX_SKUS, StockMove, is_valid_sku};
pub use server::{FeedFactory, FeedServer, MAX_CONNECTIONS};
