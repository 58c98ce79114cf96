//! Solution 05: lines. A live inventory feed over TCP, framed as `\r\n`-delimited
//! lines: Twisted's `LineReceiver`, the tokio way.
//!
//! - [`codec`]: framing, bytes in and lines out (`LineReceiver.dataReceived`,
//!   `delimiter`, `MAX_LENGTH`, `sendLine`).
//! - [`feed`]: what a line means: a stock move `SKU qty`.
//! - `inventory`: the running totals every connection shares.
//! - `error`: why a line was refused, by the codec or by the feed.
//! - [`server`]: the factory that all connections share and the per-connection
//!   protocol loop (`lineReceived`, `lineLengthExceeded`).
//! - `factory`: [`FeedFactory`]'s fields and constructors, given.
//! - `port`: the listening port, [`FeedServer`].

pub mod codec;
pub mod feed;
pub mod server;

// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/05-lines/src/error.rs"]
mod error;
#[path = "../../../exercises/05-lines/src/factory.rs"]
mod factory;
#[path = "../../../exercises/05-lines/src/inventory.rs"]
mod inventory;
#[path = "../../../exercises/05-lines/src/port.rs"]
mod port;
#[path = "../../../exercises/05-lines/src/stock_move.rs"]
mod stock_move;

pub use codec::{CrlfLineCodec, DELIMITER, LineError, MAX_LENGTH};
pub use feed::{FeedError, Inventory, MAX_SKU_LENGTH, MAX_SKUS, StockMove, is_valid_sku};
pub use server::{FeedFactory, FeedServer, MAX_CONNECTIONS};
