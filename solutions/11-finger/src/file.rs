//! A backend that reads a file of `user: status` lines (the tutorial's
//! `/etc/users`), again at every lookup, so an edit shows at once.

use std::collections::BTreeMap;

use crate::directory::{LookupError, is_valid_status, is_valid_user};

pub use crate::file_directory::{FileDirectory, MAX_FILE_SIZE};

// ANCHOR: parse_users
/// Parses a users file: one `user: status` per line, spaces around either part
/// ignored; empty lines and lines starting with `#` skipped; a later line for the
/// same user wins. A line that is not `user: status`, or whose name or status is
/// not valid, is [`LookupError::BadLine`] with its 1-based number.
pub fn parse_users(text: &str) -> Result<BTreeMap<String, String>, LookupError> {
    let mut users = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || LookupError::BadLine(index + 1);
        let (user, status) = line.split_once(':').ok_or_else(bad)?;
        let (user, status) = (user.trim(), status.trim());
        if !is_valid_user(user) || !is_valid_status(status) {
            return Err(bad());
        }
        users.insert(user.to_owned(), status.to_owned());
    }
    Ok(users)
}
// ANCHOR_END: parse_users
