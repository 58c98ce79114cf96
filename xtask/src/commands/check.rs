//! `cargo xtask check [EX] [--all] [--json]`: build, run the steps, give a verdict.

use std::process::ExitCode;

use colored::Colorize;

use crate::cargo::{self, Build};
use crate::error::{Error, Result};
use crate::manifest::Exercise;
use crate::progress::Progress;
use crate::verdict::Verdict;
use crate::workspace::Workspace;
use crate::{seal, testrun};

/// Checks one exercise (by default the current one), or all of them.
pub fn run(ws: &Workspace, name: Option<&str>, all: bool, json: bool) -> Result<ExitCode> {
    let (mut progress, warning) = Progress::load(ws);
    if let Some(warning) = warning {
        eprintln!("{} {warning}", "warning:".yellow().bold());
    }
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
        progress.record(&verdict);
        if !json {
            println!("{}", verdict.render());
            if verdict.passed() && !all {
                print_next(ws, exercise);
            }
        }
        verdicts.push(verdict);
    }
    progress.save(ws)?;

    if json {
        let out =
            if all { serde_json::to_string_pretty(&verdicts) } else { serde_json::to_string_pretty(&verdicts[0]) };
        println!("{}", out.expect("verdicts serialise"));
    } else if all {
        let passed = verdicts.iter().filter(|v| v.passed()).count();
        println!("{passed} of {} exercises pass.", verdicts.len());
    }
    Ok(if verdicts.iter().all(Verdict::passed) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The exercise the learner is on: the first that does not pass yet.
pub fn current<'a>(ws: &'a Workspace, progress: &Progress) -> &'a Exercise {
    let exercises = &ws.manifest.exercises;
    exercises.iter().find(|e| !progress.of(&e.id).passed).unwrap_or(&exercises[exercises.len() - 1])
}

/// Builds and runs one exercise's steps: the verdict a learner sees.
pub fn check(ws: &Workspace, exercise: &Exercise) -> Result<Verdict> {
    if let Some(tampering) = seal::check(ws, exercise)? {
        return Ok(Verdict::tampered(exercise, tampering));
    }
    let package = exercise.exercise_package();
    match cargo::build_steps(&ws.root, std::slice::from_ref(&package))? {
        Build::Failed { first_error, errors } => Ok(Verdict::build_failed(exercise, &first_error, errors)),
        Build::Built(binaries) => {
            let exe = binaries.get(&package).ok_or_else(|| no_steps(exercise))?;
            let outcomes = testrun::run_steps(&ws.root, &ws.path(exercise.exercise_dir()), exe)?;
            Ok(Verdict::from_outcomes(exercise, &outcomes))
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

fn print_next(ws: &Workspace, exercise: &Exercise) {
    match ws.manifest.next_after(&exercise.id) {
        Some(next) => println!(
            "{} Next: {} {}\n  cargo xtask check {}",
            "Well done!".green().bold(),
            next.id.bold(),
            next.title,
            next.id
        ),
        None => println!("{} That was the last exercise.", "Well done!".green().bold()),
    }
}
