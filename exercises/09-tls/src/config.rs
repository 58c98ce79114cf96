//! The two TLS configurations: what a server presents and demands, what a client
//! trusts and presents. Built once, shared by every connection (`Arc`).

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, ServerConfig};

use crate::error::ConfigError;
use crate::pki::Identity;

// What the two configurations will need.
#[allow(unused_imports)]
use rustls::{
    RootCertStore, SupportedProtocolVersion,
    server::WebPkiClientVerifier,
    version::{TLS12, TLS13},
};

/// The cryptography rustls uses: *ring*, named explicitly. This workspace compiles
/// only ring; with a second provider compiled in, rustls could not pick a default
/// and would panic, so hand this one to every builder (`builder_with_provider`).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server's configuration: TLS 1.2 or 1.3, presenting `identity`; with
/// `scanners_ca`, mutual TLS: every client must present a certificate signed by
/// that CA, and one without is refused during the handshake.
///
/// - `ServerConfig::builder_with_provider(provider())`, then the protocol
///   versions: TLS 1.2 is the minimum, so both `TLS13` and `TLS12`.
/// - Who may connect: `with_no_client_auth()` without a CA; with one, a
///   `RootCertStore` holding it and a `WebPkiClientVerifier` built on that store
///   with the same provider, handed to `with_client_cert_verifier`.
/// - What the server presents: `with_single_cert(identity.chain, identity.key)`.
///
/// Every step that can fail returns an error `?` turns into a [`ConfigError`].
pub fn server_config(
    identity: Identity,
    scanners_ca: Option<&CertificateDer<'static>>,
) -> Result<ServerConfig, ConfigError> {
    todo!(
        "server_config(mutual TLS: {}, chain of {})",
        scanners_ca.is_some(),
        identity.chain.len()
    )
}

/// A client's configuration: TLS 1.2 or 1.3, trusting only `ca` (not the system's
/// roots), presenting `scanner`'s certificate when the server asks for one.
///
/// The same builder on the client side: `ClientConfig::builder_with_provider`,
/// the versions, `with_root_certificates` (a `RootCertStore` holding `ca`), then
/// `with_no_client_auth()` or `with_client_auth_cert(chain, key)`.
pub fn client_config(
    ca: &CertificateDer<'static>,
    scanner: Option<Identity>,
) -> Result<ClientConfig, ConfigError> {
    todo!("client_config({} bytes of CA, scanner: {})", ca.len(), scanner.is_some())
}
