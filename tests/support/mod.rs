//! What the tests of the whole share: where the workspace is, and the runner binary.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace root (this package is the workspace's root package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The runner's binary, built once per test binary the way `cargo xtask` builds it.
///
/// The runner lives in its own package (`xtask`), so cargo gives this package no
/// `CARGO_BIN_EXE_xtask`; building it here (cargo holds no lock while tests run) also
/// means the tests never run a stale runner.
pub fn runner() -> &'static Path {
    static RUNNER: OnceLock<PathBuf> = OnceLock::new();
    RUNNER.get_or_init(|| binary("xtask"))
}

/// The room server's binary (room/), built once per test binary like the runner.
pub fn room_server() -> &'static Path {
    static ROOM: OnceLock<PathBuf> = OnceLock::new();
    ROOM.get_or_init(|| binary("untwisted-room"))
}

/// Builds the binary named like its package and returns its path.
fn binary(package: &str) -> PathBuf {
    // The runner's own way to start cargo: without this test binary's
    // CARGO_MANIFEST_DIR and CARGO_PKG_*, which would make cargo rebuild ring.
    let output = xtask::cargo::cargo()
        .args(["build", "--quiet", "--package", package, "--bin", package, "--message-format=json"])
        .current_dir(workspace_root())
        .output()
        .unwrap_or_else(|e| panic!("run cargo build -p {package}: {e}"));
    assert!(output.status.success(), "cargo build -p {package} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\"") && line.contains("\"executable\":\""))
        .find_map(|line| {
            let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = start + line[start..].find('"')?;
            Some(PathBuf::from(line[start..end].replace("\\\\", "\\")))
        })
        .unwrap_or_else(|| panic!("cargo build -p {package} named no executable"))
}
