//! The room's one secret: every request carries it, as `Authorization: Bearer T` or,
//! for a GET (a browser cannot set headers on a link or a WebSocket), `?token=T`, or
//! the cookie a page opened with `?token=T` was given (so the served book's own
//! links, which carry no token, work too).

use hyper::Method;
use hyper::header::{AUTHORIZATION, COOKIE as COOKIE_HEADER};
use hyper::http::request::Parts;

/// The token the room was started with.
#[derive(Clone)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)") // never in a log
    }
}

impl Token {
    /// The room's token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// Whether `candidate` is the token, in time that does not depend on where they
    /// first differ (so the answer's timing does not leak it a byte at a time).
    pub fn matches(&self, candidate: &[u8]) -> bool {
        constant_time_eq(self.0.as_bytes(), candidate)
    }

    /// Whether a request carries the token: the bearer header, or the query
    /// string for GETs.
    pub fn admits(&self, head: &Parts) -> bool {
        if let Some(given) = head.headers.get(AUTHORIZATION).and_then(|v| v.as_bytes().strip_prefix(b"Bearer ")) {
            return self.matches(given);
        }
        if head.method != Method::GET {
            return false;
        }
        if let Some(given) = query_token(head.uri.query().unwrap_or("")) {
            return self.matches(&given);
        }
        cookie_token(head).is_some_and(|given| self.matches(given))
    }

    /// A `Set-Cookie` value that lets the browser follow the book's own links
    /// (which do not carry `?token=`), or `None` for a token unfit for a cookie.
    pub fn cookie(&self) -> Option<String> {
        let fits = self.0.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
        fits.then(|| format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", self.0))
    }
}

/// The cookie's name.
const COOKIE: &str = "untwisted_room";

/// The token in a `Cookie: untwisted_room=T` header.
fn cookie_token(head: &Parts) -> Option<&[u8]> {
    head.headers.get_all(COOKIE_HEADER).iter().find_map(|value| {
        value.as_bytes().split(|&b| b == b';').find_map(|pair| {
            let pair = pair.trim_ascii();
            pair.strip_prefix(COOKIE.as_bytes())?.strip_prefix(b"=")
        })
    })
}

/// The (percent-decoded) value of `token=` in a query string.
pub fn query_token(query: &str) -> Option<Vec<u8>> {
    query.split('&').find_map(|pair| pair.strip_prefix("token=")).map(percent_decode)
}

/// `%41` becomes `A` and `+` a space; a malformed escape is kept as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Compares two byte strings without stopping at the first difference. Only the
/// length leaks, and the room's token length is no secret worth keeping.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box: the optimizer may not turn the fold back into an early exit.
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(method: &str, uri: &str, auth: Option<&str>) -> Parts {
        let mut request = hyper::Request::builder().method(method).uri(uri);
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        request.body(()).unwrap().into_parts().0
    }

    #[test]
    fn the_token_is_admitted_from_the_header_or_a_get_query_only() {
        let token = Token::new("0123456789abcdef");
        assert!(token.admits(&head("POST", "/api/join", Some("Bearer 0123456789abcdef"))));
        assert!(token.admits(&head("GET", "/?token=0123456789abcdef", None)));
        assert!(token.admits(&head("GET", "/ws?x=1&token=%30123456789abcdef", None)));
        assert!(!token.admits(&head("POST", "/api/join?token=0123456789abcdef", None)));
        assert!(!token.admits(&head("POST", "/api/join", Some("Bearer 0123456789abcdeF"))));
        assert!(!token.admits(&head("POST", "/api/join", Some("Basic 0123456789abcdef"))));
        assert!(!token.admits(&head("GET", "/?token=0123456789abcde", None)));
        assert!(!token.admits(&head("GET", "/?token=", None)));
        assert!(!token.admits(&head("GET", "/", None)));
        assert!(!token.admits(&head("GET", "/?token=%zz%", None)));
        assert_eq!(format!("{token:?}"), "Token(..)");
        let mut with_cookie = head("GET", "/book/x.html", None);
        with_cookie.headers.insert(COOKIE_HEADER, "a=b; untwisted_room=0123456789abcdef".parse().unwrap());
        assert!(token.admits(&with_cookie));
        with_cookie.headers.insert(COOKIE_HEADER, "untwisted_room=0123456789abcdeX".parse().unwrap());
        assert!(!token.admits(&with_cookie));
        assert!(Token::new("0123456789abcdef").cookie().is_some());
        assert!(Token::new("0123456789abcdef;x").cookie().is_none());
    }

    #[test]
    fn comparison_sees_every_byte() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert_eq!(percent_decode("a%2Fb+c%"), b"a/b c%");
    }
}
