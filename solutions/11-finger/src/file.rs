//! A backend that reads a file of `user: status` lines (the tutorial's
//! `/etc/users`), again at every lookup, so an edit shows at once.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use crate::directory::{Directory, Lookup, LookupError, is_valid_status, is_valid_user};

/// The largest users file read, in bytes.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;

/// Users listed in a file, one `user: status` per line.
#[derive(Debug, Clone)]
pub struct FileDirectory {
    path: PathBuf,
}

impl FileDirectory {
    /// A directory read from the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Reads and parses the whole file. Reading a file blocks, so it runs on
    /// tokio's blocking pool (Twisted's `deferToThread`), never on the event loop.
    async fn load(&self) -> Result<BTreeMap<String, String>, LookupError> {
        let path = self.path.clone();
        let text = tokio::task::spawn_blocking(move || {
            if std::fs::metadata(&path)?.len() > MAX_FILE_SIZE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "users file too big",
                ));
            }
            std::fs::read_to_string(&path)
        })
        .await
        .map_err(io::Error::other)??;
        parse_users(&text)
    }
}

impl Directory for FileDirectory {
    fn get_user<'a>(&'a self, user: &'a str) -> Lookup<'a, Option<String>> {
        Box::pin(async move { Ok(self.load().await?.remove(user)) })
    }

    fn get_users(&self) -> Lookup<'_, Vec<String>> {
        Box::pin(async move { Ok(self.load().await?.into_keys().collect()) })
    }
}

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
