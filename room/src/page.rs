//! The live page: plain HTML, CSS and JavaScript built into the binary. Its script
//! and style carry a fresh nonce each time, and the Content-Security-Policy allows
//! nothing else (no inline handlers, no images, no other origin), a second wall
//! behind building the DOM from text.

use std::hash::{BuildHasher, Hasher};

use hyper::StatusCode;
use hyper::header::{CONTENT_SECURITY_POLICY, HeaderValue};

use crate::reply::{self, Reply};

/// The page, with `{{nonce}}` where the nonce goes.
const PAGE: &str = include_str!("page.html");

/// GET /: the page with a new nonce and its policy.
pub fn page() -> Reply {
    let nonce = nonce();
    let mut reply =
        reply::with(StatusCode::OK, "text/html; charset=utf-8", reply::full(PAGE.replace("{{nonce}}", &nonce)));
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        reply.headers_mut().insert(CONTENT_SECURITY_POLICY, policy);
    }
    reply
}

/// 128 unpredictable bits as hex: std's hasher is keyed from the OS's randomness
/// once per process, then per `RandomState`.
fn nonce() -> String {
    let word = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        hasher.finish()
    };
    format!("{:016x}{:016x}", word(), word())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_builds_attendee_data_as_text_only() {
        assert!(
            !PAGE.contains("innerHTML") && !PAGE.contains("insertAdjacentHTML") && !PAGE.contains("document.write")
        );
        assert!(PAGE.contains("textContent"));
        assert_ne!(nonce(), nonce());
        assert_eq!(nonce().len(), 32);
    }
}
