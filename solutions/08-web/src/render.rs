//! Rendering a resource (Twisted's `Resource.render` and `Request.render`): the
//! method picks the `render_<METHOD>`, or the error that says why not.

use hyper::Method;
use hyper::header::{ALLOW, HeaderValue};

use crate::pages;
use crate::resource::{Request, Resource, Response, SUPPORTED_METHODS};

// ANCHOR: dispatch
/// Renders `request` with `resource`: its `render_<METHOD>` when it has one; HEAD
/// through GET with the body dropped but its length kept; a missing GET, HEAD or
/// POST is 405 with `Allow`; any other method 501.
pub async fn dispatch(resource: &dyn Resource, request: Request) -> Response {
    let method = request.head.method.clone();
    let methods = resource.methods();
    if methods.contains(&method) {
        return resource.render(&method, request).await;
    }
    if method == Method::HEAD && methods.contains(&Method::GET) {
        // Twisted's inherited render_HEAD: render GET. hyper knows the request was
        // HEAD: it sends the headers, with the Content-Length of this body, and
        // never the body itself.
        return resource.render(&Method::GET, request).await;
    }
    if !SUPPORTED_METHODS.contains(&method) {
        return pages::not_implemented(&method);
    }
    // Twisted lists HEAD first (every Resource inherits render_HEAD, and a
    // resource's own render_HEAD keeps the base class's place), then the rest in
    // the order they are written. HEAD only if it can be answered: GET or HEAD.
    let answers_head = methods.contains(&Method::GET) || methods.contains(&Method::HEAD);
    let mut allowed = Vec::with_capacity(methods.len() + 1);
    if answers_head {
        allowed.push(Method::HEAD);
    }
    allowed.extend(methods.iter().filter(|m| **m != Method::HEAD).cloned());
    let uri = request.head.uri.to_string();
    let mut response = pages::method_not_allowed(&uri, &method, &allowed);
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    let allow =
        HeaderValue::from_str(&names.join(", ")).expect("method names are tokens");
    response.headers_mut().insert(ALLOW, allow);
    response
}
// ANCHOR_END: dispatch
