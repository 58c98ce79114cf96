//! Why a TLS configuration could not be built. Given whole.

use std::fmt;

use rustls::server::VerifierBuilderError;

/// Why [`server_config`](crate::config::server_config) or
/// [`client_config`](crate::config::client_config) failed: a certificate or key
/// rustls refuses, or a trust store it cannot build a verifier from. `?` converts
/// both errors rustls gives into this one.
#[derive(Debug)]
pub enum ConfigError {
    /// rustls refused a certificate, a key or a protocol version.
    Tls(rustls::Error),
    /// The client-certificate verifier could not be built (an empty trust store).
    Verifier(VerifierBuilderError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Tls(err) => write!(f, "TLS configuration: {err}"),
            ConfigError::Verifier(err) => write!(f, "client verifier: {err}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<rustls::Error> for ConfigError {
    fn from(err: rustls::Error) -> Self {
        ConfigError::Tls(err)
    }
}

impl From<VerifierBuilderError> for ConfigError {
    fn from(err: VerifierBuilderError) -> Self {
        ConfigError::Verifier(err)
    }
}
