//! `cargo xtask setup`: check the toolchain, fetch every crate and build every
//! exercise exactly as `check` will, so a room with bad wifi works offline after it.

use std::process::{Command, ExitCode};

use colored::Colorize;

use crate::cargo::{self, Build};
use crate::error::{Error, Result};
use crate::manifest::Exercise;
use crate::ui::Mark;
use crate::workspace::Workspace;

/// Exercises built after all the others, heaviest last: a room whose wifi or
/// patience runs out mid-setup has every lighter exercise ready. 13-ssh's russh
/// brings about 120 crates (a minute or more of a cold build on 2 cores).
const HEAVIEST_LAST: &[&str] = &["13-ssh"];

/// Free space below which a build may run out of disk.
const DISK_NEEDED_GB: u64 = 3;

/// Runs the checks and the builds, saying what it does.
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    println!("{}", "Checking the toolchain".bold());
    check_rustc(ws)?;
    check_disk(ws);

    println!("{}", "Fetching every crate (the only step that needs the network)".bold());
    let status = cargo::status(cargo::cargo().current_dir(&ws.root).args(["fetch", "--locked"]))?;
    if !status.success() {
        return Err(Error::setup("cargo fetch failed: check your network (or proxy) and run setup again"));
    }

    println!("{}", "Building every exercise as `check` will (the first time takes a few minutes)".bold());
    for exercise in build_order(&ws.manifest.exercises) {
        for package in [exercise.exercise_package(), exercise.solution_package()] {
            match cargo::build_steps(&ws.root, std::slice::from_ref(&package))? {
                Build::Built(_) => println!("  {} {package}", Mark::Pass),
                Build::Failed { first_error, .. } => {
                    println!("  {} {package} does not compile:\n{first_error}", Mark::Fail);
                }
            }
        }
    }
    crate::commands::book::prepare(ws);
    println!(
        "\n{} Everything is fetched and built; the workshop now works offline.\nStart with: {}",
        "Ready.".green().bold(),
        "cargo xtask".cyan()
    );
    Ok(ExitCode::SUCCESS)
}

/// The manifest's order, with [`HEAVIEST_LAST`] moved to the end in its order.
fn build_order(exercises: &[Exercise]) -> Vec<&Exercise> {
    let weight = |e: &&Exercise| HEAVIEST_LAST.iter().position(|id| *id == e.id).map_or(0, |p| p + 1);
    let mut order: Vec<&Exercise> = exercises.iter().collect();
    order.sort_by_key(weight); // stable: the others keep the manifest's order
    order
}

/// Compares `rustc --version` with the workspace's `rust-version`.
fn check_rustc(ws: &Workspace) -> Result<()> {
    let output = Command::new("rustc").arg("--version").output().map_err(|e| {
        Error::setup(format!("could not run rustc: {e}\n  install Rust with rustup: https://rustup.rs"))
    })?;
    let text = String::from_utf8_lossy(&output.stdout);
    let have = text.split_whitespace().nth(1).and_then(parse_version);
    let manifest = std::fs::read_to_string(ws.path("Cargo.toml")).unwrap_or_default();
    let need = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = "))
        .and_then(|v| parse_version(v.trim_matches('"')));
    match (have, need) {
        (Some(have), Some(need)) if have < need => Err(Error::setup(format!(
            "untwisted needs Rust {}.{} or newer; you have {}\n  update with: rustup update stable",
            need.0,
            need.1,
            text.trim()
        ))),
        _ => {
            println!("  {} {}", Mark::Pass, text.trim());
            Ok(())
        }
    }
}

fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Warns when the disk is nearly full (Unix `df`; elsewhere the check is skipped).
fn check_disk(ws: &Workspace) {
    let Ok(output) = Command::new("df").arg("-Pk").arg(&ws.root).output() else { return };
    let text = String::from_utf8_lossy(&output.stdout);
    let available_kb: Option<u64> = text.lines().nth(1).and_then(|l| l.split_whitespace().nth(3)?.parse().ok());
    match available_kb {
        Some(kb) if kb / 1_048_576 < DISK_NEEDED_GB => println!(
            "  {} only {:.1} GB free on this disk; the build needs about {DISK_NEEDED_GB} GB. Free some space first.",
            Mark::Warn,
            kb as f64 / 1_048_576.0
        ),
        Some(kb) => println!("  {} {:.0} GB free on disk", Mark::Pass, kb as f64 / 1_048_576.0),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heaviest_exercises_build_last_and_the_rest_keep_the_manifests_order() {
        let exercise = |id: &str| Exercise {
            id: id.to_owned(),
            title: String::new(),
            chapter: String::new(),
            steps: Vec::new(),
            hints: Vec::new(),
            demo: false,
        };
        let manifest = [exercise("12-dns"), exercise("13-ssh"), exercise("14-process")];
        let order: Vec<&str> = build_order(&manifest).iter().map(|e| e.id.as_str()).collect();
        assert_eq!(order, ["12-dns", "14-process", "13-ssh"]);
    }
}
