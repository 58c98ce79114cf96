//! The learner's progress: which exercises pass, best scores, hints seen.
//!
//! Kept in `.untwisted/progress.json`, written atomically (a temporary file renamed
//! over the old one), so a crash or a full disk never leaves half a file. A file that
//! cannot be read (not JSON, not UTF-8, not readable) is moved aside, not trusted and
//! not lost. Every change is a read-modify-write under a lock file, so two commands
//! at once (a `watch` and a `check`) both keep their record.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::verdict::Verdict;
use crate::workspace::Workspace;
use crate::{files, ui};

const FILE: &str = "progress.json";
const LOCK: &str = "progress.lock";
const VERSION: u32 = 1;
/// A lock older than this was left by a runner that died holding it (the lock is
/// held for a read and a write, milliseconds).
const STALE_LOCK: Duration = Duration::from_secs(5);
/// How long to wait for another runner's lock before giving up.
const PATIENCE: Duration = Duration::from_secs(20);

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
    /// Loads progress to read it. A missing file is a fresh start; one that cannot be
    /// read is moved aside, with a warning on stderr.
    pub fn load(ws: &Workspace) -> Self {
        let (progress, warning) = Self::read(&ws.state_dir().join(FILE));
        if let Some(warning) = warning {
            ui::warning(warning);
        }
        progress
    }

    /// Changes the record and saves it: the newest record is read under the lock,
    /// `change`d, and written atomically. When the record cannot be saved, says so
    /// on stderr and returns `None`: a verdict stands without its record.
    pub fn update<T>(ws: &Workspace, change: impl FnOnce(&mut Progress) -> T) -> Option<T> {
        let dir = ws.state_dir();
        let saved = Lock::acquire(&dir).and_then(|_lock| {
            let mut progress = Self::load(ws);
            let result = change(&mut progress);
            progress.save(&dir.join(FILE))?;
            Ok(result)
        });
        saved.map_err(|error| ui::warning(format!("your progress could not be saved: {error}"))).ok()
    }

    /// Reads `path`; the warning, if any, says what happened to an unreadable file.
    fn read(path: &Path) -> (Self, Option<String>) {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => Ok(bytes),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return (Self::fresh(), None);
            }
            Err(e) => Err(e.to_string()),
        };
        let parsed = bytes.and_then(|bytes| serde_json::from_slice::<Progress>(&bytes).map_err(|e| e.to_string()));
        let why = match parsed {
            Ok(progress) if progress.version == VERSION => return (progress, None),
            Ok(progress) => format!("it is version {}, this runner reads version {VERSION}", progress.version),
            Err(why) => why,
        };
        let aside = files::unused(&path.with_extension("json.corrupt"));
        let moved = std::fs::rename(path, &aside).is_ok();
        let warning = format!(
            "your progress file {} could not be read ({why}){}; starting from a clean record \
             (your code is untouched; `cargo xtask check` rebuilds the record)",
            path.display(),
            if moved { format!(" and was moved to {}", aside.display()) } else { String::new() }
        );
        (Self::fresh(), Some(warning))
    }

    fn fresh() -> Self {
        Self { version: VERSION, exercises: BTreeMap::new() }
    }

    fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self).expect("progress serialises");
        files::write_atomically(path, json.as_bytes())
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

/// The progress lock, held while it exists: `create_new` makes taking it atomic on
/// every OS and filesystem (it predates the MSRV's move to 1.89, which brought std's
/// `File::lock`).
struct Lock(PathBuf);

impl Lock {
    /// Takes the lock in `dir`, waiting for another runner's, and breaking one left
    /// behind by a runner that died holding it.
    fn acquire(dir: &Path) -> Result<Lock> {
        let path = dir.join(LOCK);
        let fail = |e: std::io::Error| Error::setup(format!("cannot lock {}: {e}", path.display()));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let start = Instant::now();
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    // Who holds it, for a person who finds it.
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if age(&path).is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if start.elapsed() > PATIENCE {
                        return Err(Error::setup(format!(
                            "{} is held by another runner; if none is running, delete it",
                            path.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(fail(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// How long ago `path` was last written.
fn age(path: &Path) -> Option<Duration> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_excludes_and_a_stale_one_is_broken() {
        let dir = tempfile::tempdir().unwrap();
        let held = Lock::acquire(dir.path()).unwrap();
        // A second taker waits while it is held...
        let waiter = {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let start = Instant::now();
                drop(Lock::acquire(&dir).unwrap());
                start.elapsed()
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        drop(held);
        assert!(waiter.join().unwrap() >= Duration::from_millis(150));
        // ...and a lock nobody released, older than STALE_LOCK, is taken over.
        let path = dir.path().join(LOCK);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - STALE_LOCK * 2).unwrap();
        drop(Lock::acquire(dir.path()).unwrap());
        assert!(!path.exists());
    }
}
