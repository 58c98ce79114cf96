//! `cargo xtask bench check-latency`: warm save-to-verdict of a bare `cargo test -p`,
//! `cargo xtask check` and `cargo xtask watch`, side by side.
//!
//! On a solved exercise, so every step runs (a stub fails at its first `todo!()` and
//! would flatter the runner), in a copy of the workspace, so the learner's files and
//! progress are never touched. The copy builds into a target folder of its own: it
//! shares relative paths with the workspace, so in the same folder cargo would give its
//! crates the same names and the solution's artifacts would pass for the learner's.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::cargo;
use crate::error::{Error, Result};
use crate::manifest::Exercise;
use crate::workspace::Workspace;

/// How long one measurement may take (the warm-up builds everything once: longer).
const RUN_LIMIT: Duration = Duration::from_secs(120);
const WARM_UP_LIMIT: Duration = Duration::from_secs(1800);

/// What is timed, in the order of the table.
#[derive(Clone, Copy)]
enum Way {
    Bare,
    Check,
    Watch,
}

const WAYS: [Way; 3] = [Way::Bare, Way::Check, Way::Watch];

/// Copies the workspace with the exercise solved, then times the three ways to a
/// verdict in turns, a one-line edit before each.
pub fn run(ws: &Workspace, name: &str, runs: usize) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let folder = super::target_dir(ws)?.join("bench-latency");
    let bench = Bench::solved_copy(ws, exercise, &folder)?;

    eprintln!("Warming up in {} (the first time, this builds every dependency: minutes)", folder.display());
    for way in WAYS {
        bench.measure(way, WARM_UP_LIMIT)?;
    }
    let load_before = load_average();
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    for n in 0..runs {
        eprint!("\r  run {}/{runs}", n + 1);
        // Each run starts with a different one, so none always follows the same.
        for i in 0..WAYS.len() {
            let way = (n + i) % WAYS.len();
            samples[way].push(bench.measure(WAYS[way], RUN_LIMIT)?);
        }
    }
    eprintln!();
    let load_after = load_average();

    println!(
        "Warm save-to-verdict on {}, solved (all {} steps run): {runs} runs each, in turns, a one-line edit before every run",
        exercise.id,
        exercise.steps.len()
    );
    if let (Some(before), Some(after)) = (load_before, load_after) {
        println!("Load average {before:.2} before, {after:.2} after: other work on the machine slows all three alike.");
    }
    println!("{:<44} {:>8} {:>8} {:>8} {:>8}", "", "median", "min", "max", "vs bare");
    let bare = super::median(&samples[0]);
    for (way, samples) in WAYS.iter().zip(&samples) {
        let label = bench.label(*way);
        let (min, max) = samples.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &s| (lo.min(s), hi.max(s)));
        let median = super::median(samples);
        println!("{label:<44} {median:>7.3}s {min:>7.3}s {max:>7.3}s {:>7.2}x", median / bare);
    }
    Ok(ExitCode::SUCCESS)
}

/// The solved copy and how to build and check in it.
struct Bench<'a> {
    exercise: &'a Exercise,
    /// The copy's root.
    root: PathBuf,
    /// The copy's own target folder.
    target: PathBuf,
    /// The source file each run edits, and its text before any edit.
    file: PathBuf,
    original: String,
    /// Edits so far: each run's edit differs from the last.
    edits: std::cell::Cell<usize>,
}

impl<'a> Bench<'a> {
    /// Copies the workspace into `folder`/workspace (sources only: no target, git or
    /// progress), the exercise's stub overwritten with its solution's sources.
    fn solved_copy(ws: &Workspace, exercise: &'a Exercise, folder: &Path) -> Result<Self> {
        let root = folder.join("workspace");
        let _ = std::fs::remove_dir_all(&root);
        let skipped = |rel: &Path| {
            let top = rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
            matches!(top.as_deref(), Some("target" | ".git" | ".untwisted")) || rel == Path::new("book/book")
        };
        super::copy_tree(&ws.root, &root, &skipped)?;
        // The solution's files over the stub's: a solution includes the files the
        // exercise gives whole (`#[path = "../../../exercises/…"]`), which stay.
        // Its library only, not its demo binary (which names the solution crate).
        let src = root.join(exercise.exercise_dir()).join("src");
        let demo = |rel: &Path| rel == Path::new("main.rs") || rel.starts_with("bin");
        super::copy_tree(&ws.path(exercise.solution_dir()).join("src"), &src, &demo)?;

        let file = src.join("lib.rs");
        let original =
            std::fs::read_to_string(&file).map_err(|e| Error::setup(format!("cannot read {}: {e}", file.display())))?;
        Ok(Self { exercise, root, target: folder.join("target"), file, original, edits: 0.into() })
    }

