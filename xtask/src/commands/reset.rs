//! `cargo xtask reset EX [--tests]`: put an exercise's code (or the teacher's files)
//! back as shipped.
//!
//! `reset EX` restores `src/`; `reset EX --tests` restores every sealed file: `tests/`
//! (steps and snapshots), the crate's `Cargo.toml` and the given modules, leaving the
//! learner's own code alone. Nothing is lost: what is replaced is first copied to a
//! new folder `.untwisted/backups/<exercise>/<time>[-N]/`, and the path is printed.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use colored::Colorize;

use crate::error::{Error, Result};
use crate::workspace::Workspace;
use crate::{files, seal};

/// Backs up, then restores `src/` (or the sealed files) from git.
pub fn run(ws: &Workspace, name: &str, tests: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let dir = exercise.exercise_dir();
    let rev = shipped_revision(&ws.root)?;
    let shipped = git(&ws.root, &["ls-tree", "-r", "--name-only", &rev, "--", &dir])?;
    let shipped: Vec<&str> = shipped.lines().collect();

    // A folder restored exactly (files added since are removed), and single files.
    let folder = format!("{dir}/{}", if tests { "tests" } else { "src" });
    let mut singles = Vec::new();
    if tests {
        let mut sealed = seal::sealed_files(ws, exercise).unwrap_or_default();
        sealed.push(format!("{dir}/Cargo.toml"));
        sealed.retain(|path| !path.starts_with(&format!("{folder}/")) && shipped.contains(&path.as_str()));
        sealed.sort();
        sealed.dedup();
        singles = sealed;
    }
    let in_folder: Vec<&str> = shipped.iter().copied().filter(|p| p.starts_with(&format!("{folder}/"))).collect();
    if in_folder.is_empty() {
        return Err(Error::setup(format!("git knows no files under {folder} at {rev}")));
    }

    // A new folder for every backup: two resets in one second keep both.
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let backup = files::new_dir(&ws.state_dir().join("backups").join(&exercise.id).join(stamp.to_string()))
        .map_err(|e| Error::setup(format!("cannot create a backup folder under {}: {e}", ws.state_dir().display())))?;
    let in_backup = |rel: &str| backup.join(rel.strip_prefix(&format!("{dir}/")).unwrap_or(rel));
    copy_tree(&ws.path(&folder), &in_backup(&folder))?;
    for file in &singles {
        if ws.path(file).is_file() {
            copy_file(&ws.path(file), &in_backup(file))?;
        }
    }

    // Restore exactly the shipped files: checkout brings back changed and deleted ones,
    // and files added to the folder since are removed (they are in the backup).
    for extra in files::under(&ws.path(&folder)) {
        let rel = extra.strip_prefix(&ws.root).unwrap_or(&extra).to_string_lossy().replace('\\', "/");
        if !in_folder.contains(&rel.as_str()) {
            std::fs::remove_file(&extra).map_err(|e| Error::setup(format!("cannot remove {rel}: {e}")))?;
        }
    }
    let paths: Vec<&str> = std::iter::once(folder.as_str()).chain(singles.iter().map(String::as_str)).collect();
    git(&ws.root, &[&["checkout", &rev, "--"][..], &paths].concat())?;
    // `checkout REV -- path` also stages the files; unstage so `git status` shows the truth.
    let _ = git(&ws.root, &[&["reset", "-q", "--"][..], &paths].concat());

    println!("{} {} back as shipped ({rev}).", "Reset:".green().bold(), paths.join(", "));
    println!("Your previous version is saved in {}", backup.display());
    Ok(ExitCode::SUCCESS)
}

/// The commit the exercises were shipped at: the upstream branch when the clone has
/// one (so a learner's own commits are not mistaken for the original), else HEAD.
fn shipped_revision(root: &Path) -> Result<String> {
    git(root, &["rev-parse", "--verify", "-q", "@{upstream}"])
        .or_else(|_| git(root, &["rev-parse", "--verify", "HEAD"]))
        .map(|rev| rev.trim().to_owned())
        .map_err(|e| Error::setup(format!("{e}\n  reset needs the git clone you started from")))
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| Error::setup(format!("could not run git: {e}")))?;
    if !output.status.success() {
        return Err(Error::setup(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| backup_failed(from, to, e))?;
    for file in files::under(from) {
        copy_file(&file, &to.join(file.strip_prefix(from).expect("under from")))?;
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| backup_failed(from, to, e))?;
    }
    std::fs::copy(from, to).map_err(|e| backup_failed(from, to, e))?;
    Ok(())
}

fn backup_failed(from: &Path, to: &Path, error: std::io::Error) -> Error {
    Error::setup(format!("cannot back up {} to {}: {error}", from.display(), to.display()))
}
