//! What a query line means (RFC 1288, section 2.3): nothing about sockets here.

use std::fmt;

// ANCHOR: query
/// One finger query, the line a client sends (without its line end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// An empty line (`{C}`) or `/W`: list the users, with their status if verbose.
    List {
        /// `/W` was given: the "whois" long form.
        verbose: bool,
    },
    /// `user` or `/W user`: one user's status.
    User {
        /// The user name as sent.
        name: String,
        /// `/W` was given: the long form.
        verbose: bool,
    },
    /// `user@host`, `@host` or `/W user@host`: ask another host (`{Q2}`). This
    /// server refuses, as RFC 1288 lets it ("Finger forwarding service denied").
    Forward {
        /// Everything after an optional `/W`, `@` included.
        target: String,
    },
}

/// Why a line is not a query. Its `Display` is the answer the client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// A byte is not ASCII (RFC 1288 queries are ASCII).
    NotAscii,
    /// A control character other than a space or a tab (`\0`, a lone `\r`, ESC…).
    ControlCharacter,
    /// More than two words, or two words the first of which is not `/W`.
    Usage,
}
// ANCHOR_END: query

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::NotAscii => write!(f, "Query must be ASCII"),
            QueryError::ControlCharacter => write!(f, "Query has a control character"),
            QueryError::Usage => write!(f, "Usage: [/W] [user]"),
        }
    }
}

impl std::error::Error for QueryError {}

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
