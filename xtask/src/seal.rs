//! The seal: a hash of every file of an exercise that is the teacher's, so a check can
//! tell when one was changed (by hand, by `cargo insta accept`, by a `[[test]]` entry
//! pointing cargo at other tests) and refuse to score it:
//!
//! - everything under `tests/` (the steps and their snapshots);
//! - the crate's `Cargo.toml` (it says which file the `steps` tests are);
//! - the given modules: files under `src/` that the solution does not have at the same
//!   path, because it includes them from the exercise (`#[path = "…"]`). Changing
//!   one would change the solution too.
//!
//! The learner's own files (those the solution has its own version of) are not sealed.
//! The hash is FNV-1a over the file with line endings normalised: it guards against
//! accidents, not attackers, and must read the same on Windows checkouts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::files;
use crate::manifest::Exercise;
use crate::workspace::Workspace;

/// Where the seal lives, from the workspace root.
pub const SEAL_PATH: &str = "exercises/tests.lock";

/// Sealed files (path from the root, with `/`) and their hashes.
pub type Seal = BTreeMap<String, String>;

/// The teacher's files of an exercise as they are now (see the module's list),
/// skipping insta's leftovers.
fn teachers_files(ws: &Workspace, exercise: &Exercise) -> Vec<PathBuf> {
    let crate_dir = ws.path(exercise.exercise_dir());
    let tests = files::under(&crate_dir.join("tests")).into_iter().filter(|file| {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        !name.ends_with(".snap.new") && !name.ends_with(".pending-snap")
    });
    let solution_src = ws.path(exercise.solution_dir()).join("src");
    let given = files::under(&crate_dir.join("src")).into_iter().filter(|file| {
        let rel = file.strip_prefix(crate_dir.join("src")).expect("under src");
        !solution_src.join(rel).exists()
    });
    let mut found: Vec<PathBuf> = tests.chain(given).collect();
    found.push(crate_dir.join("Cargo.toml"));
    found.sort();
    found
}

/// Hashes the exercise's teacher's files.
pub fn compute(ws: &Workspace, exercise: &Exercise) -> Result<Seal> {
    let mut seal = Seal::new();
    for file in teachers_files(ws, exercise) {
        let rel = relative(ws, &file);
        let bytes = std::fs::read(&file).map_err(|e| Error::setup(format!("cannot read {rel}: {e}")))?;
        seal.insert(rel, hash(&bytes));
    }
    Ok(seal)
}

fn relative(ws: &Workspace, file: &std::path::Path) -> String {
    file.strip_prefix(&ws.root).unwrap_or(file).to_string_lossy().replace('\\', "/")
}

/// The sealed files of `exercise`, from the seal file (what the teacher shipped).
pub fn sealed_files(ws: &Workspace, exercise: &Exercise) -> Result<Vec<String>> {
    let prefix = format!("{}/", exercise.exercise_dir());
    Ok(load(ws)?.into_keys().filter(|path| path.starts_with(&prefix)).collect())
}

/// FNV-1a 64 of the bytes, with `\r\n` read as `\n` (the room's bundle is keyed by it too).
pub fn hash(bytes: &[u8]) -> String {
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
    let mut text = String::from(
        "# Hashes of every exercise's teacher's files (tests, snapshots, Cargo.toml, given modules).\n\
         # Written by `cargo xtask seal`.\n",
    );
    for (path, hash) in &all {
        text.push_str(&format!("{hash}  {path}\n"));
    }
    crate::files::write_atomically(&ws.path(SEAL_PATH), text.as_bytes())?;
    Ok(all.len())
}

/// Compares the exercise's teacher's files with the seal; `Some(explanation)` for a
/// learner when they differ, with the command that puts them back.
pub fn check(ws: &Workspace, exercise: &Exercise) -> Result<Option<String>> {
    let changes = changes(ws, exercise)?;
    if changes.is_empty() {
        return Ok(None);
    }
    let mut message = format!(
        "You changed files the checks depend on:\n  {}\n\
         The tests, snapshots, Cargo.toml and given modules are the teacher's: with them changed, \
         passing would prove nothing.\n\
         Put them back (your own code is not touched) with:\n  cargo xtask reset {} --tests",
        changes.join("\n  "),
        exercise.id
    );
    let manifest = format!("{}/Cargo.toml", exercise.exercise_dir());
    if changes.iter().any(|change| change.ends_with(&manifest)) {
        message.push_str(&format!(
            "\nIf cargo itself refuses to start (a Cargo.toml it cannot read stops every cargo command, \
             `cargo xtask` included), put that file back without cargo:\n  git checkout HEAD -- {manifest}"
        ));
    }
    Ok(Some(message))
}

/// What differs from the seal, one `modified|deleted|added  PATH` line per file.
pub fn changes(ws: &Workspace, exercise: &Exercise) -> Result<Vec<String>> {
    let sealed = load(ws)?;
    let prefix = format!("{}/", exercise.exercise_dir());
    let mut changes = Vec::new();
    for (path, hash) in sealed.iter().filter(|(p, _)| p.starts_with(&prefix)) {
        let file = ws.path(path);
        if !file.is_file() {
            changes.push(format!("deleted   {path}"));
            continue;
        }
        // Hashed afresh: a given module the solution now has its own copy of is still sealed.
        let bytes = std::fs::read(&file).map_err(|e| Error::setup(format!("cannot read {path}: {e}")))?;
        if hash != &self::hash(&bytes) {
            changes.push(format!("modified  {path}"));
        }
    }
    // A snapshot the teacher did not write (say, accepted from a learner's run).
    for file in files::under(&ws.path(exercise.exercise_dir()).join("tests")) {
        let path = relative(ws, &file);
        if path.ends_with(".snap") && !sealed.contains_key(&path) {
            changes.push(format!("added     {path}"));
        }
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
