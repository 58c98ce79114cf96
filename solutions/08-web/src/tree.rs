//! The walk down the resource tree (Twisted's `getChildWithDefault` and
//! `getChildForRequest`).

use std::sync::Arc;

use crate::resource::{Node, Walk};

impl Node {
    // ANCHOR: get_child_with_default
    /// The child named `segment`: a static one registered with `put_child` first,
    /// else whatever the resource's `get_child` makes; `None` means 404.
    pub fn get_child_with_default(&self, segment: &str) -> Option<Arc<Node>> {
        match self.children.get(segment) {
            Some(child) => Some(child.clone()),
            None => self.resource.get_child(segment),
        }
    }
    // ANCHOR_END: get_child_with_default
}

// ANCHOR: get_child_for_request
/// Walks from `root` along `path` (`/inventory/WIDGET-1`), one segment at a time,
/// until the segments run out or a leaf stops the walk. `None` when a segment has
/// no child (404).
pub fn get_child_for_request(root: &Arc<Node>, path: &str) -> Option<Walk> {
    // Twisted: `postpath = path[1:].split(b"/")`. "/" is one empty segment, and a
    // trailing slash adds one: `/inventory/` asks `inventory` for its child "".
    let mut postpath: Vec<String> = path
        .strip_prefix('/')
        .unwrap_or(path)
        .split('/')
        .rev()
        .map(str::to_owned)
        .collect(); // reversed, so the next segment is a cheap pop()
    let mut prepath = Vec::new();
    let mut node = root.clone();
    while !node.resource.is_leaf() {
        let Some(segment) = postpath.pop() else { break };
        node = node.get_child_with_default(&segment)?;
        prepath.push(segment);
    }
    postpath.reverse();
    Some(Walk { node, prepath, postpath })
}
// ANCHOR_END: get_child_for_request
