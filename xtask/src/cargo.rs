//! Building exercise crates with cargo and reading what it says.
//!
//! The runner builds with `cargo test --no-run --message-format=json` and runs the test
//! binaries itself: it then knows the first compiler error (not all of them), and it
//! can put a time limit on the tests without cargo in between.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::{process, ui};

/// What a build produced.
pub enum Build {
    /// The `steps` test binary of each package that was built.
    Built(BTreeMap<String, PathBuf>),
    /// The build failed; the first compiler error, as rustc rendered it.
    Failed { first_error: String, errors: usize },
}

/// The `cargo` that runs us (cargo sets `CARGO` for `cargo run`), else the one on PATH.
///
/// Without the variables `cargo run` gave the runner about its own package
/// (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`, ...): a build script that tracks them
/// (ring's, under 13-ssh's russh) would see them change between `cargo xtask check`
/// and a plain `cargo test`, and rebuild, with everything above it, every time one
/// follows the other.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let about_the_runner = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || ["CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_RUSTC_CURRENT_DIR"]
                .contains(&name.as_ref());
        if about_the_runner {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// Runs a cargo command to its end, as a child that ends with the runner.
pub fn status(command: &mut Command) -> Result<ExitStatus> {
    process::status(command).map_err(could_not_run)
}

/// Runs a cargo command to its end and collects its piped streams.
pub fn output(command: &mut Command) -> Result<Output> {
    process::output(command).map_err(could_not_run)
}

/// Starts a cargo command, as a child that ends with the runner.
pub fn spawn(command: &mut Command) -> Result<process::Running> {
    process::spawn(command).map_err(could_not_run)
}

/// The one error for a cargo that cannot be started (for code that starts cargo itself).(for code that starts cargo itself).
pub fn could_not_run(error: std::io::Error) -> Error {
    Error::setup(format!(
        "could not run cargo: {error}\n  install Rust with rustup (https://rustup.rs), then try again"
    ))
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
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(if quiet { Stdio::piped() } else { Stdio::inherit() });
    let output = output(&mut command)?;

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
    if let Some(first) = errors.first() {
        return Ok(Build::Failed { first_error: first.trim_end().to_owned(), errors: errors.len() });
    }
    // No compiler error: cargo itself failed (a broken Cargo.toml, no network for a
    // dependency). What it said is all the learner can go on, unless it is a manifest
    // it cannot load: then name the file and the way back.
    let said = if quiet { String::from_utf8_lossy(&output.stderr).trim_end().to_owned() } else { diagnose(root) };
    if let Some(manifest) = broken_manifest(root, &said) {
        return Err(Error::setup(format!(
            "{manifest} is broken, so cargo cannot load this workspace: it builds nothing, and \
             `cargo xtask` itself cannot start until the file is back.\n{}\n  \
             It is the teacher's file; put it back (no cargo needed) with:\n    git checkout HEAD -- {manifest}",
            ui::indent(&said, 2)
        )));
    }
    let said = if quiet { format!(":\n{said}") } else { " (cargo's message is above)".to_owned() };
    Err(Error::setup(format!("cargo could not build {}{said}", packages.join(", "))))
}

/// What cargo says when it only loads the workspace (cargo's message went to the
/// terminal during the build, where the runner cannot read it).
fn diagnose(root: &Path) -> String {
    let mut command = cargo();
    command.current_dir(root).args(["metadata", "--no-deps", "--offline", "--format-version=1"]);
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    output(&mut command).map(|o| String::from_utf8_lossy(&o.stderr).trim_end().to_owned()).unwrap_or_default()
}

/// The manifest cargo could not load, from the workspace root, if that is what it
/// said: "failed to load manifest for workspace member `DIR`" or "failed to parse
/// manifest at `FILE`".
fn broken_manifest(root: &Path, said: &str) -> Option<String> {
    let quoted = |after: &str| -> Option<String> {
        let start = said.find(after)? + after.len();
        let rest = &said[start..];
        Some(rest[..rest.find('`')?].to_owned())
    };
    let file = match quoted("failed to load manifest for workspace member `") {
        Some(dir) => Path::new(&dir).join("Cargo.toml"),
        None => PathBuf::from(quoted("failed to parse manifest at `")?),
    };
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = file.strip_prefix(root).or_else(|_| file.strip_prefix(&canonical)).unwrap_or(&file);
    Some(rel.to_string_lossy().replace('\\', "/"))
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
    use super::*;

    #[test]
    fn a_broken_member_manifest_is_named_from_the_root() {
        let said = "error: unclosed table, expected `]`\n  --> exercises/01-fixture/Cargo.toml:16:5\n\
                    error: failed to load manifest for workspace member `/w/exercises/01-fixture`\n\
                    referenced by workspace at `/w/Cargo.toml`";
        assert_eq!(broken_manifest(Path::new("/w"), said).as_deref(), Some("exercises/01-fixture/Cargo.toml"));
        let said = "error: failed to parse manifest at `/w/Cargo.toml`";
        assert_eq!(broken_manifest(Path::new("/w"), said).as_deref(), Some("Cargo.toml"));
        assert_eq!(broken_manifest(Path::new("/w"), "error: no network"), None);
    }

    #[test]
    fn package_names_come_out_of_both_id_formats() {
        assert_eq!(package_name("path+file:///w/exercises/05-lines#ex05-lines@0.1.0"), "ex05-lines");
        assert_eq!(package_name("path+file:///w/exercises/ex05-lines#0.1.0"), "ex05-lines");
        assert_eq!(package_name("ex05-lines 0.1.0 (path+file:///w)"), "ex05-lines");
    }
}
