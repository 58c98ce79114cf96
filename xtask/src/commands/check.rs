//! `cargo xtask check [EX] [--all] [--json]`: build, run the steps, give a verdict.

use std::process::ExitCode;

use colored::Colorize;

use crate::cargo::{self, Build};
use crate::error::{self, Error, Result};
use crate::manifest::Exercise;
use crate::progress::Progress;
use crate::steps::StepsFile;
use crate::verdict::Verdict;
use crate::workspace::Workspace;
use crate::{report, seal, testrun};

/// Checks one exercise (by default the current one), or all of them.
///
/// With `--json`, stdout gets exactly one JSON value (the verdict, or the array of
/// them with `--all`); a record that cannot be saved is a warning on stderr, never a
/// reason to print nothing.
pub fn run(ws: &Workspace, name: Option<&str>, all: bool, json: bool) -> Result<ExitCode> {
    let mut progress = Progress::load(ws);
    let exercises: Vec<&Exercise> = if all {
        ws.manifest.exercises.iter().collect()
    } else {
        vec![match name {
            Some(name) => ws.manifest.find(name)?,
            None => current(ws, &progress),
        }]
    };

    let mut verdicts = Vec::new();
    for exercise in exercises {
        let verdict = check(ws, exercise)?;
        // While joined, the room hears of it (in the background; never of `--all`,
        // which would move the learner to the last exercise on the instructor's page).
        if !all {
            report::post_in_background(ws, &verdict);
        }
        Progress::update(ws, |saved| saved.record(&verdict));
        progress.record(&verdict);
        if !json {
            println!("{}", verdict.render());
            if verdict.passed() && !all {
                print_next(ws, &progress);
            }
        }
        verdicts.push(verdict);
    }

    if json {
        let out =
            if all { serde_json::to_string_pretty(&verdicts) } else { serde_json::to_string_pretty(&verdicts[0]) };
        println!("{}", out.expect("verdicts serialise"));
    } else if all {
        let passed = verdicts.iter().filter(|v| v.passed()).count();
        println!("{passed} of {} exercises pass.", verdicts.len());
    }
    Ok(error::exit(verdicts.iter().all(Verdict::passed)))
}

/// The first exercise, in workshop order, that does not pass yet.
pub fn first_unfinished<'a>(ws: &'a Workspace, progress: &Progress) -> Option<&'a Exercise> {
    ws.manifest.exercises.iter().find(|e| !progress.of(&e.id).passed)
}

/// The exercise the learner is on: the first that does not pass yet (the last one
/// when all pass).
pub fn current<'a>(ws: &'a Workspace, progress: &Progress) -> &'a Exercise {
    let exercises = &ws.manifest.exercises;
    first_unfinished(ws, progress).unwrap_or(&exercises[exercises.len() - 1])
}

/// Builds and runs one exercise's steps: the verdict a learner sees.
pub fn check(ws: &Workspace, exercise: &Exercise) -> Result<Verdict> {
    let source = StepsFile::read(ws, exercise);
    if let Some(tampering) = seal::check(ws, exercise)? {
        return Ok(Verdict::tampered(exercise, &source, tampering));
    }
    let package = exercise.exercise_package();
    match cargo::build_steps(&ws.root, std::slice::from_ref(&package))? {
        Build::Failed { first_error, errors } => Ok(Verdict::build_failed(exercise, &source, &first_error, errors)),
        Build::Built(binaries) => {
            let exe = binaries.get(&package).ok_or_else(|| no_steps(exercise))?;
            let outcomes = testrun::run_steps(&ws.root, &ws.path(exercise.exercise_dir()), exe)?;
            Ok(Verdict::from_outcomes(exercise, &outcomes, &source))
        }
    }
}

/// The error for a crate without `tests/steps.rs`.
pub fn no_steps(exercise: &Exercise) -> Error {
    Error::setup(format!(
        "{} has no tests/steps.rs to run\n  restore it with: cargo xtask reset {} --tests",
        exercise.exercise_dir(),
        exercise.id
    ))
}

/// After a pass: the first exercise, in order, that is not done yet (an earlier one
/// left open comes before the one after this).
fn print_next(ws: &Workspace, progress: &Progress) {
    match first_unfinished(ws, progress) {
        Some(next) => println!(
            "{} Next: {} {}\n  cargo xtask check {}",
            "Well done!".green().bold(),
            next.id.bold(),
            next.title,
            next.id
        ),
        None => println!("{} Every exercise passes.", "Well done!".green().bold()),
    }
}
