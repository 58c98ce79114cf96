//! Building exercise crates with cargo and reading what it says.
//!
//! The runner builds with `cargo test --no-run --message-format=json` and runs the test
//! binaries itself: it then knows the first compiler error (not all of them), and it
//! can put a time limit on the tests without cargo in between.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{Error, Result};

/// What a build produced.
pub enum Build {
    /// The `steps` test binary of each package that was built.
    Built(BTreeMap<String, PathBuf>),
    /// The build failed; the first compiler error, as rustc rendered it.
    Failed { first_error: String, errors: usize },
}

/// The `cargo` that runs us (cargo sets `CARGO` for `cargo run`), else the one on PATH.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Builds the `steps` test binary of each of `packages` in one cargo run.
///
/// Cargo's own progress goes to the terminal when there is one (a cold build takes
/// minutes; silence would look like a hang).
pub fn build_steps(root: &Path, packages: &[String]) -> Result<Build> {
    let mut command = cargo();
    command.current_dir(root).args(["test", "--no-run", "--message-format=json"]);
    for package in packages {
        command.args(["--package", package]);
    }
    let quiet = !std::io::stderr().is_terminal();
    if quiet {
        command.arg("--quiet");
    }
    command.stdout(Stdio::piped()).stderr(if quiet { Stdio::piped() } else { Stdio::inherit() });
    let output = command.output().map_err(|e| {
        Error::setup(format!(
            "could not run cargo: {e}\n  install Rust with rustup (https://rustup.rs), then try again"
        ))
    })?;

    let mut binaries = BTreeMap::new();
    let mut errors = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        match serde_json::from_str::<Event>(line) {
            Ok(Event::CompilerArtifact { target, executable: Some(executable), package_id, .. })
                if target.name == "steps" =>
            {
                binaries.insert(package_name(&package_id), executable);
            }
            Ok(Event::CompilerMessage { message }) if message.level == "error" => {
                errors.push(message.rendered.unwrap_or(message.message));
            }
            _ => {}
        }
    }
    if output.status.success() {
        return Ok(Build::Built(binaries));
    }
    // "aborting due to N previous errors" is a summary, not an error of its own.
    errors.retain(|e| !e.starts_with("error: aborting due to") && !e.contains("could not compile"));
    match errors.first() {
        Some(first) => Ok(Build::Failed { first_error: first.trim_end().to_owned(), errors: errors.len() }),
        // No compiler error: cargo itself failed (a broken Cargo.toml, no network for
        // a dependency). What it said is all the learner can go on.
        None => Err(Error::setup(format!(
            "cargo could not build {}:\n{}",
            packages.join(", "),
            String::from_utf8_lossy(&output.stderr).trim_end()
        ))),
    }
}

/// Cargo's package ids look like `path+file:///…/ex05-lines#0.1.0` or
/// `ex05-lines 0.1.0 (path+file:///…)`; the name is what we asked for.
fn package_name(package_id: &str) -> String {
    if let Some((before, _)) = package_id.split_once(' ') {
        return before.to_owned();
    }
    let path = package_id.split('#').next().unwrap_or(package_id);
    let fragment = package_id.split('#').nth(1).unwrap_or("");
    match fragment.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => path.rsplit('/').next().unwrap_or(path).to_owned(),
    }
}

#[derive(Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
/// One line of cargo's JSON output, by its `reason`.
enum Event {
    CompilerArtifact {
        package_id: String,
        target: Target,
        executable: Option<PathBuf>,
    },
    CompilerMessage {
        message: Diagnostic,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    message: String,
    rendered: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn package_names_come_out_of_both_id_formats() {
        assert_eq!(package_name("path+file:///w/exercises/05-lines#ex05-lines@0.1.0"), "ex05-lines");
        assert_eq!(package_name("path+file:///w/exercises/ex05-lines#0.1.0"), "ex05-lines");
        assert_eq!(package_name("ex05-lines 0.1.0 (path+file:///w)"), "ex05-lines");
    }
}
