//! A server under test in a child process: started, pinned, its address read from
//! the `listening on ADDR` line it prints, and killed when dropped.

use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;

use crate::procstat;

/// Lines a server may print before the one with its address.
const MAX_LINES_BEFORE_ADDRESS: usize = 20;

/// A server in a child process, killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it said after its address (Twisted's echo server: versions).
    pub about: String,
}

/// `untwisted-bench serve KIND`: a Rust server, run by this same program.
pub fn this_program(kind: &str) -> Result<Command, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut command = Command::new(exe);
    command.args(["serve", kind]);
    Ok(command)
}

/// `python SCRIPT ARGS…`, unbuffered (the scripts print their address without
/// flushing) and leaving no bytecode in the source tree.
pub fn python(python: &Path, script: &str, args: &[&str]) -> Command {
    let mut command = Command::new(python);
    command.arg(script).args(args).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
    command
}

impl ServerProcess {
    /// Starts `command`, pins it to `cpus` before it accepts anything (the threads it
    /// starts inherit the set) and waits for its `listening on ADDR` line.
    pub fn start(mut command: Command, name: &str, cpus: Option<&[usize]>) -> Result<Self, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the {name} server: {e}"))?;
        if let Some(cpus) = cpus {
            procstat::pin(child.id(), cpus);
        }
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut said = Vec::new();
        let found = (0..MAX_LINES_BEFORE_ADDRESS).find_map(|_| {
            let mut line = String::new();
            if stdout.read_line(&mut line).ok()? == 0 {
                return Some(None);
            }
            said.push(line.trim().to_owned());
            let (_, rest) = line.split_once("listening on ")?;
            let (addr, about) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            let addr = addr.trim_end_matches([';', ',']);
            Some(addr.parse::<SocketAddr>().ok().map(|addr| (addr, about.to_owned())))
        });
        // Whatever it prints later goes nowhere, but must not fill the pipe or break it.
        thread::spawn(move || io::copy(&mut stdout, &mut io::sink()));
        match found.flatten() {
            Some((addr, about)) => {
                let about = about.trim().trim_start_matches('(').trim_end_matches(')').to_owned();
                Ok(Self { child, addr, about })
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the {name} server did not start (it said {said:?})"))
            }
        }
    }

    /// The server's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The CA certificate a TLS server said to trust (`…; CA in PATH`), if any.
    pub fn ca_file(&self) -> Option<&Path> {
        self.about.split_once("CA in ").map(|(_, path)| Path::new(path.trim()))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The TLS servers make their certificates in a fresh folder of their own.
        let folder = self.ca_file().and_then(Path::parent);
        if let Some(folder) =
            folder.filter(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("untwisted-")))
        {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}
