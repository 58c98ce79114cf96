//! A verdict: what a learner needs to know after a check, for people and machines.

use std::collections::BTreeMap;

use colored::Colorize;
use serde::Serialize;

use crate::manifest::Exercise;
use crate::steps::{StepsFile, step_number};
use crate::testrun::{self, Outcome, Outcomes};
use crate::ui::{Mark, indent};

/// Version of the `--json` format; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// The result of checking one exercise. `--json` prints exactly this.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub version: u32,
    pub exercise: String,
    pub title: String,
    pub status: Status,
    /// Steps passed, out of `total`.
    pub passed: usize,
    pub total: usize,
    pub steps: Vec<Step>,
    /// The first failing step (or the build), when there is one.
    pub failure: Option<Failure>,
    pub hint_command: String,
    pub chapter: String,
}

/// The exercise as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// The learner's code does not compile yet.
    BuildFailed,
    /// The tests or snapshots were changed, so the steps prove nothing.
    Tampered,
}

/// One step of the exercise.
#[derive(Debug, Serialize)]
pub struct Step {
    pub number: usize,
    /// The test's name: `step_3_keeps_the_connection`.
    pub name: String,
    /// What the step asks, from the manifest.
    pub description: String,
    pub status: StepStatus,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Passed,
    Failed,
    TimedOut,
    NotRun,
}

/// Why the exercise does not pass yet.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The step's number; none for a build failure or tampering.
    pub step: Option<usize>,
    pub kind: FailureKind,
    /// In words a learner understands: the assertion, the snapshot diff, …
    pub message: String,
}

/// The kind of a failure, so a verdict can say the right thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A `todo!()` was reached.
    NotImplemented,
    /// Output differs from the expected snapshot.
    Snapshot,
    /// An `assert!` or a test-kit check failed.
    Assertion,
    /// Any other panic.
    Panic,
    /// The step ran past its time limit.
    Timeout,
    /// The code does not compile.
    Build,
    /// Tests or snapshots differ from the seal.
    Tampered,
}

impl Verdict {
    /// A verdict from the outcomes of the exercise's `steps` binary, scored against
    /// the manifest's steps: a step the binary never reported fails.
    pub fn from_outcomes(exercise: &Exercise, outcomes: &Outcomes, source: &StepsFile) -> Self {
        let reported: BTreeMap<usize, (&String, &Outcome)> =
            outcomes.iter().filter_map(|(name, outcome)| Some((step_number(name)?, (name, outcome)))).collect();
        let count = exercise.steps.len().max(reported.keys().last().copied().unwrap_or(0));
        let never_reported = Outcome::Failed(testrun::exited_early(None));

        let mut failure = None;
        let steps: Vec<Step> = (1..=count)
            .map(|number| {
                let (name, outcome) = match reported.get(&number) {
                    Some((name, outcome)) => ((*name).clone(), *outcome),
                    None => (step_name(source, number), &never_reported),
                };
                let status = match outcome {
                    Outcome::Passed => StepStatus::Passed,
                    Outcome::Failed(_) => StepStatus::Failed,
                    Outcome::TimedOut(_) => StepStatus::TimedOut,
                };
                if failure.is_none() && status != StepStatus::Passed {
                    let (kind, message) = explain(outcome, source.awaits(number));
                    failure = Some(Failure { step: Some(number), kind, message });
                }
                Step { number, description: describe(exercise, number, &name), name, status }
            })
            .collect();
        let passed = steps.iter().filter(|s| s.status == StepStatus::Passed).count();
        let status = if failure.is_none() && count > 0 { Status::Passed } else { Status::Failed };
        Self::new(exercise, status, passed, steps, failure)
    }

    /// A verdict for code that does not compile: the first error only.
    pub fn build_failed(exercise: &Exercise, source: &StepsFile, first_error: &str, errors: usize) -> Self {
        let more = match errors {
            0 | 1 => String::new(),
            n => {
                format!("\n({} more error{} after this one: fix this one first)", n - 1, if n == 2 { "" } else { "s" })
            }
        };
        let failure =
            Failure { step: None, kind: FailureKind::Build, message: format!("{}{more}", first_error.trim_end()) };
        Self::new(exercise, Status::BuildFailed, 0, not_run(exercise, source), Some(failure))
    }

    /// A verdict for changed tests or snapshots: nothing is run.
    pub fn tampered(exercise: &Exercise, source: &StepsFile, message: String) -> Self {
        let failure = Failure { step: None, kind: FailureKind::Tampered, message };
        Self::new(exercise, Status::Tampered, 0, not_run(exercise, source), Some(failure))
    }

    fn new(exercise: &Exercise, status: Status, passed: usize, steps: Vec<Step>, failure: Option<Failure>) -> Self {
        Verdict {
            version: JSON_VERSION,
            exercise: exercise.id.clone(),
            title: exercise.title.clone(),
            status,
            passed,
            total: steps.len(),
            steps,
            failure,
            hint_command: exercise.hint_command(),
            chapter: exercise.chapter.clone(),
        }
    }

    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.status == Status::Passed
    }

    /// The verdict for a person at a terminal.
    pub fn render(&self) -> String {
        let mut out = format!("{} {}\n", self.exercise.bold(), self.title);
        for step in &self.steps {
            let mark = match step.status {
                StepStatus::Passed => Mark::Pass,
                StepStatus::Failed | StepStatus::TimedOut => Mark::Fail,
                StepStatus::NotRun => Mark::Todo,
            };
            out.push_str(&format!("  {mark} step {}: {}\n", step.number, step.description));
        }
        if let Some(failure) = &self.failure {
            let heading = match (failure.kind, failure.step) {
                (FailureKind::Build, _) => "Your code does not compile yet:".to_owned(),
                (FailureKind::Tampered, _) => "The checks cannot run:".to_owned(),
                (_, Some(step)) => format!("Step {step} fails:"),
                (_, None) => "It fails:".to_owned(),
            };
            out.push_str(&format!("\n{}\n{}\n", heading.red().bold(), indent(&failure.message, 4)));
        }
        let score = format!("{}/{} steps", self.passed, self.total);
        out.push_str(&format!(
            "\nScore:   {}\n",
            if self.passed() { score.green().bold() } else { score.yellow().bold() }
        ));
        if !self.passed() {
            out.push_str(&format!("Hint:    {}\n", self.hint_command.cyan()));
        }
        out.push_str(&format!("Chapter: {}\n", self.chapter));
        out
    }
}

