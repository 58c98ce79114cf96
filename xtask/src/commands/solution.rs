//! `cargo xtask solution EX [--yes]`: how the solution differs from your code.

use std::io::{BufRead, Write};
use std::process::{Command, ExitCode};

use colored::Colorize;

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::ui;
use crate::workspace::Workspace;

/// Shows a diff from the learner's `src/` to the solution's, asking first when the
/// exercise does not pass yet.
pub fn run(ws: &Workspace, name: &str, yes: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let (progress, _) = Progress::load(ws);
    if !progress.of(&exercise.id).passed && !yes {
        if !ui::interactive() {
            return Err(Error::usage(format!(
                "{} does not pass yet. To see its solution anyway: cargo xtask solution {} --yes",
                exercise.id, exercise.id
            )));
        }
        print!("{} does not pass yet. Show the solution anyway? [y/N] ", exercise.id);
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !answer.trim().eq_ignore_ascii_case("y") {
            println!("Not shown. `{}` gives a smaller push.", exercise.hint_command());
            return Ok(ExitCode::SUCCESS);
        }
    }
    let mine = format!("{}/src", exercise.exercise_dir());
    let theirs = format!("{}/src", exercise.solution_dir());
    println!("{} {} (- yours, + the solution)\n", "Solution:".bold(), exercise.id);
    let colour = if colored::control::SHOULD_COLORIZE.should_colorize() { "--color=always" } else { "--color=never" };
    let status = Command::new("git")
        .current_dir(&ws.root)
        .args(["--no-pager", "diff", "--no-index", colour, &mine, &theirs])
        .status()
        .map_err(|e| Error::setup(format!("could not run git to show the diff: {e}\n  the solution is in {theirs}")))?;
    // git diff exits 1 when the trees differ: that is the normal case here.
    if status.code().is_some_and(|c| c > 1) {
        return Err(Error::setup(format!("git could not compare the two; the solution is in {theirs}")));
    }
    Ok(ExitCode::SUCCESS)
}
