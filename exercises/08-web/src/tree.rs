//! The walk down the resource tree (Twisted's `getChildWithDefault` and
//! `getChildForRequest`). Yours to write.

use std::sync::Arc;

use crate::resource::{Node, Walk};

impl Node {
    /// The child named `segment`: a static one registered with `put_child` first,
    /// else whatever the resource's `get_child` makes; `None` means 404.
    pub fn get_child_with_default(&self, segment: &str) -> Option<Arc<Node>> {
        let _ = segment;
        todo!("Node::get_child_with_default")
    }
}

/// Walks from `root` along `path` (`/inventory/WIDGET-1`), one segment at a time,
/// until the segments run out or a leaf stops the walk. `None` when a segment has
/// no child (404).
///
/// Twisted splits the path after its leading `/` on every `/`: `/` is one empty
/// segment, and a trailing slash adds one. The root itself is never the answer.
pub fn get_child_for_request(root: &Arc<Node>, path: &str) -> Option<Walk> {
    let _ = (root, path);
    todo!("get_child_for_request")
}
