//! Exercise 10: a WebSocket hub that pushes stock moves to live dashboards
//! (autobahn's `WebSocketServerProtocol` with a broadcast factory, the tokio way).
//!
//! Eight functions are yours to write, in this order (each `todo!()` names one):
//! 1. `session::accept`: the opening handshake, keeping the Origin (step 1).
//! 2. `session::close_for`: which close code answers which failure (steps 1, 6).
//! 3. `session::echo`: the echo endpoint (step 1).
//! 4. `Hub::register` and `Hub::unregister` in [`hub`] (steps 2, 3).
//! 5. `Hub::publish` and `Subscription::next` in [`hub`] (steps 2 to 4).
//! 6. `session::dashboard`: one dashboard's connection (steps 2, 3, 5, 6).
//!
//! Everything else (the inventory, the messages, the policy, the hub's types in
//! `hub_state`, the listening server with its page and feed and its web stream,
//! the recording client) is given.
//! Run `cargo xtask check 10-websocket` after each one.

pub mod client;
pub mod hub;
mod hub_state;
pub mod inventory;
pub mod message;
mod page;
pub mod policy;
pub mod server;
pub mod session;
pub mod stream;

pub use hub::{ClientId, Hub, Subscription};
pub use inventory::{Inventory, MoveError, StockMove};
pub use message::{Interest, Push};
pub use page::DASHBOARD_PAGE;
pub use policy::Policy;
pub use server::Server;
