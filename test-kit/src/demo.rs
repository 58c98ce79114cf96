//! The command line every demo server shares, so `--help`, defaults and errors read
//! the same in all of them (`cargo xtask demo EX [--listen ADDR] [--script]`).
//!
//! A demo flattens [`DemoArgs`] into its own `clap` parser and adds what is its own:
//!
//! ```ignore
//! #[derive(clap::Parser)]
//! #[command(about = "The echo server of 02-reactor")]
//! struct Cli {
//!     #[command(flatten)]
//!     demo: test_kit::DemoArgs,
//! }
//! let cli = Cli::parse(); // --help exits 0, a bad flag exits 2 with the usage
//! ```
//!
//! A demo's own limits take a [`Count`] (`--max-connections N`) or [`Seconds`]
//! (`--idle-timeout SECS`): both refuse 0 with clap's usual error, so every demo
//! checks its limits alike. When the demo cannot bind `--listen`, it returns
//! [`DemoArgs::cannot_listen`].

use std::fmt;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

/// The options of every demo: where to listen, and whether to run the scripted
/// client instead of serving until Ctrl-C.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Address to listen on: loopback by default, port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Run a scripted client against the server, print the transcript, and exit.
    #[arg(long)]
    pub script: bool,
}

impl DemoArgs {
    /// Says on stderr why the demo `name` cannot listen on `--listen`
    /// (`sol05-lines: cannot listen on 127.0.0.1:79: Permission denied`), and gives
    /// the exit code to return with: failure.
    pub fn cannot_listen(&self, name: &str, why: impl fmt::Display) -> ExitCode {
        eprintln!("{name}: cannot listen on {}: {why}", self.listen);
        ExitCode::FAILURE
    }
}

/// A count on a demo's command line (`--max-connections N`): a whole number, at
/// least 1 (a server that takes no client is a mistake, not a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(usize);

impl Count {
    /// The number.
    pub fn get(self) -> usize {
        self.0
    }
}

/// A demo's default, e.g. `default_value_t = MAX_CONNECTIONS.into()`.
impl From<usize> for Count {
    fn from(n: usize) -> Self {
        Count(n.max(1))
    }
}

impl FromStr for Count {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.parse::<usize>() {
            Ok(0) => Err("must be at least 1".into()),
            Ok(n) => Ok(Count(n)),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// How `--help` shows the default.
impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A time limit on a demo's command line (`--idle-timeout SECS`): whole seconds, at
/// least 1 (a zero timeout would drop every client at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seconds(u64);

impl Seconds {
    /// The limit as a `Duration`.
    pub fn get(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

/// A demo's default, e.g. `default_value_t = IDLE_TIMEOUT.into()` (whole seconds).
impl From<Duration> for Seconds {
    fn from(limit: Duration) -> Self {
        Seconds(limit.as_secs().max(1))
    }
}

impl FromStr for Seconds {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.parse::<u64>() {
            Ok(0) => Err("must be at least 1".into()),
            Ok(secs) => Ok(Seconds(secs)),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// How `--help` and the demos' messages show it: the number of seconds.
impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
