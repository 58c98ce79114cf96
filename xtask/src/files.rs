//! Files and folders, the same way for every command: walking a folder, writing a
//! file atomically, and names that never overwrite an earlier one.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Every file below `dir`, recursively, sorted; folders that cannot be read (or do
/// not exist) contribute nothing.
pub fn under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename,
/// so a crash or a full disk never leaves half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file path has a parent");
    let fail = |e: std::io::Error| Error::setup(format!("cannot write {}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// `path`, or `path-2`, `path-3`, … : the first name nothing has yet.
pub fn unused(path: &Path) -> PathBuf {
    candidates(path).find(|candidate| !candidate.exists()).expect("candidates never end")
}

/// Creates a new, empty folder named `dir` (or `dir-2`, `dir-3`, … when taken) and
/// returns it. Creating is the test, so two runners at once still get two folders.
pub fn new_dir(dir: &Path) -> std::io::Result<PathBuf> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)?;
    }
    for candidate in candidates(dir) {
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("candidates never end")
}

fn candidates(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    std::iter::once(path.to_path_buf()).chain((2..).map(move |n| {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!("-{n}"));
        path.with_file_name(name)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_folders_never_reuse_a_name() {
        let root = tempfile::tempdir().unwrap();
        let first = new_dir(&root.path().join("backups/1700000000")).unwrap();
        let second = new_dir(&root.path().join("backups/1700000000")).unwrap();
        assert_eq!(first, root.path().join("backups/1700000000"));
        assert_eq!(second, root.path().join("backups/1700000000-2"));
        assert_eq!(unused(&first), root.path().join("backups/1700000000-3"));
    }
}
