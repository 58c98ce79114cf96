//! `cargo xtask solution EX [--yes]`: how the solution differs from your code.

use std::io::{BufRead, Write};
use std::process::{Command, ExitCode};

use colored::Colorize;

use crate::error::{Error, Result};
use crate::files;
use crate::progress::Progress;
use crate::ui;
use crate::workspace::Workspace;

/// Shows a diff from the learner's `src/` to the solution's, asking first when the
/// exercise does not pass yet.
pub fn run(ws: &Workspace, name: &str, yes: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let progress = Progress::load(ws);
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
    println!("{} {} (- yours, + the solution)\n", "Solution:".bold(), exercise.id);
    // File by file over the solution's sources: a module the solution includes from
    // the exercise (given code, shared, not copied) is not a difference.
    let theirs = format!("{}/src", exercise.solution_dir());
    for file in files::under(&ws.path(&theirs)) {
        let rel = file.strip_prefix(ws.path(&theirs)).expect("under the solution").to_string_lossy().replace('\\', "/");
        let mine = format!("{}/src/{rel}", exercise.exercise_dir());
        if ws.path(&mine).is_file() {
            diff(ws, &mine, &format!("{theirs}/{rel}"))?;
        } else {
            // The demo server (main.rs) and the like: not part of the exercise.
            println!("{} {theirs}/{rel}\n", "Only in the solution:".bold());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows `git diff --no-index` of two files, coloured when the terminal is.
fn diff(ws: &Workspace, mine: &str, theirs: &str) -> Result<()> {
    let colour = if colored::control::SHOULD_COLORIZE.should_colorize() { "--color=always" } else { "--color=never" };
    let status = Command::new("git")
        .current_dir(&ws.root)
        .args(["--no-pager", "diff", "--no-index", colour, mine, theirs])
        .status()
        .map_err(|e| Error::setup(format!("could not run git to show the diff: {e}\n  the solution is in {theirs}")))?;
    // git diff exits 1 when the files differ: that is the normal case here.
    if status.code().is_some_and(|c| c > 1) {
        return Err(Error::setup(format!("git could not compare {mine} with {theirs}")));
    }
    Ok(())
}
