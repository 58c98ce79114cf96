//! What an exercise's `tests/steps.rs` says about its steps, read from the source: the
//! real test names (for verdicts that run nothing: a build failure, tampering), the
//! numbering (`verify` checks it), and which steps await a future (a timeout there has
//! a likely cause worth naming).

use std::collections::BTreeMap;

use crate::manifest::Exercise;
use crate::workspace::Workspace;

/// The `step_N_…` tests of one steps file, by number.
#[derive(Debug, Default)]
pub struct StepsFile {
    steps: BTreeMap<usize, SourceStep>,
}

/// One step as written.
#[derive(Debug)]
pub struct SourceStep {
    /// The test's name: `step_3_keeps_the_connection`.
    pub name: String,
    /// Whether its body awaits something (`.await`).
    pub awaits: bool,
}

impl StepsFile {
    /// Reads the exercise's `tests/steps.rs`; a missing or unreadable file has no steps.
    pub fn read(ws: &Workspace, exercise: &Exercise) -> Self {
        let path = ws.path(exercise.exercise_dir()).join("tests/steps.rs");
        std::fs::read(path).map(|bytes| Self::parse(&String::from_utf8_lossy(&bytes))).unwrap_or_default()
    }

    /// Finds every `fn step_N_…` and the body that follows it (up to the next one).
    pub fn parse(text: &str) -> Self {
        let mut steps = BTreeMap::new();
        let mut current: Option<(usize, SourceStep)> = None;
        for line in text.lines() {
            if let Some(name) = step_fn(line)
                && let Some(number) = step_number(name)
            {
                steps.extend(current.take());
                current = Some((number, SourceStep { name: name.to_owned(), awaits: false }));
            } else if line == "}" {
                // rustfmt closes a function at column 0: the step's body ends here.
                steps.extend(current.take());
            } else if let Some((_, step)) = current.as_mut() {
                step.awaits |= line.contains(".await");
            }
        }
        steps.extend(current);
        Self { steps }
    }

    /// The test name of step `number`, if the file has it.
    pub fn name(&self, number: usize) -> Option<&str> {
        self.steps.get(&number).map(|s| s.name.as_str())
    }

    /// Whether step `number` awaits a future.
    pub fn awaits(&self, number: usize) -> bool {
        self.steps.get(&number).is_some_and(|s| s.awaits)
    }

    /// The step numbers found, in order.
    pub fn numbers(&self) -> Vec<usize> {
        self.steps.keys().copied().collect()
    }
}

/// The name in a line declaring a step function: `fn step_1_x(`, `async fn step_1_x(`.
fn step_fn(line: &str) -> Option<&str> {
    let rest = line.trim_start();
    let rest = rest.strip_prefix("pub ").unwrap_or(rest);
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let rest = rest.strip_prefix("fn ")?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|name| name.starts_with("step_"))
}

/// `step_12_keeps_it` → 12.
pub fn step_number(name: &str) -> Option<usize> {
    name.strip_prefix("step_")?.split('_').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &str = r#"
use fixture::double;

#[test]
fn step_1_doubles() {
    test_kit::run(|| async { assert_eq!(double(2), 4) });
}

async fn helper() {
    other().await;
}

#[test]
fn step_2_resolves() {
    test_kit::run(|| async {
        let n = fetch()
            .await;
    });
}
"#;

    #[test]
    fn reads_names_and_which_steps_await() {
        let file = StepsFile::parse(STEPS);
        assert_eq!(file.numbers(), [1, 2]);
        assert_eq!(file.name(1), Some("step_1_doubles"));
        assert!(!file.awaits(1));
        assert!(file.awaits(2));
        assert_eq!(file.name(3), None);
    }

    #[test]
    fn step_numbers_are_read_from_names() {
        assert_eq!(step_number("step_12_keeps_it"), Some(12));
        assert_eq!(step_number("helper"), None);
    }
}
