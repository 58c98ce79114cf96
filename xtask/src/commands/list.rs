//! `cargo xtask list`: every exercise, in order, with your progress.

use std::process::ExitCode;

use colored::Colorize;

use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Prints the list.
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    let (progress, warning) = Progress::load(ws);
    if let Some(warning) = warning {
        eprintln!("{} {warning}", "warning:".yellow().bold());
    }
    print(ws, &progress);
    Ok(ExitCode::SUCCESS)
}

/// One line per exercise: mark, id, title, best score.
pub fn print(ws: &Workspace, progress: &Progress) {
    let passed = ws.manifest.exercises.iter().filter(|e| progress.of(&e.id).passed).count();
    println!("Progress: {passed}/{} exercises", ws.manifest.exercises.len());
    for exercise in &ws.manifest.exercises {
        let seen = progress.of(&exercise.id);
        let mark = if seen.passed {
            "✔".green()
        } else if seen.total > 0 {
            "✘".yellow()
        } else {
            "·".dimmed()
        };
        let score = if seen.total > 0 { format!("{}/{}", seen.best, seen.total) } else { "-".to_owned() };
        println!("  {mark} {:<16} {:>5}  {}", exercise.id, score.dimmed(), exercise.title);
    }
}
