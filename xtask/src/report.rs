//! What a check tells the room while this checkout has joined one: the verdict's
//! summary (exercise, steps passed, the failing step's name and kind; never code,
//! never a message, never a file's contents), posted in the background.
//!
//! The check starts a detached copy of the runner (`xtask post-verdict`, hidden),
//! hands it the summary on stdin, and goes on without waiting. That copy:
//! - is not one of the runner's children that die with it ([`crate::process`]): no
//!   `PR_SET_PDEATHSIG`, not registered for the signal handler, and on Unix in a
//!   process group of its own, so the learner's Ctrl-C does not reach it either;
//! - has no terminal: stdin is the summary, stdout and stderr are null, so it prints
//!   nothing, and a test or a tool reading the check's output never waits for it;
//! - gives up after a few seconds ([`crate::joined::timeout`]) on a room that is down,
//!   slow or wrong, and writes what happened to `.untwisted/room-post.json`, which
//!   `cargo xtask join --status` shows.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::joined::{Joined, LastPost};
use crate::verdict::{FailureKind, StepStatus, Verdict};
use crate::workspace::Workspace;

/// The hidden subcommand the detached poster runs.
pub const POST_VERDICT: &str = "post-verdict";
/// The room refuses bodies above this; the summary is a few hundred bytes.
const MAX_SUMMARY: u64 = 4096;

/// Posters started by this runner and not yet reaped: `watch` starts one per save,
/// and a finished child stays a zombie until its parent waits for it.
static POSTERS: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// The contract's name for a failure kind. A `todo!()` reached (the stub as shipped)
/// has no kind of its own in the room's list: it is `other`, not `panic`, so a
/// stub nobody has touched does not look like a crash on the instructor's page.
pub fn kind(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Build => "build",
        FailureKind::Assertion => "assertion",
        FailureKind::Snapshot => "snapshot",
        FailureKind::Panic => "panic",
        FailureKind::Timeout => "timeout",
        FailureKind::Tampered => "tampered",
        FailureKind::NotImplemented => "other",
    }
}

/// The body of `POST /api/verdict` for `verdict`: exactly the contract's fields.
///
/// The failing step is the first one that did not pass; for a build failure or
/// tampering (nothing ran) it is the first step, the one the learner is heading for.
pub fn summary(name: &str, verdict: &Verdict) -> Value {
    let failing = verdict.failure.as_ref().map(|failure| {
        let step = verdict
            .steps
            .iter()
            .find(|s| Some(s.number) == failure.step)
            .or_else(|| verdict.steps.iter().find(|s| s.status != StepStatus::Passed))
            .or(verdict.steps.first())
            .map_or("", |s| s.name.as_str());
        json!({ "step": step, "kind": kind(failure.kind) })
    });
    json!({
        "name": name,
        "exercise": verdict.exercise,
        "passed": verdict.passed,
        "total": verdict.total,
        "failing": failing,
    })
}

/// Posts `verdict`'s summary from a detached process, when this checkout has joined
/// a room; returns at once, and never fails (the room is never a reason for a check
/// to fail or to print).
pub fn post_in_background(ws: &Workspace, verdict: &Verdict) {
    let Some(joined) = Joined::load(ws) else { return };
    let body = summary(&joined.name, verdict).to_string();
    let Ok(exe) = std::env::current_exe() else { return };
    let mut command = Command::new(exe);
    command.arg(POST_VERDICT).current_dir(&ws.root).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
    detach(&mut command);
    let mut posters = POSTERS.lock().unwrap_or_else(|e| e.into_inner());
    // Reap the posters that ended (an error means it is gone already).
    posters.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    let Ok(mut child) = command.spawn() else { return };
    // A few hundred bytes fit in any pipe's buffer: this write does not block.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(body.as_bytes());
    }
    posters.push(child);
}

/// Starts the poster outside the runner's process group (Unix) or console group
/// (Windows), without a window.
fn detach(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        command.creation_flags(CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
    }
}

/// The poster's body (`xtask post-verdict`): reads the summary from stdin, posts it,
/// records the outcome. Prints nothing, whatever happens.
pub fn post_from_stdin(ws: &Workspace) {
    let mut body = Vec::new();
    if std::io::stdin().take(MAX_SUMMARY + 1).read_to_end(&mut body).is_err() || body.len() as u64 > MAX_SUMMARY {
        return;
    }
    let Ok(summary) = serde_json::from_slice::<Value>(&body) else { return };
    let Some(joined) = Joined::load(ws) else { return };
    let outcome = match joined.post("/api/verdict", &summary) {
        Ok(response) if response.status == 204 => "answered 204".to_owned(),
        Ok(response) => format!("answered {}: {}", response.status, response.text()),
        Err(e) => format!("no answer: {e}"),
    };
    let at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let exercise = summary["exercise"].as_str().unwrap_or_default().to_owned();
    LastPost { at, exercise, outcome }.save(ws);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_kind_maps_to_one_the_room_accepts() {
        const ROOM_KINDS: [&str; 7] = ["build", "assertion", "snapshot", "panic", "timeout", "tampered", "other"];
        for failure in [
            FailureKind::NotImplemented,
            FailureKind::Snapshot,
            FailureKind::Assertion,
            FailureKind::Panic,
            FailureKind::Timeout,
            FailureKind::Build,
            FailureKind::Tampered,
        ] {
            assert!(ROOM_KINDS.contains(&kind(failure)), "{failure:?}");
        }
    }
}
