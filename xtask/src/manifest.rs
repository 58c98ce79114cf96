//! The exercise manifest, `exercises/exercises.toml`: the one list of exercises.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Where the manifest lives, from the workspace root.
pub const MANIFEST_PATH: &str = "exercises/exercises.toml";

/// Every exercise, in workshop order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
}

/// One exercise as the manifest describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// Stable name, also the folder under `exercises/` and `solutions/`: `05-lines`.
    pub id: String,
    /// One line, shown by `list` and in verdicts.
    pub title: String,
    /// The chapter that teaches it, from the workspace root.
    pub chapter: String,
    /// What each `step_N_…` test asks, in order.
    pub steps: Vec<String>,
    /// Progressive hints, revealed one at a time.
    pub hints: Vec<String>,
    /// Whether the solution is a server that `cargo xtask demo` can run.
    #[serde(default)]
    pub demo: bool,
}

impl Exercise {
    /// The learner's crate: `ex05-lines`.
    pub fn exercise_package(&self) -> String {
        format!("ex{}", self.id)
    }

    /// The solution's crate: `sol05-lines`.
    pub fn solution_package(&self) -> String {
        format!("sol{}", self.id)
    }

    /// The learner's crate folder, from the workspace root.
    pub fn exercise_dir(&self) -> String {
        format!("exercises/{}", self.id)
    }

    /// The solution's crate folder, from the workspace root.
    pub fn solution_dir(&self) -> String {
        format!("solutions/{}", self.id)
    }

    /// The command that shows the next hint.
    pub fn hint_command(&self) -> String {
        format!("cargo xtask hint {}", self.id)
    }
}

impl Manifest {
    /// Reads and checks the manifest under `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join(MANIFEST_PATH);
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::setup(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| Error::setup(format!("{MANIFEST_PATH} is not valid: {e}")))?;
        manifest.check()?;
        Ok(manifest)
    }

    fn check(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for exercise in &self.exercises {
            if !seen.insert(&exercise.id) {
                return Err(Error::setup(format!("{MANIFEST_PATH} lists {} twice", exercise.id)));
            }
            if exercise.steps.is_empty() || exercise.hints.is_empty() {
                return Err(Error::setup(format!(
                    "{MANIFEST_PATH}: {} needs at least one step and one hint",
                    exercise.id
                )));
            }
        }
        Ok(())
    }

    /// Finds an exercise by id, or by its number alone (`5`, `05`); an unknown name
    /// gets a "did you mean" from the closest ids.
    pub fn find(&self, name: &str) -> Result<&Exercise> {
        let by_number = |e: &&Exercise| {
            let number = e.id.split('-').next().unwrap_or_default();
            name.parse::<u32>().ok().is_some_and(|n| number.parse::<u32>() == Ok(n))
        };
        let by_topic = |e: &&Exercise| e.id.split_once('-').is_some_and(|(_, topic)| topic == name);
        self.exercises
            .iter()
            .find(|e| e.id == name)
            .or_else(|| self.exercises.iter().find(by_number))
            .or_else(|| self.exercises.iter().find(by_topic))
            .ok_or_else(|| self.unknown(name))
    }

    fn unknown(&self, name: &str) -> Error {
        let mut ranked: Vec<(usize, &str)> =
            self.exercises.iter().map(|e| (edit_distance(name, &e.id), e.id.as_str())).collect();
        ranked.sort();
        let close: Vec<&str> = ranked.iter().take_while(|(d, _)| *d <= 4).take(3).map(|(_, id)| *id).collect();
        let mut message = format!("there is no exercise called {name:?}.");
        if close.is_empty() {
            message.push_str("\n  run `cargo xtask list` to see them all");
        } else {
            message.push_str(&format!("\n  did you mean {}?", close.join(", ")));
        }
        Error::usage(message)
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        toml::from_str(
            r#"
            [[exercise]]
            id = "03-deferreds"
            title = "t"
            chapter = "c"
            steps = ["s"]
            hints = ["h"]
            [[exercise]]
            id = "05-lines"
            title = "t"
            chapter = "c"
            steps = ["s"]
            hints = ["h"]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn finds_by_id_number_or_topic() {
        let m = manifest();
        assert_eq!(m.find("05-lines").unwrap().id, "05-lines");
        assert_eq!(m.find("5").unwrap().id, "05-lines");
        assert_eq!(m.find("deferreds").unwrap().id, "03-deferreds");
    }

    #[test]
    fn unknown_names_get_did_you_mean() {
        let error = manifest().find("05-line").unwrap_err();
        assert!(error.to_string().contains("did you mean 05-lines?"), "{error}");
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