/// The step's test name from the source, else `step_N`.
fn step_name(source: &StepsFile, number: usize) -> String {
    source.name(number).map(str::to_owned).unwrap_or_else(|| format!("step_{number}"))
}

fn describe(exercise: &Exercise, number: usize, name: &str) -> String {
    exercise
        .steps
        .get(number.wrapping_sub(1))
        .cloned()
        .unwrap_or_else(|| name.splitn(3, '_').nth(2).unwrap_or(name).replace('_', " "))
}

fn not_run(exercise: &Exercise, source: &StepsFile) -> Vec<Step> {
    (1..=exercise.steps.len())
        .map(|number| {
            let name = step_name(source, number);
            Step { number, description: describe(exercise, number, &name), name, status: StepStatus::NotRun }
        })
        .collect()
}

/// Why a step may have run out of time: a step that awaits most likely waits on a
/// future that was never woken.
fn timeout_cause(awaits: bool) -> &'static str {
    if awaits {
        "a poll returned Pending and nothing woke the task (was the waker stored, and woken when the value came?), \
         or a loop never yields"
    } else {
        "the step never finished (an endless loop, or waiting for something that never comes?)"
    }
}

/// Turns what a failing test printed into a kind and a message a learner can act on.
fn explain(outcome: &Outcome, awaits: bool) -> (FailureKind, String) {
    let text = match outcome {
        Outcome::TimedOut(secs) => {
            return (FailureKind::Timeout, format!("timed out after {secs} s: {}", timeout_cause(awaits)));
        }
        Outcome::Failed(text) => text,
        Outcome::Passed => return (FailureKind::Panic, String::new()),
    };
    let (location, message) = panic_message(text);
    if let Some(what) = message.strip_prefix("not yet implemented") {
        let what = what.trim_start_matches(':').trim();
        let what = if what.is_empty() { "a todo!()".to_owned() } else { what.to_owned() };
        let at = location.map(|l| format!("\n  at {l}")).unwrap_or_default();
        return (FailureKind::NotImplemented, format!("not implemented yet: {what}{at}"));
    }
    if message.starts_with("timed out after") {
        return (FailureKind::Timeout, format!("{message}: {}", timeout_cause(awaits)));
    }
    if let Some(diff) = snapshot_diff(text) {
        return (
            FailureKind::Snapshot,
            format!("the output differs from the expected snapshot (- expected, + yours):\n{diff}"),
        );
    }
    let kind = if message.starts_with("assertion") { FailureKind::Assertion } else { FailureKind::Panic };
    let at = match (kind, location) {
        (FailureKind::Panic, Some(l)) => format!("\n  at {l}"),
        _ => String::new(),
    };
    (kind, format!("{message}{at}"))
}

/// Splits "thread 'x' panicked at LOCATION:\nMESSAGE\nnote: …" into its parts.
fn panic_message(text: &str) -> (Option<String>, String) {
    let Some(start) = text.find("panicked at ") else { return (None, text.trim().to_owned()) };
    let after = &text[start + "panicked at ".len()..];
    let (location, rest) = after.split_once(":\n").unwrap_or((after, ""));
    let message = rest.split("\nnote: run with `RUST_BACKTRACE").next().unwrap_or(rest);
    (Some(location.trim().to_owned()), message.trim().to_owned())
}

/// Cuts insta's diff table out of its report (the lines between `+new results` and
/// the table's bottom edge).
fn snapshot_diff(text: &str) -> Option<String> {
    if !text.contains("Snapshot Summary") && !text.contains("snapshot assertion") {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("+new results"))?;
    let table: Vec<&str> =
        lines[start + 1..].iter().take_while(|l| !l.contains('┴')).filter(|l| !l.contains('┬')).copied().collect();
    Some(table.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_names_the_function_and_place() {
        let (kind, message) = explain(
            &Outcome::Failed(
                "thread 's' panicked at src/lib.rs:9:5:\nnot yet implemented: greeting(Ada)\nnote: run with `RUST_BACKTRACE=1`"
                    .into(),
            ),
            false,
        );
        assert_eq!(kind, FailureKind::NotImplemented);
        assert_eq!(message, "not implemented yet: greeting(Ada)\n  at src/lib.rs:9:5");
    }

    #[test]
    fn a_timeout_names_the_waker_only_where_the_step_awaits() {
        let timeout = Outcome::Failed("thread 's' panicked at t.rs:1:1:\ntimed out after 10 s".into());
        let (kind, message) = explain(&timeout, true);
        assert_eq!(kind, FailureKind::Timeout);
        assert!(message.starts_with("timed out after 10 s: a poll returned Pending and nothing woke the task"));
        assert!(explain(&timeout, false).1.contains("an endless loop"));
        assert!(explain(&Outcome::TimedOut(60), true).1.contains("nothing woke the task"));
    }
}
