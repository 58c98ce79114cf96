//! The HTML error pages Twisted's server sends, byte for byte (its `ErrorPage`
//! template, `NoResource`, and the 405 and 501 pages of `Request.render`), so the
//! two servers answer alike. Given whole.
//!
//! The pages are bodies only: headers such as `Allow` are the dispatcher's job.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::CONTENT_TYPE;
use hyper::{Method, StatusCode};

use crate::resource::Response;

/// Twisted's error page template: status, a short title, one paragraph.
pub fn error_page(status: StatusCode, brief: &str, detail: &str) -> Response {
    let code = status.as_u16();
    let body = format!(
        "\n<html>\n  <head><title>{code} - {brief}</title></head>\n  <body>\n    \
         <h1>{brief}</h1>\n    <p>{detail}</p>\n  </body>\n</html>\n"
    );
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, "text/html; charset=utf-8".parse().expect("valid"));
    response
}

/// 404, for a path with no resource (Twisted's `NoResource`).
pub fn no_resource() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "No Such Resource",
        "Sorry. No luck finding that resource.",
    )
}

/// 405's page for `method` on `uri`, naming the `allowed` methods in the order
/// given. The `Allow` header is not set here.
pub fn method_not_allowed(uri: &str, method: &Method, allowed: &[Method]) -> Response {
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    let plural = if allowed.len() > 1 { "s" } else { "" };
    let detail = format!(
        "Your browser approached me (at {}) with the method \"{}\".  \
         I only allow the method{plural} {} here.",
        escape(uri),
        method.as_str(),
        names.join(", "),
    );
    error_page(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", &detail)
}

/// 501's page, for a method the server does not know at all.
pub fn not_implemented(method: &Method) -> Response {
    let detail =
        format!("I don't know how to treat a {} request.", escape(method.as_str()));
    error_page(StatusCode::NOT_IMPLEMENTED, "Huh?", &detail)
}

/// Python's `html.escape`: the request's own text must not become markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
