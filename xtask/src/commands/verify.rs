//! `cargo xtask verify`: every stub fails every step, every solution passes every
//! step, the seal holds, and the runner's own tests pass. CI runs this.
//!
//! It ends with one countable line, `N passed, N failed`.

use std::io::{BufRead, BufReader};
use std::process::{ExitCode, Stdio};

use colored::Colorize;

use crate::cargo::{self, Build};
use crate::error::{self, Error, Result};
use crate::manifest::Exercise;
use crate::seal;
use crate::steps::StepsFile;
use crate::testrun::{self, Outcome, Outcomes};
use crate::ui::Mark;
use crate::workspace::Workspace;

/// Tallies checks as they are printed.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn record(&mut self, ok: bool, what: &str, detail: &str) {
        if ok {
            self.passed += 1;
            println!("  {} {what}", Mark::Pass);
        } else {
            self.failed += 1;
            println!("  {} {what}\n{}", Mark::Fail, crate::ui::indent(detail, 6));
        }
    }
}

/// Runs every check.
pub fn run(ws: &Workspace, exercises_only: bool) -> Result<ExitCode> {
    let mut tally = Tally::default();

    println!("{}", "Exercises".bold());
    let mut packages = Vec::new();
    for exercise in &ws.manifest.exercises {
        packages.push(exercise.exercise_package());
        packages.push(exercise.solution_package());
        let changes = seal::changes(ws, exercise)?;
        tally.record(
            changes.is_empty(),
            &format!("{}: the teacher's files match the seal", exercise.id),
            &format!("{}\nchanged on purpose? record them with `cargo xtask seal`", changes.join("\n")),
        );
        let problems = shape(ws, exercise)?;
        tally.record(
            problems.is_empty(),
            &format!(
                "{}: steps numbered 1 to {} without gaps, and a snapshot (CONTRIBUTING.md)",
                exercise.id,
                exercise.steps.len()
            ),
            &problems.join("\n"),
        );
    }

    match cargo::build_steps(&ws.root, &packages)? {
        Build::Failed { first_error, .. } => tally.record(false, "every exercise and solution builds", &first_error),
        Build::Built(binaries) => {
            for exercise in &ws.manifest.exercises {
                for (package, dir, solved) in [
                    (exercise.exercise_package(), exercise.exercise_dir(), false),
                    (exercise.solution_package(), exercise.solution_dir(), true),
                ] {
                    let Some(exe) = binaries.get(&package) else {
                        tally.record(false, &format!("{package} has a steps test"), "no test target named `steps`");
                        continue;
                    };
                    let outcomes = testrun::run_steps(&ws.root, &ws.path(&dir), exe)?;
                    let (ok, what, detail) = judge(exercise, &package, solved, &outcomes);
                    tally.record(ok, &what, &detail);
                }
            }
        }
    }

    if !exercises_only {
        println!("\n{}", "Tests of the whole (runner, book, test kit; the bench builds)".bold());
        self_tests(ws, &mut tally)?;
    }

    println!("\n{} passed, {} failed", tally.passed, tally.failed);
    Ok(error::exit(tally.failed == 0))
}

/// What CONTRIBUTING.md asks of an exercise's tests that a build cannot see: steps
/// named `step_1_…` to `step_N_…` for the manifest's N steps, no gaps, no repeats, and
/// at least one sealed insta snapshot. Returns the problems found.
fn shape(ws: &Workspace, exercise: &Exercise) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let numbers = StepsFile::read(ws, exercise).numbers();
    let expected: Vec<usize> = (1..=exercise.steps.len()).collect();
    if numbers != expected {
        let found: Vec<String> = numbers.iter().map(usize::to_string).collect();
        problems.push(format!(
            "{}/tests/steps.rs has steps numbered {}; the manifest lists {} steps: number them 1 to {} without gaps",
            exercise.exercise_dir(),
            if found.is_empty() { "none".to_owned() } else { found.join(", ") },
            expected.len(),
            expected.len()
        ));
    }
    let snapshots = format!("{}/tests/snapshots/", exercise.exercise_dir());
    let sealed = seal::sealed_files(ws, exercise)?;
    if !sealed.iter().any(|path| path.starts_with(&snapshots) && path.ends_with(".snap")) {
        problems.push(format!(
            "no snapshot under {snapshots}: every exercise has at least one (record it from the solution \
             with INSTA_UPDATE=always, then `cargo xtask seal`)"
        ));
    }
    Ok(problems)
}

