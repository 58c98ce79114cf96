//! `cargo xtask` alone: your progress, then the verdict of the exercise you are on.

use std::process::ExitCode;

use colored::Colorize;

use crate::commands::{check, list};
use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Shows progress and checks the current exercise.
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    // An unreadable record is moved aside by loading it: its warning shows once.
    let progress = Progress::load(ws);
    println!("{}\n", "untwisted: event-driven networking, from Twisted to tokio".bold());
    list::print(ws, &progress);
    let current = check::current(ws, &progress);
    println!(
        "\nYou are on {}. Edit {}/src, then run {}.\n",
        current.id.bold(),
        current.exercise_dir(),
        format!("cargo xtask check {}", current.id).cyan()
    );
    check::run(ws, Some(&current.id), false, false)
}
