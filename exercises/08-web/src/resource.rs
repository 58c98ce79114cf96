//! The resource tree's parts (Twisted's `IResource` and `Resource`). Given whole.
//!
//! A [`Node`] is one place in the tree: a [`Resource`] that renders, plus the static
//! children `put_child` registered under it. Finding a child and walking the tree
//! are yours, in `tree.rs`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Method;
use hyper::body::Incoming;

/// A response: headers and a body that is already complete (what a Twisted
/// `render_GET` returns as `bytes`).
pub type Response = hyper::Response<Full<Bytes>>;

/// A response still being produced (Twisted's `NOT_DONE_YET` and the `Deferred`
/// that will finish it). Dropping it stops the work.
pub type Rendering = Pin<Box<dyn Future<Output = Response> + Send>>;

/// The methods Twisted's server knows (`twisted.web.server.supportedMethods`): a
/// resource that lacks one of these answers 405, any other method gets 501.
pub const SUPPORTED_METHODS: [Method; 3] = [Method::GET, Method::HEAD, Method::POST];

/// One request as a resource sees it: hyper's head and body, plus where the walk
/// stopped (Twisted's `request.prepath` and `request.postpath`).
#[derive(Debug)]
pub struct Request {
    /// Method, URI, headers (hyper's request head).
    pub head: hyper::http::request::Parts,
    /// The body, not read yet: the resource decides how much of it to read.
    pub body: Incoming,
    /// The segments the walk consumed, in order.
    pub prepath: Vec<String>,
    /// The segments left when the walk stopped (non-empty only below a leaf).
    pub postpath: Vec<String>,
}

// ANCHOR: resource
/// Something that can be rendered, at one place in the tree (Twisted's
/// `resource.Resource`).
pub trait Resource: Send + Sync + 'static {
    /// The methods this resource renders, in the order its `render_*` methods are
    /// written (Twisted finds them by name; Rust asks). HEAD is never listed unless
    /// the resource renders HEAD itself: every Twisted `Resource` inherits a
    /// `render_HEAD` that calls `render_GET`.
    fn methods(&self) -> &'static [Method];

    /// Renders one of [`Resource::methods`] (Twisted's `render_<METHOD>`). Only ever
    /// called with a method from that list.
    fn render(&self, method: &Method, request: Request) -> Rendering;

    /// A child made on demand for `segment` (Twisted's `getChild`), consulted only
    /// when no static child has that name. `None`, the default, means 404.
    fn get_child(&self, segment: &str) -> Option<Arc<Node>> {
        let _ = segment;
        None
    }

    /// A leaf ends the walk: the segments left stay in `postpath` for it to read
    /// (Twisted's `isLeaf`).
    fn is_leaf(&self) -> bool {
        false
    }
}
// ANCHOR_END: resource

// ANCHOR: walk
/// Where a walk down the tree stopped (Twisted's `getChildForRequest`).
#[derive(Debug)]
pub struct Walk {
    /// The node that will render the request.
    pub node: Arc<Node>,
    /// The segments consumed on the way, in order (Twisted's `request.prepath`).
    pub prepath: Vec<String>,
    /// The segments left when a leaf stopped the walk (Twisted's `request.postpath`).
    pub postpath: Vec<String>,
}
// ANCHOR_END: walk

// ANCHOR: node
/// One node of the tree: a resource and the static children registered under it.
pub struct Node {
    pub(crate) resource: Arc<dyn Resource>,
    pub(crate) children: HashMap<String, Arc<Node>>,
}

impl Node {
    /// A node with no static children.
    pub fn new(resource: impl Resource) -> Self {
        Self { resource: Arc::new(resource), children: HashMap::new() }
    }

    /// A node for a resource that is also held elsewhere (a test that checks
    /// which resource a walk found, or one resource at two places in the tree).
    pub fn shared(resource: Arc<dyn Resource>) -> Self {
        Self { resource, children: HashMap::new() }
    }

    /// Registers `child` under the single path segment `segment` (Twisted's
    /// `putChild`). The segment `""` is what a trailing slash asks for.
    pub fn put_child(&mut self, segment: &str, child: Node) {
        self.children.insert(segment.to_owned(), Arc::new(child));
    }

    /// This node's resource.
    pub fn resource(&self) -> &Arc<dyn Resource> {
        &self.resource
    }
}

// ANCHOR_END: node

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut children: Vec<_> = self.children.keys().collect();
        children.sort();
        f.debug_struct("Node").field("children", &children).finish_non_exhaustive()
    }
}
