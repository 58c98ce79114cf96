//! [`FileDirectory`], the backend that reads a file of `user: status` lines, again
//! at every lookup. Given whole.
//!
//! `parse_users`, which it calls, is yours to write in `file.rs`.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use crate::directory::{Directory, Lookup, LookupError};
use crate::file::parse_users;

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