/// A stub must fail every step; a solution must pass every step; both must have as
/// many steps as the manifest lists.
fn judge(exercise: &Exercise, package: &str, solved: bool, outcomes: &Outcomes) -> (bool, String, String) {
    let steps: Vec<(&String, &Outcome)> = outcomes.iter().filter(|(name, _)| name.starts_with("step_")).collect();
    let expected = exercise.steps.len();
    if steps.len() != expected {
        return (
            false,
            format!("{package}: {} steps, as the manifest lists", expected),
            format!("the tests have {} step_… tests, the manifest lists {expected} steps", steps.len()),
        );
    }
    let wrong: Vec<String> = steps
        .iter()
        .filter(|(_, outcome)| (**outcome == Outcome::Passed) != solved)
        .map(|(name, outcome)| match outcome {
            Outcome::Passed => format!("{name} passes on the stub: it proves nothing"),
            Outcome::Failed(text) => format!("{name} fails:\n{}", crate::ui::indent(text, 2)),
            Outcome::TimedOut(secs) => format!("{name} timed out after {secs} s"),
        })
        .collect();
    let what = if solved {
        format!("{package}: the solution passes all {expected} steps")
    } else {
        format!("{package}: the stub fails all {expected} steps")
    };
    (wrong.is_empty(), what, wrong.join("\n"))
}

/// Runs `cargo test` on the tests of the whole (tests/: the runner's CLI and the book),
/// the runner's unit tests, the test kit, the bench, the room server and the book's worked examples,
/// counting libtest's results.
fn self_tests(ws: &Workspace, tally: &mut Tally) -> Result<()> {
    let mut command = cargo::cargo();
    command
        .current_dir(&ws.root)
        .args([
            "test",
            "--no-fail-fast",
            "--package",
            "untwisted",
            "--package",
            "xtask",
            "--package",
            "untwisted-test-kit",
            "--package",
            "untwisted-bench",
            "--package",
            "untwisted-room",
            "--package",
            "untwisted-book-examples",
        ])
        .stdout(Stdio::piped());
    let mut running = cargo::spawn(&mut command)?;
    let child = &mut running.child;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut saw_results = false;
    for line in BufReader::new(stdout).lines().map_while(std::io::Result::ok) {
        println!("{line}");
        if let Some((passed, failed)) = libtest_summary(&line) {
            saw_results = true;
            tally.passed += passed;
            tally.failed += failed;
        }
    }
    let status = child.wait().map_err(|e| Error::setup(e.to_string()))?;
    if !status.success() && (!saw_results || tally.failed == 0) {
        tally.record(
            false,
            "the runner's own tests build and run",
            "cargo test failed before reporting results (see above)",
        );
    }
    Ok(())
}

/// `test result: ok. 12 passed; 1 failed; …` → (12, 1).
fn libtest_summary(line: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix("test result: ")?;
    let count = |word: &str| -> Option<usize> {
        let before = rest.split(&format!(" {word}")).next()?;
        before.rsplit(' ').next()?.parse().ok()
    };
    Some((count("passed")?, count("failed")?))
}

#[cfg(test)]
mod tests {
    use super::libtest_summary;

    #[test]
    fn reads_libtest_summaries() {
        assert_eq!(
            libtest_summary("test result: FAILED. 12 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out"),
            Some((12, 1))
        );
        assert_eq!(libtest_summary("running 3 tests"), None);
    }
}
