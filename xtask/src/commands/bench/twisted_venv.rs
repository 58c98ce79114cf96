//! The Python that runs the benchmarks' Twisted servers: the virtual environment the book's
//! tests make for the Twisted snippets (target/book-twisted-venv, exactly
//! book/requirements.txt), made here the same way when it is missing, so both reuse it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// The environment's Python, after making the environment if it is missing or was
/// made from other requirements.
pub fn python(ws: &Workspace, target: &Path) -> Result<PathBuf> {
    let venv = target.join("book-twisted-venv");
    let python = if cfg!(windows) { venv.join("Scripts/python.exe") } else { venv.join("bin/python") };
    let requirements = ws.path("book/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .map_err(|e| Error::setup(format!("cannot read {}: {e}", requirements.display())))?;
    // The same stamp as the book's tests: the requirements the environment was made from.
    let stamp = venv.join("untwisted-requirements.txt");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|have| have == wanted) {
        return Ok(python);
    }

    let python3 = python3()?;
    eprintln!("Making a Python virtual environment with Twisted in {} (once; it needs the network)", venv.display());
    let _ = std::fs::remove_dir_all(&venv);
    let made = Command::new(python3).args(["-m", "venv"]).arg(&venv).status();
    if !made.is_ok_and(|s| s.success()) {
        return Err(Error::setup(format!(
            "`python3 -m venv {}` failed: the Twisted servers need Python's venv module \
             (on Debian and Ubuntu: apt install python3-venv)\n  \
             or leave Twisted out: cargo xtask bench echo --servers reactor,tokio,threads \
             (the others: --servers rust)",
            venv.display()
        )));
    }
    let installed = Command::new(&python)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r"])
        .arg(&requirements)
        .status();
    if !installed.is_ok_and(|s| s.success()) {
        return Err(Error::setup(format!(
            "installing {} into {} failed (it needs the network once)",
            requirements.display(),
            venv.display()
        )));
    }
    std::fs::write(&stamp, wanted).map_err(|e| Error::setup(format!("cannot write {}: {e}", stamp.display())))?;
    Ok(python)
}

/// A Python 3.9 or newer on PATH, or an error that says how to get one.
fn python3() -> Result<&'static str> {
    ["python3", "python"]
        .into_iter()
        .find(|candidate| {
            Command::new(candidate)
                .args(["-c", "import sys; assert sys.version_info >= (3, 9)"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| {
            Error::setup(
                "python3 is missing: Twisted's servers are Python programs. Install Python 3.9 or \
                 newer with venv (python3 and python3-venv from your package manager), or leave Twisted \
                 out: cargo xtask bench echo --servers reactor,tokio,threads (the others: \
                 --servers rust)",
            )
        })
}
