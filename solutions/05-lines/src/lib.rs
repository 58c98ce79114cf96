//! Solution 05: lines. A live inventory feed over TCP, framed as `\r\n`-delimited
//! lines: Twisted's `LineReceiver`, the tokio way.
//!
//! - [`codec`]: framing, bytes in and lines out (`LineReceiver.dataReceived`,
//!   `delimiter`, `MAX_LENGTH`, `sendLine`).
//! - [`feed`]: what a line means: a stock move `SKU qty`, and the running totals.
//! - [`server`]: the factory that all connections share, the per-connection protocol
//!   loop (`lineReceived`, `lineLengthExceeded`) and the listening port.

pub mod codec;
pub mod feed;
pub mod server;

pub use codec::{CrlfLineCodec, DELIMITER, LineError, MAX_LENGTH};
pub use feed::{FeedError, Inventory, MAX_SKU_LENGTH, MAX_SKUS, StockMove, is_valid_sku};
pub use server::{FeedFactory, FeedServer, MAX_CONNECTIONS};
