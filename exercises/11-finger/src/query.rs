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
    /// Parses one query line, without its line end (the server has taken off the
    /// `\n` and a `\r` before it). Never panics, whatever the bytes.
    ///
    /// In this order (the first problem found is the one reported):
    /// 1. A byte that is not ASCII: [`QueryError::NotAscii`] (`<[u8]>::is_ascii`).
    /// 2. A control character other than a space or a tab:
    ///    [`QueryError::ControlCharacter`] (`u8::is_ascii_control` counts the tab
    ///    as one, so let it through).
    /// 3. The words, split on spaces and tabs (`split_ascii_whitespace`):
    ///    - none: `List { verbose: false }` (RFC 1288's `{C}`: list the users);
    ///    - `/W` alone (`/w` too): `List { verbose: true }`;
    ///    - one word: that user, `verbose: false`;
    ///    - `/W` and one word: that user, `verbose: true`;
    ///    - anything else: [`QueryError::Usage`].
    ///
    ///    A user word that contains `@` (`bob@example.com`, `@example.com`) is
    ///    `Forward { target }` instead, with or without `/W`.
    pub fn parse(line: &[u8]) -> Result<Query, QueryError> {
        todo!("Query::parse({:?})", String::from_utf8_lossy(line))
    }
}
