//! Running a `steps` test binary with a time limit and reading libtest's report.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::process;

/// Real seconds a whole test binary may run before the runner stops it. Each step has
/// its own, shorter limit inside (test-kit); this one catches what escapes it.
pub const RUN_TIMEOUT_SECS: u64 = 60;

/// Overrides [`RUN_TIMEOUT_SECS`] (slow machines; the runner's own tests).
pub const RUN_TIMEOUT_ENV: &str = "UNTWISTED_RUN_TIMEOUT";

/// How one test ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    /// Failed, with what the test printed (panic message, snapshot diff).
    Failed(String),
    /// Still running when the runner stopped the binary.
    TimedOut(u64),
}

/// Every test the binary reported, by name.
pub type Outcomes = BTreeMap<String, Outcome>;

/// Runs the test binary `exe` of the crate in `package_dir` under `root`.
///
/// Every test the binary lists gets an outcome: one that never reported (the process
/// was stopped, crashed, or exited early, say through `std::process::exit(0)` in the
/// learner's code) is a failure that says so, never a pass and never missing.
pub fn run_steps(root: &Path, package_dir: &Path, exe: &Path) -> Result<Outcomes> {
    let limit = std::env::var(RUN_TIMEOUT_ENV).ok().and_then(|v| v.parse().ok()).unwrap_or(RUN_TIMEOUT_SECS);
    let mut command = Command::new(exe);
    crate::cargo::without_run_env(&mut command);
    command
        .args(["--color", "never"])
        // As `cargo test` would: the crate's own folder, not the runner's.
        .env("CARGO_MANIFEST_DIR", package_dir)
        .current_dir(package_dir)
        // Snapshots are the teacher's: never written, never accepted by a check.
        .env("INSTA_UPDATE", "no")
        .env("INSTA_FORCE_PASS", "0")
        .env("INSTA_OUTPUT", "diff")
        .env("INSTA_WORKSPACE_ROOT", root)
        .env("RUST_BACKTRACE", "0")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut running = process::spawn(&mut command).map_err(|e| could_not_run(exe, e))?;
    let child = &mut running.child;

    // Read output on threads so a chatty test cannot fill the pipe and stall. Bytes,
    // decoded leniently: the learner's code may print anything.
    let drain = |mut stream: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));

    let deadline = Instant::now() + Duration::from_secs(limit);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::setup(e.to_string()))? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    drop(running);
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();

    let mut outcomes = parse(&stdout);
    // libtest ends every complete run with its summary line.
    let finished = stdout.lines().any(|line| line.starts_with("test result:"));
    let unfinished = match status {
        None => Some(Outcome::TimedOut(limit)),
        Some(status) if !status.success() => Some(Outcome::Failed(format!(
            "the test process crashed before this step finished ({status}):\n{}",
            last_lines(&stderr, 8)
        ))),
        Some(status) if !finished => Some(Outcome::Failed(exited_early(Some(status)))),
        Some(_) => None,
    };
    if let Some(unfinished) = unfinished {
        for name in listed_tests(exe)? {
            outcomes.entry(name).or_insert_with(|| unfinished.clone());
        }
    }
    if outcomes.is_empty() {
        return Err(Error::setup(format!(
            "{} has no tests:\n{}{}",
            exe.display(),
            stdout.trim_end(),
            stderr.trim_end()
        )));
    }
    Ok(outcomes)
}

/// What a step that never reported is told when the test process ended without a
/// crash (with its exit status, when known).
pub fn exited_early(status: Option<ExitStatus>) -> String {
    let status = status.map(|s| format!(" ({s})")).unwrap_or_default();
    format!(
        "the test process exited early{status}, before this step reported a result: \
         does the code call std::process::exit?"
    )
}

fn could_not_run(exe: &Path, error: std::io::Error) -> Error {
    Error::setup(format!("could not run {}: {error}", exe.display()))
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Asks a test binary for its test names (`--list`), for the ones that never reported.
fn listed_tests(exe: &Path) -> Result<Vec<String>> {
    let mut command = Command::new(exe);
    command.args(["--list", "--format", "terse"]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let output = process::output(&mut command).map_err(|e| could_not_run(exe, e))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// Reads libtest's plain report: `test NAME ... ok|FAILED` lines, then one
/// `---- NAME stdout ----` section per failure with what the test printed.
pub fn parse(stdout: &str) -> Outcomes {
    let mut outcomes = Outcomes::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, result)) = rest.rsplit_once(" ... ")
        {
            let outcome = match result.trim() {
                "ok" => Outcome::Passed,
                "FAILED" => Outcome::Failed(String::new()),
                _ => continue,
            };
            outcomes.insert(name.to_owned(), outcome);
        }
    }
    let mut current: Option<(String, Vec<&str>)> = None;
    let mut flush = |current: &mut Option<(String, Vec<&str>)>| {
        if let Some((name, lines)) = current.take() {
            outcomes.insert(name, Outcome::Failed(lines.join("\n").trim().to_owned()));
        }
    };
    for line in stdout.lines() {
        let header = line.strip_prefix("---- ").and_then(|l| l.strip_suffix(" stdout ----"));
        if let Some(name) = header {
            flush(&mut current);
            current = Some((name.to_owned(), Vec::new()));
        } else if line == "failures:" || line.starts_with("test result:") {
            flush(&mut current);
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    flush(&mut current);
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "
running 2 tests
test step_2_counts ... FAILED
test step_1_greets ... ok

failures:

---- step_2_counts stdout ----

thread 'step_2_counts' panicked at src/lib.rs:3:5:
not yet implemented: countdown(3)
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    step_2_counts

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    #[test]
    fn reads_results_and_failure_output() {
        let outcomes = parse(REPORT);
        assert_eq!(outcomes["step_1_greets"], Outcome::Passed);
        let Outcome::Failed(text) = &outcomes["step_2_counts"] else { panic!("{outcomes:?}") };
        assert!(text.starts_with("thread 'step_2_counts' panicked at src/lib.rs:3:5:"), "{text}");
        assert!(text.contains("not yet implemented: countdown(3)"));
    }
}
