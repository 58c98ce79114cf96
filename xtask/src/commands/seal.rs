//! `cargo xtask seal`: record the hashes of every exercise's teacher's files (instructors).

use std::process::ExitCode;

use crate::error::Result;
use crate::seal;
use crate::workspace::Workspace;

/// Rewrites the seal from the tests as they are now.
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    let files = seal::write(ws)?;
    println!("Sealed {files} teacher's files (tests, snapshots, Cargo.toml, given modules) in {}.", seal::SEAL_PATH);
    Ok(ExitCode::SUCCESS)
}
