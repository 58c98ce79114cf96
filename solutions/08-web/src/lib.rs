//! Solution 08: web. Twisted Web's resource tree and its `render` dispatch, written
//! on hyper, serving a JSON inventory API.
//!
//! - [`tree`]: the walk (`getChildWithDefault`, `getChildForRequest`, `isLeaf`).
//! - [`render`]: `render_<METHOD>`, HEAD through GET, 405 with `Allow`, 501.
//! - [`site`]: HTTP/1.1 on each connection, with its limits and timeouts
//!   (`server.Site`).
//! - [`body`]: a POST's body, checked before and while it is read.
//! - Given in the exercise and included here: [`resource`] (the trait and the
//!   node), [`pages`] (Twisted's error pages), [`inventory`], [`api`] (the JSON
//!   resources) and the listening port.

pub mod body;
pub mod render;
pub mod site;
pub mod tree;

// Given whole in the exercise; included, not copied.
#[path = "../../../exercises/08-web/src/api.rs"]
pub mod api;
#[path = "../../../exercises/08-web/src/inventory.rs"]
pub mod inventory;
#[path = "../../../exercises/08-web/src/pages.rs"]
pub mod pages;
#[path = "../../../exercises/08-web/src/port.rs"]
mod port;
#[path = "../../../exercises/08-web/src/resource.rs"]
pub mod resource;
#[path = "../../../exercises/08-web/src/site_limits.rs"]
mod site_limits;

pub use api::{ApiError, Move, StockLevel, inventory_tree};
pub use body::{BODY_READ_TIMEOUT, MAX_BODY_BYTES, read_move};
pub use inventory::{Inventory, MoveError};
pub use port::{BUSY, MAX_CONNECTIONS, WebServer};
pub use render::dispatch;
pub use resource::{
    Node, Rendering, Request, Resource, Response, SUPPORTED_METHODS, Walk,
};
pub use site::{HEADER_READ_TIMEOUT, MAX_HEADER_BYTES, Site};
pub use tree::get_child_for_request;
