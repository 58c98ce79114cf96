//! The JSON API (chapter 08's ideas, on `parts::http`): what the ERP and the
//! dashboard page read. Given whole.
//!
//! ```text
//! GET /inventory        200 [{"sku":"A","qty":1},…]   sorted by SKU
//! GET /inventory/SKU    200 {"sku":"A","qty":1}  |  404 {"error":"unknown sku"}
//! GET /alerts           200 [{"sku":"A","qty":3,"threshold":10},…]   oldest first
//! GET /live             200 ok
//! GET /ready            200 ready  |  503 draining
//! GET /                 the dashboard page
//! ```

use std::sync::Arc;

use hyper::StatusCode;
use parts::http::{self, Handler, HttpMethod as Method};

use crate::page::dashboard_page;
use crate::service::Service;

/// The API's routes, reading `service`; the page's WebSocket goes to port
/// `dashboards_port` of the host the page came from.
pub fn routes(service: Arc<Service>, dashboards_port: u16) -> Handler {
    let page = dashboard_page(dashboards_port);
    Arc::new(move |method: &Method, path: &str| {
        let known = matches!(path, "/" | "/inventory" | "/alerts" | "/live" | "/ready")
            || path.starts_with("/inventory/");
        if !known {
            return http::not_found();
        }
        if method != Method::GET {
            return http::method_not_allowed();
        }
        match path {
            "/" => http::html(&page),
            "/inventory" => http::json(StatusCode::OK, &service.levels()),
            "/alerts" => http::json(StatusCode::OK, &service.alerts()),
            "/live" => http::text(StatusCode::OK, "ok"),
            "/ready" if service.is_ready() => http::text(StatusCode::OK, "ready"),
            "/ready" => http::text(StatusCode::SERVICE_UNAVAILABLE, "draining"),
            _ => {
                let sku = &path["/inventory/".len()..];
                match service.level(sku) {
                    Some(level) => http::json(StatusCode::OK, &level),
                    None => http::error(StatusCode::NOT_FOUND, "unknown sku"),
                }
            }
        }
    })
}
