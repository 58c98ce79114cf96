//! A backend that reads a file of `user: status` lines (the tutorial's
//! `/etc/users`), again at every lookup, so an edit shows at once.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use crate::directory::{Directory, Lookup, LookupError};

// What `parse_users` will need.
#[allow(unused_imports)]
use crate::directory::{is_valid_status, is_valid_user};

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
