//! The service's settings: each one a flag, or an environment variable (systemd's
//! `Environment=` lines), or a default, in that order.

use std::net::SocketAddr;

use clap::Parser;

pub use crate::config_error::ConfigError;
use crate::logging::LogFormat;

/// The longest drain the service accepts, in seconds: the unit file's
/// `TimeoutStopSec` must stay above it, or systemd kills the service mid-drain.
pub const MAX_DRAIN_SECS: u64 = 60;

// ANCHOR: config
/// What an operator may change without a rebuild.
#[derive(Parser, Debug, Clone)]
#[command(name = "untwisted-inventory", about = "The untwisted inventory line service")]
pub struct Config {
    /// Where clerks connect.
    #[arg(
        long,
        env = "INVENTORY_LISTEN",
        value_name = "ADDR",
        default_value = "127.0.0.1:7070"
    )]
    pub listen: SocketAddr,
    /// Where the health check answers `GET /ready` and `GET /live`.
    #[arg(
        long,
        env = "INVENTORY_HEALTH",
        value_name = "ADDR",
        default_value = "127.0.0.1:7071"
    )]
    pub health: SocketAddr,
    /// Seconds open connections get to finish once a stop is requested.
    #[arg(long, env = "INVENTORY_DRAIN_SECS", value_name = "SECS", default_value_t = 10)]
    pub drain_deadline: u64,
    /// `human` lines, or one `json` object per line for a log pipeline.
    #[arg(long, env = "INVENTORY_LOG_FORMAT", value_enum,
          default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// The least important events logged: error, warn, info, debug or trace.
    #[arg(
        long,
        env = "INVENTORY_LOG_LEVEL",
        value_name = "LEVEL",
        default_value = "info"
    )]
    pub log_level: tracing::Level,
    /// Print the settings as read, then exit: what systemd would run with.
    #[arg(long)]
    pub print_config: bool,
}
// ANCHOR_END: config

impl Config {
    // ANCHOR: load_from
    /// Reads the settings from `args` (the program's name first) and the environment,
    /// then checks them: the drain deadline is 1 to [`MAX_DRAIN_SECS`] seconds, and
    /// the health check does not share the clerks' address.
    pub fn load_from<I, T>(args: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let config = Config::try_parse_from(args).map_err(ConfigError::Clap)?;
        if !(1..=MAX_DRAIN_SECS).contains(&config.drain_deadline) {
            return Err(ConfigError::Invalid(format!(
                "--drain-deadline (INVENTORY_DRAIN_SECS) is {} s; it must be 1 to \
                 {MAX_DRAIN_SECS} s, shorter than the unit's TimeoutStopSec",
                config.drain_deadline
            )));
        }
        if config.listen == config.health && config.listen.port() != 0 {
            return Err(ConfigError::Invalid(format!(
                "--listen and --health are both {}: give the health check its own port",
                config.listen
            )));
        }
        Ok(config)
    }
    // ANCHOR_END: load_from
}
