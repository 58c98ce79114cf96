//! `cargo xtask demo EX [--listen ADDR] [--script]`: run a solution as a live server.

use std::process::ExitCode;

use crate::cargo;
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// Runs the solution's demo binary with cargo, in the foreground.
pub fn run(ws: &Workspace, name: &str, listen: Option<&str>, script: bool) -> Result<ExitCode> {
    let exercise = ws.manifest.find(name)?;
    if !exercise.demo {
        let with_demo: Vec<&str> = ws.manifest.exercises.iter().filter(|e| e.demo).map(|e| e.id.as_str()).collect();
        return Err(Error::usage(format!(
            "{} serves no protocol, so it has no demo. Exercises with a demo: {}",
            exercise.id,
            with_demo.join(", ")
        )));
    }
    let mut command = cargo::cargo();
    command.current_dir(&ws.root).args(["run", "--quiet", "--package", &exercise.solution_package(), "--"]);
    if let Some(addr) = listen {
        command.args(["--listen", addr]);
    }
    if script {
        command.arg("--script");
    }
    // `cargo run` becomes the server (on Unix it execs it): the server ends with the runner.
    let status = cargo::status(&mut command)?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(2) => ExitCode::from(2),
        _ => ExitCode::from(1),
    })
}
