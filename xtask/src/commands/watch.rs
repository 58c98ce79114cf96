//! `cargo xtask watch [EX]`: re-check whenever a file of the exercise is saved.
//!
//! It listens to the operating system's file events (inotify, FSEvents,
//! ReadDirectoryChangesW, through the `notify` crate), so a save starts the check at
//! once; where the watcher cannot start (too many inotify watches, an unsupported
//! filesystem) it says so and polls modification times instead. Set
//! `UNTWISTED_WATCH=poll` to poll anyway: some shared folders (WSL's /mnt/c, some
//! container bind mounts) never deliver events for saves made on the other side.

use std::path::{Component, Path};
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use colored::Colorize;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::commands::check;
use crate::error::Result;
use crate::files;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// Quiet time that ends a save. Editors save in several steps (write a temporary file
/// and rename it over; truncate, then write) within a few milliseconds; this waits
/// for the last of them. Those steps are system calls in a row, microseconds apart;
/// 15 ms covers a slow disk and keeps `watch` within 1.1x of a bare `cargo test`.
const DEBOUNCE: Duration = Duration::from_millis(15);
/// The fallback's polling interval, and how long its saves must stay unchanged.
const POLL: Duration = Duration::from_millis(200);

/// Set to `poll` to poll for changes instead of listening to file events.
pub const WATCH_ENV: &str = "UNTWISTED_WATCH";

/// Checks, then re-checks on every change until interrupted (Ctrl-C).
pub fn run(ws: &Workspace, name: Option<&str>) -> Result<ExitCode> {
    let progress = Progress::load(ws);
    let exercise = match name {
        Some(name) => ws.manifest.find(name)?,
        None => check::current(ws, &progress),
    };
    let dir = ws.path(exercise.exercise_dir());
    // Started before the first check, so a save made while it runs triggers the next.
    let mut saves = Saves::start(&dir);
    loop {
        // Clear the screen so each verdict stands alone.
        crate::ui::clear_screen();
        // A failing build or check is a verdict, not the end of watching; only a broken
        // workspace is, and even then we keep watching so a fix can be saved.
        if let Err(error) = check::run(ws, Some(&exercise.id), false, false) {
            crate::ui::error(error);
        }
        if let Saves::Polling { why, .. } = &saves {
            println!("{} {why}; polling for changes instead", "note:".yellow().bold());
        }
        println!("{}", format!("Watching {} for changes (Ctrl-C to stop)…", exercise.exercise_dir()).dimmed());
        saves.wait();
    }
}

/// Where saves come from: file events, or polling when those are unavailable.
enum Saves<'a> {
    Events {
        dir: &'a Path,
        events: Receiver<notify::Result<Event>>,
        /// Kept alive: dropping it stops the events.
        _watcher: RecommendedWatcher,
    },
    Polling {
        dir: &'a Path,
        /// The folder as the last check saw it.
        seen: Snapshot,
        /// Why there are no file events, said once per verdict.
        why: String,
    },
}

impl<'a> Saves<'a> {
    /// Watches `dir` and everything below it.
    fn start(dir: &'a Path) -> Self {
        if std::env::var(WATCH_ENV).is_ok_and(|v| v == "poll") {
            return Saves::polling(dir, format!("{WATCH_ENV}=poll is set"));
        }
        let (tx, events) = mpsc::channel();
        let watcher = notify::recommended_watcher(tx).and_then(|mut watcher| {
            watcher.watch(dir, RecursiveMode::Recursive)?;
            Ok(watcher)
        });
        match watcher {
            Ok(watcher) => Saves::Events { dir, events, _watcher: watcher },
            Err(error) => Saves::polling(dir, format!("file events are unavailable ({error})")),
        }
    }

    /// Polls `dir`, starting from how it is now; `why` says why there are no events.
    fn polling(dir: &'a Path, why: String) -> Self {
        Saves::Polling { dir, seen: Snapshot::of(dir), why }
    }

