//! The folder of PEM files the demo writes for real clients: `ca.pem` to trust,
//! and a scanner's `north.pem` and `north.key` for mutual TLS.
//!
//! The files must stay while the server runs: a client reads them when it starts
//! (`openssl s_client -CAfile`, the book's Twisted client), at any time. A folder
//! the demo made itself is removed when the demo ends, however it ends. Ctrl-C under
//! `cargo xtask demo` ends it with SIGKILL from the runner, which no handler can
//! catch, so on Unix a janitor process does it: a shell that waits for the end of a
//! pipe only the demo holds, and that end comes when the demo dies, by any signal.
//! (Windows has neither, and keeps the folder in %TEMP% after Ctrl-C.) A folder
//! given with `--pem-dir` is the user's, and stays.

use std::io;
use std::path::{Path, PathBuf};

use sol09_tls::TestCa;

/// Where the PEM files are; a temporary folder is removed on drop.
pub struct PemDir {
    path: PathBuf,
    temporary: bool,
    /// The pipe to the janitor: dropping it (or dying) tells it to remove the folder.
    #[cfg(unix)]
    _janitor: Option<std::process::ChildStdin>,
}

impl PemDir {
    /// Writes the files for `ca` to `given` (made if missing, left in place), or to
    /// a new private folder in the system's temporary folder, removed at the end.
    pub fn write(given: Option<PathBuf>, ca: &TestCa) -> io::Result<Self> {
        let dir = match given {
            Some(path) => {
                std::fs::create_dir_all(&path).map_err(|e| in_folder(&path, e))?;
                Self::kept(path)
            }
            None => Self::temporary()?,
        };
        let scanner = ca.scanner("north");
        let files = [
            ("ca.pem", ca.cert_pem()),
            ("north.pem", scanner.cert_pem),
            ("north.key", scanner.key_pem),
        ];
        for (name, pem) in files {
            std::fs::write(dir.path.join(name), pem)
                .map_err(|e| in_folder(&dir.path, e))?;
        }
        Ok(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn kept(path: PathBuf) -> Self {
        Self {
            path,
            temporary: false,
            #[cfg(unix)]
            _janitor: None,
        }
    }

    /// A new folder only this user can read (it holds a private key), under a name
    /// no one else made first.
    fn temporary() -> io::Result<Self> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        let mut attempt = 0;
        let path = loop {
            let name = match attempt {
                0 => format!("untwisted-09-tls-{pid}"),
                n => format!("untwisted-09-tls-{pid}-{n}"),
            };
            let path = base.join(name);
            match private_folder(&path) {
                Ok(()) => break path,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(in_folder(&path, e)),
            }
        };
        Ok(Self {
            #[cfg(unix)]
            _janitor: janitor(&path),
            path,
            temporary: true,
        })
    }
}

impl Drop for PemDir {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Makes `path`, failing if it exists; on Unix readable by this user only.
fn private_folder(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Starts the janitor that removes `dir` once the demo is gone: `sh` ignores the
/// signals a terminal sends its whole process group (Ctrl-C, a closed window),
/// `cat` reads until the demo's end of the pipe closes, then `rm` removes `dir`.
/// Without a janitor (no `sh`?) the folder is still removed on a normal exit.
#[cfg(unix)]
fn janitor(dir: &Path) -> Option<std::process::ChildStdin> {
    use std::process::{Command, Stdio};
    let script = r#"trap '' HUP INT TERM; cat >/dev/null; rm -rf -- "$0""#;
    let child = Command::new("/bin/sh")
        .args(["-c", script])
        .arg(dir)
        .stdin(Stdio::piped())
        // Not the demo's stdout or stderr: a reader of those would wait for it too.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match child {
        Ok(mut child) => child.stdin.take(),
        Err(err) => {
            eprintln!("sol09-tls: no janitor for {} ({err})", dir.display());
            None
        }
    }
}

/// `err`, saying which folder it is about.
fn in_folder(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}
