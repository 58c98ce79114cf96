//! The [`Query`] and [`QueryError`] types: what a query line can mean, and why a
//! line is not a query. Given whole.
//!
//! `Query::parse` is yours to write in `query.rs`, in another `impl Query` block.

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
