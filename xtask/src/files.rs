//! Walking folders: every file below one, the same way for every command.

use std::path::{Path, PathBuf};

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