    /// Blocks until a file of the exercise changed (since the last call returned:
    /// a save made during a check counts) and the burst of writes is over.
    fn wait(&mut self) {
        match self {
            Saves::Events { dir, events, .. } => {
                // Until the first change, then until DEBOUNCE passes without another.
                loop {
                    match events.recv() {
                        Ok(event) if is_save(dir, &event) => break,
                        Ok(_) => {}
                        // The watcher's thread ended: poll from now on.
                        Err(_) => {
                            *self = Saves::polling(dir, "file events stopped".into());
                            return self.wait();
                        }
                    }
                }
                // Reads (the build opening sources) do not extend the wait.
                let mut quiet_from = Instant::now() + DEBOUNCE;
                loop {
                    match events.recv_timeout(quiet_from.saturating_duration_since(Instant::now())) {
                        Ok(event) if is_save(dir, &event) => quiet_from = Instant::now() + DEBOUNCE,
                        Ok(_) => {}
                        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return,
                    }
                }
            }
            Saves::Polling { dir, seen, .. } => loop {
                std::thread::sleep(POLL);
                let mut now = Snapshot::of(dir);
                if now == *seen {
                    continue;
                }
                // Wait for the burst of saves to end.
                loop {
                    std::thread::sleep(POLL);
                    let again = Snapshot::of(dir);
                    if again == now {
                        break;
                    }
                    now = again;
                }
                *seen = now;
                return;
            },
        }
    }
}

/// Whether `event` is a save of one of the exercise's files: not a read, not the
/// build folder, not an editor's swap or backup file. A failed event (the kernel's
/// queue overflowed) counts: something may have changed.
fn is_save(dir: &Path, event: &notify::Result<Event>) -> bool {
    let Ok(event) = event else { return true };
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    // A rename names both files: saving through a temporary file is a save of the target.
    event.paths.is_empty() || event.paths.iter().any(|path| is_learners_file(dir, path))
}

/// Whether `path`, below `dir`, is a file the learner edits (rather than something
/// an editor, cargo or insta writes beside it).
fn is_learners_file(dir: &Path, path: &Path) -> bool {
    // Only below `dir`: the workspace itself may sit in a folder named `target`.
    let Ok(rel) = path.strip_prefix(dir) else { return false };
    rel.components().all(|part| match part {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            name != "target" && !is_scratch_file(&name)
        }
        _ => true,
    })
}

/// Names editors and tools give their temporary files: vim's `.lib.rs.swp` and its
/// `4913` probe, `lib.rs~` backups, emacs' `#lib.rs#` and `.#lib.rs`, JetBrains'
/// `lib.rs___jb_tmp___`, insta's `.snap.new`, and hidden folders such as `.git`.
fn is_scratch_file(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with("___")
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".snap.new", ".pending-snap"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// What polling compares: the newest modification time of the learner's files, how
/// many there are (a deleted file is a change) and their total size (a save within
/// the same tick of a coarse filesystem clock is a change too).
#[derive(PartialEq)]
struct Snapshot {
    newest: Option<SystemTime>,
    count: usize,
    size: u64,
}

impl Snapshot {
    fn of(dir: &Path) -> Self {
        let mut snapshot = Snapshot { newest: None, count: 0, size: 0 };
        for file in files::under(dir).into_iter().filter(|file| is_learners_file(dir, file)) {
            if let Ok(metadata) = file.metadata() {
                snapshot.count += 1;
                snapshot.size += metadata.len();
                snapshot.newest = snapshot.newest.max(metadata.modified().ok());
            }
        }
        snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_and_build_files_are_not_saves() {
        let dir = Path::new("/w/target/ws/exercises/05-lines");
        for learners in ["src/lib.rs", "src/server/mod.rs", "tests/steps.rs", "Cargo.toml"] {
            assert!(is_learners_file(dir, &dir.join(learners)), "{learners}");
        }
        for scratch in [
            "src/.lib.rs.swp",
            "src/4913",
            "src/lib.rs~",
            "src/#lib.rs#",
            "src/.#lib.rs",
            "src/lib.rs___jb_tmp___",
            "target/debug/foo",
            ".git/index",
            "tests/snapshots/steps__a.snap.new",
            "/elsewhere/lib.rs",
        ] {
            assert!(!is_learners_file(dir, &dir.join(scratch)), "{scratch}");
        }
    }
}
