//! Building responses: one body type for all of them, and the headers every answer
//! carries (the token travels in URLs: no referrer, no caching).

use std::io;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{
    CACHE_CONTROL, CONNECTION, CONTENT_TYPE, HeaderValue, REFERRER_POLICY, UPGRADE, X_CONTENT_TYPE_OPTIONS,
};
use hyper::{Response, StatusCode};

/// Every response the room sends.
pub type Reply = Response<BoxBody<Bytes, io::Error>>;

/// A whole body in memory.
pub fn full(body: impl Into<Bytes>) -> BoxBody<Bytes, io::Error> {
    Full::new(body.into()).map_err(|never| match never {}).boxed()
}

/// A response with `status`, `content_type` and `body`, and the common headers.
pub fn with(status: StatusCode, content_type: &'static str, body: BoxBody<Bytes, io::Error>) -> Reply {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Plain text.
pub fn text(status: StatusCode, body: &str) -> Reply {
    with(status, "text/plain; charset=utf-8", full(body.to_owned()))
}

/// JSON, 200.
pub fn json(body: String) -> Reply {
    with(StatusCode::OK, "application/json", full(body))
}

/// 204, no body.
pub fn no_content() -> Reply {
    let mut reply = text(StatusCode::NO_CONTENT, "");
    reply.headers_mut().remove(CONTENT_TYPE);
    reply
}

/// 101 to a WebSocket handshake, with its accept key.
pub fn switching_protocols(accept: &str) -> Reply {
    let mut reply = no_content();
    *reply.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = reply.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(accept) {
        headers.insert("sec-websocket-accept", accept);
    }
    reply
}
