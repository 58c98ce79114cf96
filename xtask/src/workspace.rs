//! Finding the workspace and the places in it the runner reads and writes.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_PATH, Manifest};

/// An untwisted checkout: its root folder and its manifest.
pub struct Workspace {
    /// The folder holding the top-level Cargo.toml.
    pub root: PathBuf,
    /// The exercises, in order.
    pub manifest: Manifest,
}

impl Workspace {
    /// Finds the workspace from the current folder upwards.
    pub fn discover() -> Result<Self> {
        let here = std::env::current_dir().map_err(|e| Error::setup(format!("cannot read the current folder: {e}")))?;
        let root = here
            .ancestors()
            .find(|dir| dir.join(MANIFEST_PATH).is_file() && dir.join("Cargo.toml").is_file())
            .ok_or_else(|| {
                Error::setup(format!(
                    "{} is not inside an untwisted checkout (no {MANIFEST_PATH} above it).\n  \
                     cd into the folder you cloned, then run `cargo xtask`",
                    here.display()
                ))
            })?
            .to_path_buf();
        let manifest = Manifest::load(&root)?;
        Ok(Self { root, manifest })
    }

    /// `rel` under the workspace root.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// The runner's own folder (progress, backups); git ignores it.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".untwisted")
    }
}
