//! The JSON inventory API, as resources on the tree. Given whole: reading a move's
//! body is yours (`read_move` in `body.rs`), and so are the tree and the dispatch
//! that get a request here.
//!
//! ```text
//! /                      Root: renders nothing itself (GET / is 404, as in Twisted)
//! └── inventory          InventoryResource: GET lists every SKU
//!     └── <SKU>          made on demand by get_child: SkuResource (GET one,
//!                        POST a move) or UnknownSku (404 with a JSON error)
//! ```

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::body::read_move;
use crate::inventory::{Inventory, MoveError};
use crate::resource::{Node, Rendering, Request, Resource, Response};

/// One SKU and its quantity, as the API shows it: `{"sku":"WIDGET-1","qty":10}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The SKU.
    pub sku: String,
    /// Its quantity on hand.
    pub qty: i64,
}

/// A stock move, the body of a POST: `{"delta": 5}` adds five, `{"delta": -2}`
/// takes two away. Other fields are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Move {
    /// How much to add (negative: take away).
    pub delta: i64,
}

impl Move {
    /// Parses a move: a JSON object whose `delta` is an integer that fits in `i64`.
    /// `None` for anything else, `[5]` included (serde's derive would read a struct
    /// from an array).
    pub fn from_json(bytes: &[u8]) -> Option<Move> {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).ok()?;
        serde_json::from_value(serde_json::Value::Object(object)).ok()
    }
}

/// An error the API answers with: a status and `{"error":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status line's code.
    pub status: StatusCode,
    /// What went wrong, for the `error` field.
    pub message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// The response: `status`, `Content-Type: application/json`, `{"error":"…"}`.
    pub fn into_response(self) -> Response {
        json(self.status, &serde_json::json!({ "error": self.message }))
    }
}

/// A JSON response: compact (`{"sku":"GADGET","qty":3}`), fields in declared order.
pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_vec(value).expect("API values always serialise");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let json = "application/json".parse().expect("valid");
    response.headers_mut().insert(CONTENT_TYPE, json);
    response
}

/// The tree of the inventory API, for a site to serve.
pub fn inventory_tree(inventory: Arc<Inventory>) -> Node {
    let mut root = Node::new(Root);
    root.put_child("inventory", Node::new(InventoryResource { inventory }));
    root
}

/// The root: a plain Twisted `Resource()` that renders no method itself.
struct Root;

impl Resource for Root {
    fn methods(&self) -> &'static [Method] {
        &[]
    }

    fn render(&self, _method: &Method, _request: Request) -> Rendering {
        unreachable!("the root renders no method")
    }
}

/// `/inventory`: lists every SKU; its children are the SKUs.
struct InventoryResource {
    inventory: Arc<Inventory>,
}

impl Resource for InventoryResource {
    fn methods(&self) -> &'static [Method] {
        &[Method::GET]
    }

    fn render(&self, _method: &Method, _request: Request) -> Rendering {
        let levels: Vec<StockLevel> = (self.inventory.list().into_iter())
            .map(|(sku, qty)| StockLevel { sku, qty })
            .collect();
        Box::pin(async move { json(StatusCode::OK, &levels) })
    }

    fn get_child(&self, segment: &str) -> Option<Arc<Node>> {
        // `/inventory/` asks for the child "": no SKU is empty, so that is the
        // plain 404 of a path with no resource, as in Twisted.
        if segment.is_empty() {
            return None;
        }
        let sku = segment.to_owned();
        let child = match self.inventory.get(&sku) {
            Some(_) => Node::new(SkuResource { inventory: self.inventory.clone(), sku }),
            None => Node::new(UnknownSku { sku }),
        };
        Some(Arc::new(child))
    }
}

/// `/inventory/<SKU>`: GET shows the SKU, POST moves stock.
struct SkuResource {
    inventory: Arc<Inventory>,
    sku: String,
}

impl Resource for SkuResource {
    fn methods(&self) -> &'static [Method] {
        &[Method::GET, Method::POST]
    }

    fn render(&self, method: &Method, request: Request) -> Rendering {
        let inventory = self.inventory.clone();
        let sku = self.sku.clone();
        let post = method == Method::POST;
        Box::pin(async move {
            let qty = if post {
                let step = read_move(request).await;
                step.and_then(|m| inventory.apply(&sku, m.delta).map_err(refusal))
            } else {
                (inventory.get(&sku))
                    .ok_or_else(|| refusal(MoveError::UnknownSku(sku.clone())))
            };
            match qty {
                Ok(qty) => json(StatusCode::OK, &StockLevel { sku, qty }),
                Err(err) => err.into_response(),
            }
        })
    }
}

/// `/inventory/<SKU>` for a SKU the inventory does not have: 404 with a JSON body
/// (Twisted's `NoResource` would answer HTML).
struct UnknownSku {
    sku: String,
}

impl Resource for UnknownSku {
    fn methods(&self) -> &'static [Method] {
        &[Method::GET, Method::POST]
    }

    fn render(&self, _method: &Method, _request: Request) -> Rendering {
        let error = refusal(MoveError::UnknownSku(self.sku.clone()));
        Box::pin(async move { error.into_response() })
    }
}

/// The status each refused move gets.
fn refusal(err: MoveError) -> ApiError {
    let status = match err {
        MoveError::UnknownSku(_) => StatusCode::NOT_FOUND,
        MoveError::OutOfRange { .. } => StatusCode::CONFLICT,
    };
    ApiError::new(status, err.to_string())
}
