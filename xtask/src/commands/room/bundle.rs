//! The offline bundle: every crate the workspace's `Cargo.lock` names, as `cargo
//! vendor` lays them out, in one tar file the room serves at `/bundle.tar`.
//!
//! Made under `.untwisted/room/` (`vendor/`, then `bundle.tar`, whose entries start
//! with `vendor/`), with the system `tar` (GNU or BSD tar on Unix, `tar.exe` on
//! Windows 10 and later). Remade only when `Cargo.lock` changes: `bundle.key` holds
//! the lock file's hash, written last, so an interrupted run is redone next time and
//! a second start of the room is instant.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cargo;
use crate::error::{Error, Result};

/// The bundle's folder, from the workspace root.
pub const DIR: &str = ".untwisted/room";

/// The bundle for the workspace at `root`, made if missing or older than its
/// `Cargo.lock`; returns its path and whether it was already there.
pub fn ensure(root: &Path) -> Result<(PathBuf, bool)> {
    let dir = root.join(DIR);
    let bundle = dir.join("bundle.tar");
    let key_file = dir.join("bundle.key");
    let lock = std::fs::read(root.join("Cargo.lock"))
        .map_err(|e| Error::setup(format!("cannot read Cargo.lock (the bundle is made from it): {e}")))?;
    let key = crate::seal::hash(&lock);
    if bundle.is_file() && std::fs::read_to_string(&key_file).is_ok_and(|saved| saved.trim() == key) {
        return Ok((bundle, true));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::setup(format!("cannot create {}: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&key_file);

    // --locked: the bundle holds exactly what the lock file names, or nothing.
    let mut vendor = cargo::cargo();
    vendor.current_dir(root).args(["vendor", "--locked", "--quiet"]).arg(dir.join("vendor"));
    vendor.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let output = cargo::output(&mut vendor)?;
    if !output.status.success() {
        return Err(Error::setup(format!(
            "cargo vendor failed (it needs every crate once: run `cargo fetch` with a network first):\n{}",
            crate::ui::indent(String::from_utf8_lossy(&output.stderr).trim_end(), 2)
        )));
    }

    let partial = dir.join("bundle.tar.partial");
    let mut tar = Command::new("tar");
    tar.arg("-cf").arg(&partial).arg("-C").arg(&dir).arg("vendor").stdin(Stdio::null());
    let status = crate::process::status(&mut tar)
        .map_err(|e| Error::setup(format!("could not run tar (it makes the bundle): {e}")))?;
    if !status.success() {
        return Err(Error::setup(format!("tar could not write {}", partial.display())));
    }
    let fail = |e: std::io::Error| Error::setup(format!("cannot write {}: {e}", bundle.display()));
    std::fs::rename(&partial, &bundle).map_err(fail)?;
    std::fs::write(&key_file, format!("{key}\n")).map_err(fail)?;
    Ok((bundle, false))
}
