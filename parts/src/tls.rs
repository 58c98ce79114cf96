//! TLS for the scanners (chapter 09): a server that demands a client certificate
//! signed by the service's CA, a client that presents one, and a throwaway test PKI
//! made at start with rcgen (no private key is ever committed).

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::version::{TLS12, TLS13};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::{TlsAcceptor, TlsConnector, client, server};

/// TLS 1.3 and 1.2, nothing older.
const VERSIONS: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];

/// The names the server certificate is valid for.
pub const SERVER_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// Any way building a TLS configuration can fail.
pub type TlsError = Box<dyn std::error::Error + Send + Sync>;

/// A certificate chain and its key, in DER (for rustls) and PEM (for files, openssl
/// and Twisted).
#[derive(Debug)]
pub struct Identity {
    /// The certificate, then any intermediates (none here).
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key (PKCS#8).
    pub key: PrivateKeyDer<'static>,
    /// The certificate as PEM.
    pub cert_pem: String,
    /// The private key as PEM.
    pub key_pem: String,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Identity {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            cert_pem: self.cert_pem.clone(),
            key_pem: self.key_pem.clone(),
        }
    }
}

/// The *ring* provider, named explicitly: this workspace compiles no other, and
/// rustls panics when asked for "the" default among none.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The scanners' server configuration: presents `server`, and refuses during the
/// handshake any client without a certificate signed by `ca`.
pub fn server_config(
    server: &Identity,
    ca: &CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone())?;
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(server.chain.clone(), server.key.clone_key())?;
    Ok(Arc::new(config))
}

/// A scanner's configuration: trusts only `ca`, presents `me` when asked (a client
/// with `None` presents nothing, and the scanners' server refuses it).
pub fn client_config(
    ca: &CertificateDer<'static>,
    me: Option<&Identity>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone())?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)?
        .with_root_certificates(roots);
    let config = match me {
        None => builder.with_no_client_auth(),
        Some(me) => {
            builder.with_client_auth_cert(me.chain.clone(), me.key.clone_key())?
        }
    };
    Ok(Arc::new(config))
}

/// The server's side of the handshake on `tcp`, for at most `deadline`; `None` when
/// it fails (no certificate, a stranger's, plaintext) or takes too long.
pub async fn handshake<S>(
    acceptor: &TlsAcceptor,
    tcp: S,
    deadline: Duration,
) -> Option<server::TlsStream<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    timeout(deadline, acceptor.accept(tcp)).await.ok()?.ok()
}

/// Connects to a scanners' port as a client with `config`, for `localhost`.
pub async fn connect(
    addr: std::net::SocketAddr,
    config: Arc<ClientConfig>,
) -> io::Result<client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").expect("a valid name");
    TlsConnector::from(config).connect(name, tcp).await
}

/// A throwaway PKI: a CA, the server's identity, a scanner's signed by the CA
/// (common name `scanner-1`), and an intruder's signed by a CA nobody trusts.
pub struct TestPki {
    /// The CA certificate the server trusts for scanners (and clients for it).
    pub ca: CertificateDer<'static>,
    /// The CA certificate as PEM.
    pub ca_pem: String,
    /// The server's certificate for [`SERVER_NAMES`].
    pub server: Identity,
    /// A scanner's client certificate, signed by the CA.
    pub scanner: Identity,
    /// A client certificate signed by another CA: the server must refuse it.
    pub intruder: Identity,
}

impl TestPki {
    /// Makes fresh keys and certificates (P-256, a few milliseconds).
    pub fn generate() -> TestPki {
        let ca = issuer("untwisted capstone CA");
        let stranger = issuer("somebody else's CA");
        let names = SERVER_NAMES.map(str::to_owned).to_vec();
        TestPki {
            ca: ca.der().clone(),
            ca_pem: ca.pem(),
            server: sign(
                &ca,
                names,
                "untwisted capstone",
                ExtendedKeyUsagePurpose::ServerAuth,
            ),
            scanner: sign(&ca, vec!["scanner-1".into()], "scanner-1", client_auth()),
            intruder: sign(&stranger, vec!["intruder".into()], "intruder", client_auth()),
        }
    }

    /// Writes `ca.pem`, `server.pem`/`.key`, `scanner.pem`/`.key` and
    /// `intruder.pem`/`.key` into `dir` (created if missing), for real clients.
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("ca.pem"), &self.ca_pem)?;
        for (name, identity) in [
            ("server", &self.server),
            ("scanner", &self.scanner),
            ("intruder", &self.intruder),
        ] {
            std::fs::write(dir.join(format!("{name}.pem")), &identity.cert_pem)?;
            std::fs::write(dir.join(format!("{name}.key")), &identity.key_pem)?;
        }
        Ok(())
    }
}

fn client_auth() -> ExtendedKeyUsagePurpose {
    ExtendedKeyUsagePurpose::ClientAuth
}

/// A self-signed CA named `name`.
fn issuer(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::new()).expect("no names to check");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate().expect("ring makes a P-256 key");
    CertifiedIssuer::self_signed(params, key).expect("a self-signed CA")
}

/// A leaf certificate for `names`, signed by `ca`.
fn sign(
    ca: &CertifiedIssuer<'static, KeyPair>,
    names: Vec<String>,
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
) -> Identity {
    let mut params = CertificateParams::new(names).expect("valid names");
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![usage];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().expect("ring makes a P-256 key");
    let cert = params.signed_by(&key, ca).expect("the CA signs");
    Identity {
        chain: vec![cert.der().clone()],
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        key: PrivateKeyDer::from(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// One handshake against the server config with `me` as the client's identity.
    async fn try_as(pki: &TestPki, me: Option<&Identity>) -> bool {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = TlsAcceptor::from(server_config(&pki.server, &pki.ca).unwrap());
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = handshake(&acceptor, tcp, Duration::from_secs(5)).await?;
            tls.write_all(b"hi").await.ok()
        });
        let config = client_config(&pki.ca, me).unwrap();
        let mut said = Vec::new();
        if let Ok(mut tls) = connect(addr, config).await {
            let _ = tls.read_to_end(&mut said).await;
        }
        server.await.unwrap().is_some() && said == b"hi"
    }

    #[tokio::test]
    async fn only_a_certificate_signed_by_the_ca_gets_in() {
        let pki = TestPki::generate();
        assert!(try_as(&pki, Some(&pki.scanner)).await);
        assert!(!try_as(&pki, Some(&pki.intruder)).await);
        assert!(!try_as(&pki, None).await);
    }
}
