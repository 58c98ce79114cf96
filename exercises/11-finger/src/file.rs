//! A backend that reads a file of `user: status` lines (the tutorial's
//! `/etc/users`), again at every lookup, so an edit shows at once.
//!
//! Yours to write: [`parse_users`], below. [`FileDirectory`], which reads the file
//! (on tokio's blocking pool) and calls it at every lookup, is given in
//! `file_directory.rs`.

use std::collections::BTreeMap;

use crate::directory::LookupError;

// What `parse_users` will need.
#[allow(unused_imports)]
use crate::directory::{is_valid_status, is_valid_user};

pub use crate::file_directory::{FileDirectory, MAX_FILE_SIZE};

/// Parses a users file: one `user: status` per line, e.g. `alice: Out to lunch`.
///
/// - Lines come from `text.lines()`; trim each. Skip an empty line and a line
///   that starts with `#` (a comment).
/// - Split at the first `:` (`split_once`), trim both parts. The name must pass
///   [`is_valid_user`] and the status [`is_valid_status`].
/// - A line without `:`, or with a bad name or status, fails the whole file:
///   [`LookupError::BadLine`] with the line's number, counting from 1 (blank and
///   comment lines count too: it is the number an editor shows).
/// - A later line for the same user replaces the earlier one.
pub fn parse_users(text: &str) -> Result<BTreeMap<String, String>, LookupError> {
    todo!("parse_users({} bytes)", text.len())
}
