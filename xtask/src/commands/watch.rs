//! `cargo xtask watch [EX]`: re-check whenever a file of the exercise is saved.
//!
//! It polls modification times (no file-watching dependency, the same on every OS)
//! and waits until saves settle, so an editor writing several files triggers one check.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use colored::Colorize;

use crate::commands::check;
use crate::error::Result;
use crate::files;
use crate::progress::Progress;
use crate::workspace::Workspace;

const POLL: Duration = Duration::from_millis(200);
const SETTLE: Duration = Duration::from_millis(300);

/// Checks, then re-checks on every change until interrupted (Ctrl-C).
pub fn run(ws: &Workspace, name: Option<&str>) -> Result<ExitCode> {
    let progress = Progress::load(ws);
    let exercise = match name {
        Some(name) => ws.manifest.find(name)?,
        None => check::current(ws, &progress),
    };
    let dir = ws.path(exercise.exercise_dir());
    loop {
        // Taken before the check, so a save made while it runs triggers the next one.
        let seen = latest_change(&dir);
        // Clear the screen so each verdict stands alone.
        crate::ui::clear_screen();
        // A failing build or check is a verdict, not the end of watching; only a broken
        // workspace is, and even then we keep watching so a fix can be saved.
        if let Err(error) = check::run(ws, Some(&exercise.id), false, false) {
            crate::ui::error(error);
        }
        println!("{}", format!("Watching {} for changes (Ctrl-C to stop)…", exercise.exercise_dir()).dimmed());
        loop {
            std::thread::sleep(POLL);
            let now = latest_change(&dir);
            if now != seen {
                // Wait for the burst of saves to end.
                let mut last = now;
                loop {
                    std::thread::sleep(SETTLE);
                    let again = latest_change(&dir);
                    if again == last {
                        break;
                    }
                    last = again;
                }
                break;
            }
        }
    }
}

/// The newest modification time of any file under `dir`, how many files there are
/// (a deleted file is a change) and their total size (a save within the same tick of
/// a coarse filesystem clock is a change too).
fn latest_change(dir: &Path) -> (Option<SystemTime>, usize, u64) {
    let mut newest = None;
    let mut count = 0;
    let mut size = 0;
    for file in files::under(dir) {
        if let Ok(metadata) = file.metadata() {
            count += 1;
            size += metadata.len();
            newest = newest.max(metadata.modified().ok());
        }
    }
    (newest, count, size)
}
