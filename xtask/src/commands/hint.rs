//! `cargo xtask hint EX [--all]`: one more hint each time, so help comes gradually.

use std::process::ExitCode;

use colored::Colorize;

use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Shows the hints seen so far plus the next one (or all of them).
pub fn run(ws: &Workspace, name: &str, all: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let available = exercise.hints.len();
    let seen = |progress: &mut Progress| {
        let times = if all { available } else { 1 };
        (0..times).map(|_| progress.see_hint(&exercise.id, available)).last().unwrap_or(0)
    };
    // Unsaved (a warning says why), the next hint is still shown.
    let shown = Progress::update(ws, seen).unwrap_or_else(|| seen(&mut Progress::load(ws)));

    println!("{} {}", exercise.id.bold(), exercise.title);
    for (i, hint) in exercise.hints.iter().take(shown).enumerate() {
        println!("\n{} {hint}", format!("Hint {}/{available}:", i + 1).cyan().bold());
    }
    if shown < available {
        println!("\nRun `{}` again for the next hint.", exercise.hint_command());
    } else {
        println!("\nThat was the last hint. The chapter: {}", exercise.chapter);
    }
    Ok(ExitCode::SUCCESS)
}
