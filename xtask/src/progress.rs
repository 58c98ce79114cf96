//! The learner's progress: which exercises pass, best scores, hints seen.
//!
//! Kept in `.untwisted/progress.json`, written atomically (a temporary file renamed
//! over the old one), so a crash or a full disk never leaves half a file. A file that
//! cannot be read is moved aside, not trusted and not lost.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::verdict::Verdict;
use crate::workspace::Workspace;

const FILE: &str = "progress.json";
const VERSION: u32 = 1;

/// Everything the runner remembers between commands.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    version: u32,
    /// By exercise id; ids no longer in the manifest are kept but ignored.
    #[serde(default)]
    exercises: BTreeMap<String, ExerciseProgress>,
}

/// What the runner remembers of one exercise.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// Whether the last check passed.
    pub passed: bool,
    /// Most steps passed in any check.
    pub best: usize,
    /// Steps in the exercise at the last check.
    pub total: usize,
    /// How many hints `hint` has shown.
    pub hints_seen: usize,
}

impl Progress {
    /// Loads progress; a missing file is a fresh start, a corrupt one is moved aside
    /// with a warning (returned for the caller to print).
    pub fn load(ws: &Workspace) -> (Self, Option<String>) {
        let path = ws.state_dir().join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(_) => return (Self::fresh(), None),
        };
        match serde_json::from_str::<Progress>(&text) {
            Ok(progress) if progress.version == VERSION => (progress, None),
            _ => {
                let aside = path.with_extension("json.corrupt");
                let moved = std::fs::rename(&path, &aside).is_ok();
                let warning = format!(
                    "your progress file {} could not be read{}; starting from a clean record \
                     (your code is untouched; `cargo xtask check` rebuilds the record)",
                    path.display(),
                    if moved { format!(" and was moved to {}", aside.display()) } else { String::new() }
                );
                (Self::fresh(), Some(warning))
            }
        }
    }

    fn fresh() -> Self {
        Self { version: VERSION, exercises: BTreeMap::new() }
    }

    /// Writes progress atomically.
    pub fn save(&self, ws: &Workspace) -> Result<()> {
        let json = serde_json::to_string_pretty(self).expect("progress serialises");
        write_atomically(&ws.state_dir().join(FILE), json.as_bytes())
    }

    /// What is known of `id` (nothing yet is the default).
    pub fn of(&self, id: &str) -> ExerciseProgress {
        self.exercises.get(id).cloned().unwrap_or_default()
    }

    /// Records a check's verdict.
    pub fn record(&mut self, verdict: &Verdict) {
        let entry = self.exercises.entry(verdict.exercise.clone()).or_default();
        entry.passed = verdict.passed();
        entry.best = entry.best.max(verdict.passed);
        entry.total = verdict.total;
    }

    /// Notes that one more hint of `id` was shown; returns how many are now seen.
    pub fn see_hint(&mut self, id: &str, available: usize) -> usize {
        let entry = self.exercises.entry(id.to_owned()).or_default();
        entry.hints_seen = (entry.hints_seen + 1).min(available);
        entry.hints_seen
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().expect("a file path has a parent");
    let fail = |e: std::io::Error| Error::setup(format!("cannot write {}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
