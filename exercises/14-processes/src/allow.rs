//! The allow-list: the only commands a client of the bridge may run. Given whole.
//!
//! A client names a command; it never writes one. Each name maps to a program and
//! fixed arguments, run directly (no shell ever parses anything a client sent), so
//! `cat; rm -rf /` is just a name that is not on the list.

use std::collections::BTreeMap;

use tokio::process::Command;

/// One allowed command: the program to run and its fixed arguments.
#[derive(Debug, Clone)]
struct Program {
    program: String,
    args: Vec<String>,
}

/// Names a client may send, each mapped to a program and its arguments.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    commands: BTreeMap<String, Program>,
}

impl AllowList {
    /// An empty list: every name is refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// The demo's list (the chapter's Twisted `FakeTelnet` has the same), made of
    /// programs every Debian and macOS machine has: `broken` (`cat` of a missing
    /// file: stderr and exit code 1), `cat` (echo), `upper` (`tr a-z A-Z`), `sort`,
    /// `count` (`wc -l`), `flood` (`yes`, output without end) and `nap`
    /// (`sleep 3600`, no end).
    pub fn standard() -> Self {
        Self::new()
            .allow("broken", "cat", &["/nonexistent/untwisted-14"])
            .allow("cat", "cat", &[])
            .allow("upper", "tr", &["a-z", "A-Z"])
            .allow("sort", "sort", &[])
            .allow("count", "wc", &["-l"])
            .allow("flood", "yes", &[])
            .allow("nap", "sleep", &["3600"])
    }

    /// Adds `name`, which runs `program` with `args` (found on the server's PATH).
    pub fn allow(mut self, name: &str, program: &str, args: &[&str]) -> Self {
        let program = Program {
            program: program.to_owned(),
            args: args.iter().map(|arg| arg.to_string()).collect(),
        };
        self.commands.insert(name.to_owned(), program);
        self
    }

    /// The command for `name`, not yet spawned (set its pipes and environment
    /// first), or `None` if the name is not on the list.
    pub fn command(&self, name: &str) -> Option<Command> {
        let program = self.commands.get(name)?;
        let mut command = Command::new(&program.program);
        command.args(&program.args);
        Some(command)
    }

    /// The allowed names, in order, for the refusal message.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.commands.keys().map(String::as_str)
    }
}
