//! `cargo xtask bench …`: measurements, never assertions (machines are shared and noisy).

pub mod latency;
pub mod twisted_venv;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Subcommand;

use crate::cargo;
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// Which benchmark to run.
#[derive(Subcommand)]
pub enum Which {
    /// Warm save-to-verdict of a bare `cargo test -p`, `cargo xtask check` and
    /// `cargo xtask watch`, side by side, on a solved copy of an exercise.
    ///
    /// The workspace is copied to target/bench-latency/ with the exercise's solution in
    /// place of its stub (so every step runs), and built there into a target folder of
    /// its own (the first run compiles the dependencies once: minutes). Your own files
    /// and progress are not touched. Each run makes a one-line edit, then times one of
    /// the three; the three take turns, so they see the same machine.
    CheckLatency {
        /// Exercise to solve, edit and check.
        #[arg(default_value = "05-lines")]
        exercise: String,
        /// Measured runs of each.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// The first verdict of every exercise, as a learner gets it right after `setup`
    /// (run `cargo xtask setup` first: nothing should compile but the exercise itself).
    FirstVerdict,
    /// The event-loop chapter's echo benchmark: the 02 reactor, tokio, a thread per
    /// connection and Twisted's own echo server, under one load generator.
    ///
    /// Twisted runs in the book's virtual environment (target/book-twisted-venv, from
    /// book/requirements.txt), created here if missing: that needs python3 with venv,
    /// and the network once. `--help` is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Echo {
        /// Passed on to the bench binary, e.g. `--connections 100,1000 --repeat 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 08-web's server against the chapter's Twisted Web site (inventory_site.py):
    /// requests/s and latency of GET /inventory on keep-alive connections.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Web {
        /// Passed on to the bench binary, e.g. `--connections 100 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 09-tls's server against the chapter's Twisted feed server (feed_server.py):
    /// full TLS handshakes per second, a new connection each.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Tls {
        /// Passed on to the bench binary, e.g. `--connections 100 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 09-tls's server against the chapter's Twisted feed server: bulk MiB/s of feed
    /// lines through one TLS connection per client, answered at once.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true, name = "tls-bulk")]
    TlsBulk {
        /// Passed on to the bench binary, e.g. `--connections 10 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 10-websocket's server against the chapter's Twisted dashboard (dashboard.py):
    /// one publisher, every client a subscribed dashboard; deliveries/s and latency.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Ws {
        /// Passed on to the bench binary, e.g. `--connections 1000 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 12-dns's server against the chapter's Twisted names server (zone_server.py):
    /// UDP queries/s and latency.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Dns {
        /// Passed on to the bench binary, e.g. `--connections 100 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// 11-finger's server against its Twisted server (finger_server.py): lookups/s,
    /// one query per connection.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Finger {
        /// Passed on to the bench binary, e.g. `--connections 100 --duration 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The 16-capstone service, the Rust demo (sol16-capstone, built here in release)
    /// then the chapter's Twisted one (inventory.py), under the same load: N scanners
    /// over TLS with client certificates and M dashboards over WebSocket; moves/s,
    /// send-to-dashboard latency, peak RSS, and the totals reconciled at the end.
    ///
    /// Twisted runs in the book's virtual environment, as for `bench echo`. `--help`
    /// is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Capstone {
        /// Passed on to the bench binary, e.g. `--scanners 50 --dashboards 50 --secs 3`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The workshop room (room/, untwisted-room) under a class: simulated attendees
    /// each post a verdict every 2 s while live pages watch; verdicts posted vs seen,
    /// the page's update latency, and the server's memory over the run.
    ///
    /// Defaults: 200 attendees for 60 s (shorter: `--attendees 20 --secs 5`).
    /// `--help` is the benchmark's own: it lists the options.
    #[command(disable_help_flag = true)]
    Room {
        /// Passed on to the bench binary, e.g. `--attendees 20 --secs 5 --viewers 2`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Runs one benchmark.
pub fn run(ws: &Workspace, which: Which) -> Result<ExitCode> {
    match which {
        Which::CheckLatency { exercise, runs } => latency::run(ws, &exercise, runs.max(1)),
        Which::FirstVerdict => first_verdict(ws),
        Which::Echo { args } => against_twisted(ws, "echo", &args),
        Which::Web { args } => against_twisted(ws, "web", &args),
        Which::Tls { args } => against_twisted(ws, "tls", &args),
        Which::TlsBulk { args } => against_twisted(ws, "tls-bulk", &args),
        Which::Ws { args } => against_twisted(ws, "ws", &args),
        Which::Dns { args } => against_twisted(ws, "dns", &args),
        Which::Finger { args } => against_twisted(ws, "finger", &args),
        Which::Capstone { args } => capstone(ws, args),
        Which::Room { args } => bench_binary(ws, "room", &args),
    }
}

/// `bench capstone`: builds the Rust service beside the bench binary first (it runs
/// as its own program, not inside the bench); if it does not build, says so and
/// benchmarks Twisted's alone unless the arguments name the servers.
fn capstone(ws: &Workspace, mut args: Vec<String>) -> Result<ExitCode> {
    let mut build = cargo::cargo();
    build.current_dir(&ws.root).args(["build", "--quiet", "--release", "--package", "sol16-capstone"]);
    let named = |flag: &str| args.iter().any(|a| a == flag);
    if !cargo::status(&mut build)?.success() && !named("--servers") && !named("--binary") && !named("--help") {
        eprintln!("sol16-capstone did not build: benchmarking the Twisted service alone");
        args.extend(["--servers".to_owned(), "twisted".to_owned()]);
    }
    against_twisted(ws, "capstone", &args)
}

/// Runs the bench binary's benchmark `name` (one with no Twisted side), in release.
fn bench_binary(ws: &Workspace, name: &str, args: &[String]) -> Result<ExitCode> {
    let mut command = cargo::cargo();
    command.current_dir(&ws.root).args(["run", "--quiet", "--release", "--package", "untwisted-bench", "--", name]);
    let status = cargo::status(command.args(args))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs the bench binary's benchmark `name`, giving it the Twisted virtual
/// environment's Python unless the arguments leave Twisted out (or bring their own
/// Python, or ask for help).
fn against_twisted(ws: &Workspace, name: &str, args: &[String]) -> Result<ExitCode> {
    let mut command = cargo::cargo();
    command.current_dir(&ws.root).args(["run", "--quiet", "--release", "--package", "untwisted-bench", "--", name]);
    if wants_twisted(args) {
        let python = twisted_venv::python(ws, &target_dir(ws)?)?;
        command.arg("--python").arg(python);
    }
    let status = cargo::status(command.args(args))?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Whether a benchmark's arguments run Twisted's server with our Python.
fn wants_twisted(args: &[String]) -> bool {
    let given = |flag: &str| args.iter().position(|a| a == flag);
    if given("-h").or(given("--help")).or(given("--python")).is_some() {
        return false;
    }
    match given("--servers").and_then(|i| args.get(i + 1)) {
        Some(servers) => servers.split(',').any(|s| s.trim() == "twisted"),
        None => true,
    }
}

/// Times one `cargo xtask check EX` per exercise, touching each exercise's source first
/// so its own crate rebuilds as after a learner's first edit.
fn first_verdict(ws: &Workspace) -> Result<ExitCode> {
    println!("First verdict per exercise (its own crate rebuilt, dependencies as `setup` left them)");
    let mut slowest = 0.0_f64;
    for exercise in &ws.manifest.exercises {
        let file = ws.path(exercise.exercise_dir()).join("src/lib.rs");
        let text = std::fs::read(&file).map_err(|e| Error::setup(format!("cannot read {}: {e}", file.display())))?;
        // Rewriting the same bytes bumps the modification time: cargo rebuilds the crate.
        std::fs::write(&file, &text).map_err(|e| Error::setup(e.to_string()))?;
        let mut command = cargo::cargo();
        command.current_dir(&ws.root).args(["xtask", "check", &exercise.id, "--json"]);
        let seconds = time(&mut command)?.0;
        slowest = slowest.max(seconds);
        println!("  {:<16} {seconds:>6.3}s", exercise.id);
    }
    println!("slowest: {slowest:.3}s");
    Ok(ExitCode::SUCCESS)
}

/// Runs `command` with its output discarded; the seconds it took and whether it succeeded.
fn time(command: &mut Command) -> Result<(f64, bool)> {
    let start = Instant::now();
    let status = cargo::status(command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()))?;
    Ok((start.elapsed().as_secs_f64(), status.success()))
}

/// The folder cargo builds this workspace into (`CARGO_TARGET_DIR`, a config's
/// `build.target-dir`, or `target/`), as `cargo metadata` reports it.
fn target_dir(ws: &Workspace) -> Result<PathBuf> {
    let output = cargo::output(
        cargo::cargo()
            .current_dir(&ws.root)
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
    )?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| Error::setup(format!("cargo metadata said something unexpected: {e}")))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| Error::setup("cargo metadata named no target directory"))
}

/// Copies the files under `from` into `to`, leaving out what `skip` names (given each
/// path relative to `from`).
fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<()> {
    let fail = |path: &Path, e: std::io::Error| Error::setup(format!("cannot copy {}: {e}", path.display()));
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        std::fs::create_dir_all(to.join(&rel)).map_err(|e| fail(&to.join(&rel), e))?;
        let entries = std::fs::read_dir(from.join(&rel)).map_err(|e| fail(&from.join(&rel), e))?;
        for entry in entries.flatten() {
            let child = rel.join(entry.file_name());
            if skip(&child) {
                continue;
            }
            if entry.path().is_dir() {
                stack.push(child);
            } else {
                std::fs::copy(entry.path(), to.join(&child)).map_err(|e| fail(&entry.path(), e))?;
            }
        }
    }
    Ok(())
}

/// The median of `samples` (the upper one of an even count).
fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::wants_twisted;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn twisted_runs_unless_left_out() {
        assert!(wants_twisted(&args("")));
        assert!(wants_twisted(&args("--connections 100 --repeat 3")));
        assert!(wants_twisted(&args("--servers reactor,twisted")));
        assert!(!wants_twisted(&args("--servers reactor,tokio")));
        assert!(!wants_twisted(&args("--python /usr/bin/python3")));
        assert!(!wants_twisted(&args("--help")));
    }
}
