//! The seal: a hash of every file under each exercise's `tests/`, so a check can tell
//! when tests or snapshots were changed (by hand or by `cargo insta accept`).
//!
//! The hash is FNV-1a over the file with line endings normalised: it guards against
//! accidents, not attackers, and must read the same on Windows checkouts.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::files;
use crate::manifest::Exercise;
use crate::workspace::Workspace;

/// Where the seal lives, from the workspace root.
pub const SEAL_PATH: &str = "exercises/tests.lock";

/// Sealed files (path from the root, with `/`) and their hashes.
pub type Seal = BTreeMap<String, String>;

/// Hashes every file under the exercise's `tests/` folder, skipping insta's leftovers.
pub fn compute(ws: &Workspace, exercise: &Exercise) -> Result<Seal> {
    let mut seal = Seal::new();
    for file in files::under(&ws.path(format!("{}/tests", exercise.exercise_dir()))) {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            continue;
        }
        let rel = file.strip_prefix(&ws.root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&file).map_err(|e| Error::setup(format!("cannot read {rel}: {e}")))?;
        seal.insert(rel, hash(&bytes));
    }
    Ok(seal)
}

/// FNV-1a 64 of the bytes, with `\r\n` read as `\n`.
fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Reads the seal file: one `HASH  PATH` line per file.
pub fn load(ws: &Workspace) -> Result<Seal> {
    let path = ws.path(SEAL_PATH);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::setup(format!("cannot read {SEAL_PATH}: {e}\n  restore it with: git checkout -- {SEAL_PATH}"))
    })?;
    Ok(text
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(hash, path)| (path.to_owned(), hash.to_owned()))
        .collect())
}

/// Writes the seal of every exercise (instructors, after changing tests).
pub fn write(ws: &Workspace) -> Result<usize> {
    let mut all = Seal::new();
    for exercise in &ws.manifest.exercises {
        all.extend(compute(ws, exercise)?);
    }
    let mut text = String::from("# Hashes of every exercise's tests and snapshots. Written by `cargo xtask seal`.\n");
    for (path, hash) in &all {
        text.push_str(&format!("{hash}  {path}\n"));
    }
    crate::progress::write_atomically(&ws.path(SEAL_PATH), text.as_bytes())?;
    Ok(all.len())
}

/// Compares the exercise's tests with the seal; `Some(explanation)` for a learner
/// when they differ.
pub fn check(ws: &Workspace, exercise: &Exercise) -> Result<Option<String>> {
    let changes = changes(ws, exercise)?;
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!(
        "You changed files the checks depend on:\n  {}\n\
         The tests and snapshots are the teacher's: with them changed, passing would prove nothing.\n\
         Put them back (your code in src/ is not touched) with:\n  cargo xtask reset {} --tests",
        changes.join("\n  "),
        exercise.id
    )))
}

/// What differs from the seal, one `modified|deleted|added  PATH` line per file.
pub fn changes(ws: &Workspace, exercise: &Exercise) -> Result<Vec<String>> {
    let sealed = load(ws)?;
    let prefix = format!("{}/tests/", exercise.exercise_dir());
    let now = compute(ws, exercise)?;
    let mut changes = Vec::new();
    for (path, hash) in sealed.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        match now.get(path) {
            None => changes.push(format!("deleted   {path}")),
            Some(h) if h != hash => changes.push(format!("modified  {path}")),
            Some(_) => {}
        }
    }
    // A snapshot the teacher did not write (say, accepted from a learner's run).
    for path in now.keys().filter(|p| p.ends_with(".snap") && !sealed.contains_key(*p)) {
        changes.push(format!("added     {path}"));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::hash;

    #[test]
    fn line_endings_do_not_change_the_hash() {
        assert_eq!(hash(b"a\r\nb\r\n"), hash(b"a\nb\n"));
        assert_ne!(hash(b"a\nb\n"), hash(b"a\nc\n"));
    }
}
