//! What a query line means (RFC 1288, section 2.3): nothing about sockets here.

pub use crate::query_types::{Query, QueryError};

impl Query {
    // ANCHOR: parse
    /// Parses one query line, without its line end. Never panics, whatever the bytes.
    pub fn parse(line: &[u8]) -> Result<Query, QueryError> {
        // Bytes first: the checks hold for any input, even invalid UTF-8.
        if !line.is_ascii() {
            return Err(QueryError::NotAscii);
        }
        if line.iter().any(|&b| b.is_ascii_control() && b != b' ' && b != b'\t') {
            return Err(QueryError::ControlCharacter);
        }
        // ASCII without control characters: valid UTF-8, no error possible.
        let text = std::str::from_utf8(line).map_err(|_| QueryError::NotAscii)?;
        let words: Vec<&str> = text.split_ascii_whitespace().take(3).collect();
        let is_w = |word: &str| word.eq_ignore_ascii_case("/W");
        match words[..] {
            [] => Ok(Query::List { verbose: false }),
            [w] if is_w(w) => Ok(Query::List { verbose: true }),
            [name] => Ok(Query::target(name, false)),
            [w, name] if is_w(w) => Ok(Query::target(name, true)),
            _ => Err(QueryError::Usage),
        }
    }

    /// A user on this host, or a forwarding request if the word names a host.
    fn target(word: &str, verbose: bool) -> Query {
        if word.contains('@') {
            Query::Forward { target: word.to_owned() }
        } else {
            Query::User { name: word.to_owned(), verbose }
        }
    }
    // ANCHOR_END: parse
}
