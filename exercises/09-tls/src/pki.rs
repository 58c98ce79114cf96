//! A throwaway public-key infrastructure, made in memory at test (or demo) time: a
//! certificate authority, a server certificate for `localhost` and `127.0.0.1`, and
//! scanner certificates that name their warehouse. No private key is ever written
//! to the repository; a new run makes new keys. Given whole.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The names the server certificate is valid for: what clients may dial.
pub const SERVER_NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// The DNS name a scanner's certificate carries for `warehouse`, e.g.
/// `north.scanners.test` (`.test` is reserved: it never resolves on the internet).
pub fn scanner_name(warehouse: &str) -> String {
    format!("{warehouse}.scanners.test")
}

/// A certificate chain and its private key: who a server or a scanner is.
#[derive(Debug)]
pub struct Identity {
    /// The certificate first, then any intermediates (none here).
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key, PKCS#8 DER.
    pub key: PrivateKeyDer<'static>,
    /// The certificate as PEM, for `openssl s_client -cert` and Twisted.
    pub cert_pem: String,
    /// The private key as PEM, for `openssl s_client -key` and Twisted.
    pub key_pem: String,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            cert_pem: self.cert_pem.clone(),
            key_pem: self.key_pem.clone(),
        }
    }
}

/// A test certificate authority: everything it signs, its clients can trust.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    /// A new CA with a fresh key, named `name` (its subject's common name).
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::new()).expect("no names to check");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("ring makes a P-256 key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("a self-signed CA");
        Self { issuer }
    }

    /// The CA's certificate: what a client (or a server checking scanners) trusts.
    pub fn cert(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// The CA's certificate as PEM, for `openssl s_client -CAfile` and Twisted.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for [`SERVER_NAMES`], signed by this CA.
    pub fn server(&self) -> Identity {
        self.sign(&SERVER_NAMES, "untwisted feed", ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate for one scanner of `warehouse`, signed by this CA: its
    /// only DNS name is [`scanner_name`]`(warehouse)`.
    pub fn scanner(&self, warehouse: &str) -> Identity {
        let name = scanner_name(warehouse);
        self.sign(&[name.as_str()], &name, ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn sign(&self, names: &[&str], cn: &str, usage: ExtendedKeyUsagePurpose) -> Identity {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("valid names");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().expect("ring makes a P-256 key");
        let cert = params.signed_by(&key, &self.issuer).expect("the CA signs");
        Identity {
            chain: vec![cert.der().clone()],
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            key: PrivateKeyDer::from(key),
        }
    }
}
