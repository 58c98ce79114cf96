//! The server side of a connection before the feed starts: the handshake under a
//! deadline, STARTTLS on a plain connection, and the scanner's warehouse.

use std::net::SocketAddr;

use rustls::pki_types::CertificateDer;
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::port::Gatekeeper;

// What the three functions will need.
#[allow(unused_imports)]
use {
    crate::feed::{Line, WAREHOUSES, read_line},
    crate::pki::scanner_name,
    rustls::{
        client::verify_server_name, pki_types::ServerName, server::ParsedCertificate,
    },
    tokio::io::{AsyncWriteExt, BufReader},
    tokio::time::timeout,
};

impl Gatekeeper {
    /// Runs the server's side of the TLS handshake on `tcp`, for at most
    /// `self.deadline`. On failure, logs why and returns `None`.
    ///
    /// - `self.acceptor.accept(tcp)` is the handshake, a future; `timeout(…)`
    ///   bounds it.
    /// - Handshake error `err`: `self.log.record(peer, format_args!("TLS handshake
    ///   failed: {err}"))`. rustls says why: a plaintext client, an unknown CA, no
    ///   certificate.
    /// - Deadline passed: log `TLS handshake timed out after {deadline:?}` (a
    ///   `Duration`'s `{:?}` reads `10s` or `200ms`).
    ///
    /// Never `unwrap()` here: every one of these failures is a client's doing.
    pub async fn handshake(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Option<TlsStream<TcpStream>> {
        todo!("Gatekeeper::handshake({peer}, {:?})", tcp.local_addr())
    }

    /// Plain lines until `STARTTLS`, then the handshake on the same connection.
    ///
    /// - Wrap `tcp` in a `BufReader` and read lines with [`read_line`]: `STARTTLS`
    ///   ends the plain part; any other line gets `ERR send STARTTLS first`; a line
    ///   too long, a close or an error ends the connection (`None`).
    /// - The plain part is bounded by `self.deadline` too: log
    ///   `no STARTTLS within {deadline:?}` when it runs out.
    /// - After `STARTTLS`, if the reader's `buffer()` still holds bytes, the client
    ///   sent them in plaintext before the handshake: log `STARTTLS refused: N bytes
    ///   came too early`, answer `ERR nothing may follow STARTTLS before the
    ///   handshake` and return `None`.
    /// - Otherwise answer `OK begin TLS`, take the `TcpStream` back out of the
    ///   reader (`into_inner`) and run [`Gatekeeper::handshake`] on it.
    pub async fn start_tls(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Option<TlsStream<TcpStream>> {
        todo!("Gatekeeper::start_tls({peer}, {:?})", tcp.local_addr())
    }
}

/// The warehouse a scanner's (already verified) certificate names: the one of
/// [`WAREHOUSES`] whose [`scanner_name`] the certificate is valid for, or `None`.
///
/// `ParsedCertificate::try_from(cert)` reads the certificate; rustls'
/// `verify_server_name(&parsed, &name)` says whether it is valid for a name.
pub fn warehouse_of(cert: &CertificateDer<'_>) -> Option<&'static str> {
    todo!("warehouse_of({} bytes of certificate)", cert.len())
}
