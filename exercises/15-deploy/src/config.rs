//! The service's settings: each one a flag, or an environment variable (systemd's
//! `Environment=` lines), or a default, in that order.
//!
//! Yours to write: the `env` attribute of each setting of [`Config`], and
//! `Config::load_from`. [`ConfigError`] and `Config`'s `drain` and `load` are given
//! in `config_error.rs`.

use std::net::SocketAddr;

use clap::Parser;

pub use crate::config_error::ConfigError;
use crate::logging::LogFormat;

/// The longest drain the service accepts, in seconds: the unit file's
/// `TimeoutStopSec` must stay above it, or systemd kills the service mid-drain.
pub const MAX_DRAIN_SECS: u64 = 60;

/// What an operator may change without a rebuild.
///
/// Each setting is a flag, and must also be read from the environment variable
/// that its doc comment names (systemd's `Environment=` lines): a flag wins over
/// the variable, the variable over the default. That is one attribute per field.
#[derive(Parser, Debug, Clone)]
#[command(name = "untwisted-inventory", about = "The untwisted inventory line service")]
pub struct Config {
    /// Where clerks connect. Environment: `INVENTORY_LISTEN`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7070")]
    pub listen: SocketAddr,
    /// Where the health check answers `GET /ready` and `GET /live`. Environment:
    /// `INVENTORY_HEALTH`.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7071")]
    pub health: SocketAddr,
    /// Seconds open connections get to finish once a stop is requested. Environment:
    /// `INVENTORY_DRAIN_SECS`.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub drain_deadline: u64,
    /// `human` lines, or one `json` object per line for a log pipeline. Environment:
    /// `INVENTORY_LOG_FORMAT`.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// The least important events logged: error, warn, info, debug or trace.
    /// Environment: `INVENTORY_LOG_LEVEL`.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: tracing::Level,
    /// Print the settings as read, then exit: what systemd would run with.
    #[arg(long)]
    pub print_config: bool,
}

impl Config {
    /// Reads the settings from `args` (the program's name first) and the environment,
    /// then checks them:
    /// - what clap refuses (a bad flag or value, and `--help`) is [`ConfigError::Clap`];
    /// - a drain deadline outside 1 to [`MAX_DRAIN_SECS`] seconds, and a health check on
    ///   the clerks' own address (unless its port is 0), are [`ConfigError::Invalid`],
    ///   with a message that names the flag and its variable.
    pub fn load_from<I, T>(args: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let _ = args;
        todo!("Config::load_from")
    }
}