    /// What the table calls `way`.
    fn label(&self, way: Way) -> String {
        match way {
            Way::Bare => format!("cargo test -p {}", self.exercise.exercise_package()),
            Way::Check => format!("cargo xtask check {}", self.exercise.id),
            Way::Watch => format!("cargo xtask watch {} (save to verdict)", self.exercise.id),
        }
    }

    /// A one-line edit (a different comment each time), as a learner's save.
    fn edit(&self) -> Result<()> {
        let n = self.edits.get() + 1;
        self.edits.set(n);
        std::fs::write(&self.file, format!("{}// bench edit {n}\n", self.original))
            .map_err(|e| Error::setup(format!("cannot write {}: {e}", self.file.display())))
    }

    /// A command run in the copy, building into the copy's target folder.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("CARGO_TARGET_DIR", &self.target).env("NO_COLOR", "1");
        command
    }

    fn cargo(&self) -> Command {
        let mut command = self.command(cargo::cargo().get_program());
        command.env_remove("CARGO_BUILD_TARGET_DIR");
        command
    }

    /// Edits, then times `way` until its verdict, which must be a pass.
    fn measure(&self, way: Way, limit: Duration) -> Result<f64> {
        let id = self.exercise.id.as_str();
        let (seconds, passed) = match way {
            Way::Bare => {
                self.edit()?;
                super::time(self.cargo().args(["test", "--quiet", "--package", &self.exercise.exercise_package()]))?
            }
            Way::Check => {
                self.edit()?;
                super::time(self.cargo().args(["xtask", "check", id, "--json"]))?
            }
            Way::Watch => self.watch_once(limit)?,
        };
        if !passed {
            return Err(Error::setup(format!(
                "`{}` did not pass in the solved copy {}: is the solution or the seal out of date?",
                self.label(way),
                self.root.display()
            )));
        }
        Ok(seconds)
    }

    /// Starts a watch, waits for its first verdict, then edits and times the edit to
    /// the next verdict. The runner is started directly (the binary `cargo xtask`
    /// built in the copy) so stopping it leaves no process behind.
    fn watch_once(&self, limit: Duration) -> Result<(f64, bool)> {
        let exe = self.target.join("debug").join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
        let mut command = self.command(&exe);
        // What `cargo run` would give it: the cargo to build with.
        command.env("CARGO", cargo::cargo().get_program());
        let mut watch = Watching::start(command.args(["watch", &self.exercise.id]))?;
        watch.verdict(limit)?;
        let saved = Instant::now();
        self.edit()?;
        let (verdict, at) = watch.verdict(limit)?;
        Ok(((at - saved).as_secs_f64(), verdict.contains("Well done")))
    }
}

/// A running `watch`, its output read line by line on a thread (stamped as it arrives).
struct Watching {
    child: Child,
    lines: Receiver<(String, Instant)>,
}

impl Watching {
    fn start(command: &mut Command) -> Result<Self> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::setup(format!("could not start the runner's watch: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|line| line.ok()) {
                if tx.send((line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        Ok(Self { child, lines })
    }

    /// The next verdict (every line up to `Watching …`) and when it was complete.
    fn verdict(&mut self, limit: Duration) -> Result<(String, Instant)> {
        let give_up = Instant::now() + limit;
        let mut verdict = String::new();
        loop {
            match self.lines.recv_timeout(give_up.saturating_duration_since(Instant::now())) {
                Ok((line, at)) if line.starts_with("Watching") => return Ok((verdict, at)),
                Ok((line, _)) => verdict.push_str(&format!("{line}\n")),
                Err(_) => {
                    return Err(Error::setup(format!(
                        "watch gave no verdict within {} s:\n{verdict}",
                        limit.as_secs()
                    )));
                }
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one-minute load average (Linux), so a reader knows how busy the machine was.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}
