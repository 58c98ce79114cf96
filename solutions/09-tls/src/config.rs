//! The two TLS configurations: what a server presents and demands, what a client
//! trusts and presents. Built once, shared by every connection (`Arc`).

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::server::WebPkiClientVerifier;
use rustls::version::{TLS12, TLS13};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};

use crate::error::ConfigError;
use crate::pki::Identity;

/// The protocol versions both sides accept: TLS 1.3 and TLS 1.2, nothing older
/// (rustls cannot even speak TLS 1.0 or 1.1).
const VERSIONS: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];

/// The cryptography rustls uses: *ring*, named explicitly. This workspace compiles
/// only ring; with a second provider compiled in, rustls could not pick a default
/// and would panic, so every builder here is handed this one.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

// ANCHOR: server_config
/// The server's configuration: TLS 1.2 or 1.3, presenting `identity`; with
/// `scanners_ca`, mutual TLS: every client must present a certificate signed by
/// that CA, and one without is refused during the handshake.
pub fn server_config(
    identity: Identity,
    scanners_ca: Option<&CertificateDer<'static>>,
) -> Result<ServerConfig, ConfigError> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)?;
    let builder = match scanners_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.clone())?;
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                    .build()?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    Ok(builder.with_single_cert(identity.chain, identity.key)?)
}
// ANCHOR_END: server_config

// ANCHOR: client_config
/// A client's configuration: TLS 1.2 or 1.3, trusting only `ca` (not the system's
/// roots), presenting `scanner`'s certificate when the server asks for one.
pub fn client_config(
    ca: &CertificateDer<'static>,
    scanner: Option<Identity>,
) -> Result<ClientConfig, ConfigError> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone())?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)?
        .with_root_certificates(roots);
    Ok(match scanner {
        None => builder.with_no_client_auth(),
        Some(identity) => builder.with_client_auth_cert(identity.chain, identity.key)?,
    })
}
// ANCHOR_END: client_config
