//! The pinned mdBook: installed once into `.untwisted/tools` (git ignores it), then
//! run from there, so every room and CI renders the book with the same version.
//!
//! This module uses only the standard library: the book's tests include it as it
//! is, to build the book exactly as `cargo xtask book` does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The mdBook version the book is written for. Bump it here and nowhere else.
pub const VERSION: &str = "0.5.4";

/// Where the pinned tools live, under the workspace root.
pub fn install_root(root: &Path) -> PathBuf {
    root.join(".untwisted").join("tools")
}

/// The pinned mdBook's executable.
pub fn binary(root: &Path) -> PathBuf {
    let name = if cfg!(windows) { "mdbook.exe" } else { "mdbook" };
    install_root(root).join("bin").join(name)
}

/// The version of the mdBook in `.untwisted/tools`, if one is there and runs.
pub fn installed_version(root: &Path) -> Option<String> {
    let output = Command::new(binary(root)).arg("--version").output().ok()?;
    // `mdbook v0.5.4`
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.split_whitespace().nth(1)?.trim_start_matches('v').to_owned())
}

/// Returns the pinned mdBook, installing it first when it is missing or another
/// version. The install compiles mdBook from crates.io (a few minutes, once); cargo's
/// progress goes to the terminal.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let have = installed_version(root);
    if have.as_deref() == Some(VERSION) {
        return Ok(binary(root));
    }
    let why = match have {
        Some(other) => format!("mdBook {other} is installed, the book needs {VERSION}"),
        None => "mdBook is not installed yet".to_owned(),
    };
    eprintln!(
        "{why}: installing mdBook {VERSION} into {} with `cargo install --locked`.\n\
         It compiles from source, which takes a few minutes the first time (once per checkout).",
        install_root(root).display()
    );
    let status = crate::cargo::status(
        crate::cargo::cargo()
            .current_dir(root)
            .args(["install", "mdbook", "--version", VERSION, "--locked", "--root"])
            .arg(install_root(root))
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit()),
    )
    .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "installing mdBook {VERSION} failed (see cargo's message above).\n  \
             It needs the network once, and Rust 1.88 or newer (`rustup update stable`)."
        ));
    }
    match installed_version(root) {
        Some(v) if v == VERSION => Ok(binary(root)),
        other => Err(format!("after installing, {} reports version {other:?}", binary(root).display())),
    }
}

/// What one `mdbook build` did.
pub struct Build {
    /// mdBook exited successfully.
    pub success: bool,
    /// Every line mdBook logged (it logs to stderr), without colour codes.
    pub log: Vec<String>,
    /// The log lines that are warnings or errors: the book's build must have none.
    pub problems: Vec<String>,
}

/// Builds `<root>/book` into `<root>/book/book`.
pub fn build(root: &Path, mdbook: &Path) -> Result<Build, String> {
    let output = Command::new(mdbook)
        .current_dir(root.join("book"))
        .arg("build")
        // No colour codes in the log we read.
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("could not run {}: {e}", mdbook.display()))?;
    let mut log = Vec::new();
    for stream in [&output.stdout, &output.stderr] {
        log.extend(String::from_utf8_lossy(stream).lines().map(strip_ansi).filter(|l| !l.trim().is_empty()));
    }
    let problems = log.iter().filter(|line| is_problem(line)).cloned().collect();
    Ok(Build { success: output.status.success(), log, problems })
}

/// Serves the book on 127.0.0.1 (rebuilding on every save) until interrupted.
pub fn serve(root: &Path, mdbook: &Path) -> Result<bool, String> {
    // A child that ends with the runner: a stopped runner frees the port.
    let status =
        crate::process::status(Command::new(mdbook).current_dir(root.join("book")).args(["serve", "-n", "127.0.0.1"]))
            .map_err(|e| format!("could not run {}: {e}", mdbook.display()))?;
    Ok(status.success())
}

/// mdBook logs `<time>  WARN <target>: message` (and `ERROR`); its INFO lines say
/// what it is doing.
fn is_problem(line: &str) -> bool {
    line.split_whitespace().take(3).any(|word| matches!(word, "WARN" | "ERROR" | "[WARN]" | "[ERROR]"))
        || line.starts_with("Error:")
}

/// Removes terminal colour codes, in case a tool ignores NO_COLOR.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ … letter
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
