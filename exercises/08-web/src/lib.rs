//! Exercise 08: web. Twisted Web's resource tree and its `render` dispatch, written
//! on hyper, serving a JSON inventory API.
//!
//! Six functions are yours to write, in this order (each `todo!()` names one):
//! 1. `Node::get_child_with_default` in [`tree`]: a static child, else a dynamic one
//!    (step 1).
//! 2. `get_child_for_request` in [`tree`]: the walk from the root, down to a leaf
//!    or to the end of the path (step 1).
//! 3. `dispatch` in [`render`]: `render_<METHOD>`, HEAD, 405 and 501 (steps 2, 3).
//! 4. `Site::handle` in [`site`]: one hyper request in, one response out (steps 2-7).
//! 5. `Site::serve_connection` in [`site`]: HTTP/1.1 on one connection, with its
//!    limits and timeouts (steps 2-7).
//! 6. `read_move` in [`body`]: a POST's body, checked before and while reading it
//!    (steps 5, 7).
//!
//! Everything else (the resource trait, the error pages, the inventory and its API
//! resources, the listening port) is given. Run `cargo xtask check 08-web` after
//! each one.

pub mod api;
pub mod body;
pub mod inventory;
pub mod pages;
mod port;
pub mod render;
pub mod resource;
pub mod site;
mod site_limits;
pub mod tree;

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
