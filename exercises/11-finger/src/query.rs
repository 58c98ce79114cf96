//! What a query line means (RFC 1288, section 2.3): nothing about sockets here.
//!
//! Yours to write: `Query::parse`, below. The [`Query`] and [`QueryError`] types are
//! given in `query_types.rs`.

pub use crate::query_types::{Query, QueryError};

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
