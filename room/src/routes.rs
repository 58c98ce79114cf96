//! Every request, answered: the token first, then the route.

use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{
    CONNECTION, CONTENT_LENGTH, HeaderValue, RETRY_AFTER, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, SET_COOKIE, UPGRADE,
};
use hyper::{Method, Request, StatusCode};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use crate::app::{App, unix_now};
use crate::files;
use crate::page;
use crate::push;
use crate::reply::{self, Reply};
use crate::verdict::{self, Rejection};

/// The largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 4096;
/// How long a body may take once its headers have arrived.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Answers one request.
pub async fn handle(app: App, request: Request<Incoming>) -> Reply {
    let (head, body) = request.into_parts();
    if !app.token.admits(&head) {
        return reply::text(StatusCode::UNAUTHORIZED, "wrong or missing token");
    }
    // A page opened with `?token=` keeps it in a cookie, so that the book's own
    // links (which carry no token) work too.
    let set_cookie = head.method == Method::GET && crate::token::query_token(head.uri.query().unwrap_or("")).is_some();
    let mut reply = route(app.clone(), head, body).await;
    let cookie = app.token.cookie().and_then(|c| HeaderValue::from_str(&c).ok());
    if let Some(cookie) = cookie.filter(|_| set_cookie && reply.status() != StatusCode::SWITCHING_PROTOCOLS) {
        reply.headers_mut().insert(SET_COOKIE, cookie);
    }
    reply
}

async fn route(app: App, head: hyper::http::request::Parts, body: Incoming) -> Reply {
    let path = head.uri.path();
    match (&head.method, path) {
        (&Method::POST, "/api/join" | "/api/leave" | "/api/verdict") => {
            let body = match read_body(&head, body, app.limits.body_read_timeout).await {
                Ok(body) => body,
                Err(reply) => return reply,
            };
            match path {
                "/api/join" => join(&app, &body),
                "/api/leave" => leave(&app, &body),
                _ => post_verdict(&app, &body),
            }
        }
        (&Method::GET, "/api/room") => reply::json(app.view_json().to_string()),
        (&Method::GET, "/") => page::page(),
        (&Method::GET, "/ws") => upgrade(app, Request::from_parts(head, body)),
        (&Method::GET, "/bundle.tar") => match &app.bundle {
            Some(bundle) => files::send(bundle).await,
            None => reply::text(StatusCode::NOT_FOUND, "this room serves no bundle\n"),
        },
        (&Method::GET, _) if path == "/book" || path.starts_with("/book/") => match &app.book {
            Some(book) => files::from_folder(book, path.strip_prefix("/book").unwrap_or_default()).await,
            None => reply::text(StatusCode::NOT_FOUND, "this room serves no book\n"),
        },
        (_, "/api/join" | "/api/leave" | "/api/verdict" | "/api/room" | "/" | "/ws" | "/bundle.tar") => {
            reply::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
        }
        _ => reply::text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// The body, at most [`MAX_BODY_BYTES`] (413 beyond, without reading a declared
/// oversized one), within `timeout` (408).
async fn read_body(head: &hyper::http::request::Parts, body: Incoming, timeout: Duration) -> Result<Vec<u8>, Reply> {
    let too_large = || reply::text(StatusCode::PAYLOAD_TOO_LARGE, &format!("body over {MAX_BODY_BYTES} bytes\n"));
    let declared = head.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(timeout, Limited::new(body, MAX_BODY_BYTES).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes().to_vec()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(reply::text(StatusCode::BAD_REQUEST, "body cut short\n")),
        Err(_) => Err(reply::text(StatusCode::REQUEST_TIMEOUT, "body too slow\n")),
    }
}

fn rejected(rejection: Rejection) -> Reply {
    let status = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST);
    reply::text(status, &format!("{}\n", rejection.message))
}

fn too_many() -> Reply {
    let mut reply = reply::text(StatusCode::TOO_MANY_REQUESTS, "too many requests for this name: at most 5 a second\n");
    reply.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
    reply
}

fn full() -> Reply {
    reply::text(StatusCode::FORBIDDEN, "the room is full\n")
}

fn join(app: &App, body: &[u8]) -> Reply {
    let name = match verdict::parse_name(body) {
        Ok(name) => name,
        Err(rejection) => return rejected(rejection),
    };
    if !app.allow(&name) {
        return too_many();
    }
    if app.room().join(&name, unix_now()).is_err() {
        return full();
    }
    app.touch();
    reply::no_content()
}

fn leave(app: &App, body: &[u8]) -> Reply {
    let name = match verdict::parse_name(body) {
        Ok(name) => name,
        Err(rejection) => return rejected(rejection),
    };
    if !app.allow(&name) {
        return too_many();
    }
    app.room().leave(&name);
    app.touch();
    reply::no_content()
}

fn post_verdict(app: &App, body: &[u8]) -> Reply {
    let verdict = {
        let room = app.room();
        verdict::parse_verdict(body, room.exercises())
    };
    let verdict = match verdict {
        Ok(verdict) => verdict,
        Err(rejection) => return rejected(rejection),
    };
    if !app.allow(&verdict.name) {
        return too_many();
    }
    if app.room().record(&verdict, unix_now()).is_err() {
        return full();
    }
    app.touch();
    reply::no_content()
}

/// Answers a WebSocket opening handshake with 101 and serves the live page on the
/// upgraded connection; 400 for anything else, 503 when the most live pages
/// ([`crate::app::MAX_VIEWERS`]) are open.
fn upgrade(app: App, mut request: Request<Incoming>) -> Reply {
    let headers = request.headers();
    let has = |name, value: &str| {
        headers
            .get_all(name)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.split(',').any(|part| part.trim().eq_ignore_ascii_case(value))))
    };
    let key = headers.get(SEC_WEBSOCKET_KEY).map(|key| derive_accept_key(key.as_bytes()));
    let (true, true, true, Some(accept)) =
        (has(UPGRADE, "websocket"), has(CONNECTION, "upgrade"), has(SEC_WEBSOCKET_VERSION, "13"), key)
    else {
        return reply::text(StatusCode::BAD_REQUEST, "expected a WebSocket handshake (version 13)\n");
    };
    let Ok(permit) = app.viewers.clone().try_acquire_owned() else {
        return reply::text(StatusCode::SERVICE_UNAVAILABLE, "too many live pages open\n");
    };
    let upgrading = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        if let Ok(upgraded) = upgrading.await {
            push::serve_viewer(app, upgraded).await;
        }
        drop(permit);
    });
    reply::switching_protocols(&accept)
}
