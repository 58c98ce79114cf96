//! Rendering a resource (Twisted's `Resource.render` and `Request.render`): the
//! method picks the `render_<METHOD>`, or the error that says why not. Yours to
//! write.

use crate::resource::{Request, Resource, Response};

/// Renders `request` with `resource`: its `render_<METHOD>` when it has one; HEAD
/// through GET with the body dropped but its length kept; a missing GET, HEAD or
/// POST is 405 with `Allow`; any other method 501.
///
/// `Allow` lists the methods the resource answers, as Twisted prints them: HEAD
/// first when the resource can answer it (it has GET or HEAD: every Twisted
/// resource inherits a `render_HEAD`, listed before its own methods), then the
/// other [`Resource::methods`] in order, joined by `", "`. The pages themselves
/// are in [`crate::pages`].
pub async fn dispatch(resource: &dyn Resource, request: Request) -> Response {
    let _ = (resource, request);
    todo!("dispatch")
}
