//! The settings' given parts: [`ConfigError`], and two methods of [`Config`]
//! (`drain`, `load`). Given whole.
//!
//! The `Config` struct (its `env` attributes) and `Config::load_from` are yours to
//! write in `config.rs`.

use std::fmt;
use std::time::Duration;

use crate::config::Config;

/// Why the service will not start with these settings.
#[derive(Debug)]
pub enum ConfigError {
    /// clap's own: a bad flag or value, or `--help` / `--version` (which exit 0).
    Clap(clap::Error),
    /// The values parse, but make no sense together.
    Invalid(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Clap(e) => write!(f, "{e}"),
            ConfigError::Invalid(why) => write!(f, "error: {why}"),
        }
    }
}

impl Config {
    /// The drain deadline as a [`Duration`].
    pub fn drain(&self) -> Duration {
        Duration::from_secs(self.drain_deadline)
    }

    /// Reads the settings from the process's command line and environment.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_from(std::env::args_os())
    }
}
