//! `cargo xtask reset EX [--tests]`: put an exercise's code (or tests) back as shipped.
//!
//! Nothing is lost: what is replaced is first copied to
//! `.untwisted/backups/<exercise>/<time>/`, and the path is printed.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use colored::Colorize;

use crate::error::{Error, Result};
use crate::files;
use crate::workspace::Workspace;

/// Backs up, then restores `src/` (or `tests/`) from git.
pub fn run(ws: &Workspace, name: &str, tests: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let folder = format!("{}/{}", exercise.exercise_dir(), if tests { "tests" } else { "src" });
    let rev = shipped_revision(&ws.root)?;

    let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let backup = ws.state_dir().join("backups").join(&exercise.id).join(stamp.to_string());
    copy_tree(&ws.path(&folder), &backup.join(if tests { "tests" } else { "src" }))?;

    // Restore exactly the shipped files: checkout brings back changed and deleted ones,
    // and files added since are removed (they are in the backup).
    let shipped = git(&ws.root, &["ls-tree", "-r", "--name-only", &rev, "--", &folder])?;
    let shipped: Vec<&str> = shipped.lines().collect();
    if shipped.is_empty() {
        return Err(Error::setup(format!("git knows no files under {folder} at {rev}")));
    }
    for extra in files::under(&ws.path(&folder)) {
        let rel = extra.strip_prefix(&ws.root).unwrap_or(&extra).to_string_lossy().replace('\\', "/");
        if !shipped.contains(&rel.as_str()) {
            std::fs::remove_file(&extra).map_err(|e| Error::setup(format!("cannot remove {rel}: {e}")))?;
        }
    }
    git(&ws.root, &["checkout", &rev, "--", &folder])?;
    // `checkout REV -- path` also stages the files; unstage so `git status` shows the truth.
    let _ = git(&ws.root, &["reset", "-q", "--", &folder]);

    println!("{} {folder} is back as shipped ({rev}).", "Reset:".green().bold());
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
    let fail = |e: std::io::Error| Error::setup(format!("cannot back up {} to {}: {e}", from.display(), to.display()));
    std::fs::create_dir_all(to).map_err(fail)?;
    for file in files::under(from) {
        let target = to.join(file.strip_prefix(from).expect("under from"));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::copy(&file, &target).map_err(fail)?;
    }
    Ok(())
}
