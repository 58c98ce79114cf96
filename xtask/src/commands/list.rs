//! `cargo xtask list`: every exercise, in order, with your progress.

use std::process::ExitCode;

use colored::Colorize;

use crate::error::Result;
use crate::progress::Progress;
use crate::ui::Mark;
use crate::workspace::Workspace;

/// Prints the list.
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    print(ws, &Progress::load(ws));
    Ok(ExitCode::SUCCESS)
}

/// One line per exercise: mark, id, best score, title; then what the marks mean.
pub fn print(ws: &Workspace, progress: &Progress) {
    let passed = ws.manifest.exercises.iter().filter(|e| progress.of(&e.id).passed).count();
    println!("Progress: {passed}/{} exercises", ws.manifest.exercises.len());
    for exercise in &ws.manifest.exercises {
        let seen = progress.of(&exercise.id);
        let mark = if seen.passed {
            Mark::Pass
        } else if seen.total > 0 && seen.best >= seen.total {
            // Every step passed once; the last check failed: not a ✘ beside a full score.
            Mark::Warn
        } else if seen.total > 0 {
            Mark::Fail
        } else {
            Mark::Todo
        };
        let score = if seen.total > 0 { format!("{}/{}", seen.best, seen.total) } else { "-".to_owned() };
        println!("  {mark} {:<16} {:>5}  {}", exercise.id, score.dimmed(), exercise.title);
    }
    println!(
        "{}",
        format!(
            "Legend: {} passes  {} fails  {} passed before, fails now  {} not checked yet; \
             the score is your best (steps passed / steps)",
            Mark::Pass,
            Mark::Fail,
            Mark::Warn,
            Mark::Todo
        )
        .dimmed()
    );
}
