//! `cargo xtask bench …`: measurements, never assertions (machines are shared and noisy).

use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use clap::Subcommand;

use crate::cargo;
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// Which benchmark to run.
#[derive(Subcommand)]
pub enum Which {
    /// Warm edit-to-verdict of `cargo xtask check` against a bare `cargo test -p`.
    CheckLatency {
        /// Exercise to edit and check.
        #[arg(default_value = "05-lines")]
        exercise: String,
        /// Measured runs of each.
        #[arg(long, default_value_t = 7)]
        runs: usize,
    },
    /// The first verdict of every exercise, as a learner gets it right after `setup`
    /// (run `cargo xtask setup` first: nothing should compile but the exercise itself).
    FirstVerdict,
    /// The event-loop chapter's echo benchmark (reactor vs tokio vs threads).
    Echo {
        /// Passed on to the bench binary (see `cargo xtask bench echo -- --help`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Runs one benchmark.
pub fn run(ws: &Workspace, which: Which) -> Result<ExitCode> {
    match which {
        Which::CheckLatency { exercise, runs } => check_latency(ws, &exercise, runs.max(1)),
        Which::FirstVerdict => first_verdict(ws),
        Which::Echo { args } => {
            let status = cargo::cargo()
                .current_dir(&ws.root)
                .args(["run", "--quiet", "--release", "--package", "untwisted-bench", "--", "echo"])
                .args(args)
                .status()
                .map_err(cargo::could_not_run)?;
            Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Times, after a one-line edit each run, `cargo xtask check EX` and
/// `cargo test -p exEX`, interleaved so both see the same machine.
fn check_latency(ws: &Workspace, name: &str, runs: usize) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    let file = ws.path(exercise.exercise_dir()).join("src/lib.rs");
    let original =
        std::fs::read_to_string(&file).map_err(|e| Error::setup(format!("cannot read {}: {e}", file.display())))?;
    let package = exercise.exercise_package();
    let xtask = ["xtask", "check", &exercise.id, "--json"];
    let bare = ["test", "--quiet", "--package", &package];

    // Warm up both (and build the runner) before measuring.
    let edit = |n: usize| std::fs::write(&file, format!("{original}// bench edit {n}\n"));
    let measure = |args: &[&str], n: usize| -> Result<f64> {
        edit(n).map_err(|e| Error::setup(e.to_string()))?;
        time(&ws.root, args)
    };
    let outcome = (|| -> Result<(Vec<f64>, Vec<f64>)> {
        measure(&xtask, 0)?;
        measure(&bare, 1)?;
        let (mut checks, mut bares) = (Vec::new(), Vec::new());
        for n in 0..runs {
            checks.push(measure(&xtask, 2 * n + 2)?);
            bares.push(measure(&bare, 2 * n + 3)?);
        }
        Ok((checks, bares))
    })();
    // Whatever happened, the learner's file is put back as it was.
    std::fs::write(&file, &original).map_err(|e| Error::setup(format!("cannot restore {}: {e}", file.display())))?;
    let (checks, bares) = outcome?;

    let (check_median, bare_median) = (median(&checks), median(&bares));
    println!("Warm edit-to-verdict on {} ({runs} runs each, one-line edit before every run)", exercise.id);
    println!("{:<34} {:>8} {:>8} {:>8}", "", "median", "min", "max");
    report("cargo xtask check", &checks);
    report(&format!("cargo test -p {package}"), &bares);
    println!("ratio check / bare: {:.2}x", check_median / bare_median);
    Ok(ExitCode::SUCCESS)
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
        let seconds = time(&ws.root, &["xtask", "check", &exercise.id, "--json"])?;
        slowest = slowest.max(seconds);
        println!("  {:<16} {seconds:>6.3}s", exercise.id);
    }
    println!("slowest: {slowest:.3}s");
    Ok(ExitCode::SUCCESS)
}

fn time(root: &Path, args: &[&str]) -> Result<f64> {
    let start = Instant::now();
    cargo::cargo()
        .current_dir(root)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(cargo::could_not_run)?;
    Ok(start.elapsed().as_secs_f64())
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn report(label: &str, samples: &[f64]) {
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples.iter().copied().fold(0.0, f64::max);
    println!("{label:<34} {:>7.3}s {:>7.3}s {:>7.3}s", median(samples), min, max);
}
