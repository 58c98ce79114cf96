//! The server side of a connection before the feed starts: the handshake under a
//! deadline, STARTTLS on a plain connection, and the scanner's warehouse.

use rustls::client::verify_server_name;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::ParsedCertificate;
use std::net::SocketAddr;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;

use crate::feed::{Line, WAREHOUSES, read_line};
use crate::pki::scanner_name;
use crate::port::Gatekeeper;

impl Gatekeeper {
    // ANCHOR: handshake
    /// Runs the server's side of the TLS handshake on `tcp`, for at most
    /// `self.deadline`. On failure, logs why and returns `None`.
    pub async fn handshake(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Option<TlsStream<TcpStream>> {
        let log = &self.log;
        match timeout(self.deadline, self.acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => Some(tls),
            // A plaintext client, a bad certificate, a version too old: rustls says
            // which, and the connection is dropped (its task simply ends).
            Ok(Err(err)) => {
                log.record(peer, format_args!("TLS handshake failed: {err}"));
                None
            }
            Err(_elapsed) => {
                let deadline = self.deadline;
                log.record(
                    peer,
                    format_args!("TLS handshake timed out after {deadline:?}"),
                );
                None
            }
        }
    }
    // ANCHOR_END: handshake

    // ANCHOR: start_tls
    /// Plain lines until `STARTTLS`, then the handshake on the same connection.
    pub async fn start_tls(
        &self,
        tcp: TcpStream,
        peer: SocketAddr,
    ) -> Option<TlsStream<TcpStream>> {
        let log = &self.log;
        let mut plain = BufReader::new(tcp);
        let asked = timeout(self.deadline, wait_for_starttls(&mut plain)).await;
        if asked != Ok(true) {
            if asked.is_err() {
                let deadline = self.deadline;
                log.record(peer, format_args!("no STARTTLS within {deadline:?}"));
            }
            return None;
        }
        // Bytes that came in after STARTTLS but before the handshake were sent in
        // plaintext: anyone on the path could have put them there. Never treat them as
        // if TLS protected them (the STARTTLS command injection, CVE-2011-0411).
        let early = plain.buffer().len();
        if early > 0 {
            log.record(
                peer,
                format_args!("STARTTLS refused: {early} bytes came too early"),
            );
            let refusal = b"ERR nothing may follow STARTTLS before the handshake\r\n";
            let _ = plain.get_mut().write_all(refusal).await;
            return None;
        }
        plain.get_mut().write_all(b"OK begin TLS\r\n").await.ok()?;
        self.handshake(plain.into_inner(), peer).await
    }
    // ANCHOR_END: start_tls
}

/// Answers `ERR send STARTTLS first` to every other line; `true` once a client
/// sends `STARTTLS`, `false` if it leaves (or sends a line too long).
async fn wait_for_starttls(plain: &mut BufReader<TcpStream>) -> bool {
    let mut line = Vec::new();
    loop {
        match read_line(plain, &mut line).await {
            Ok(Line::Complete) if line == b"STARTTLS" => return true,
            Ok(Line::Complete) => {
                let refusal = b"ERR send STARTTLS first\r\n";
                if plain.get_mut().write_all(refusal).await.is_err() {
                    return false;
                }
            }
            Ok(Line::TooLong | Line::Closed) | Err(_) => return false,
        }
    }
}

// ANCHOR: warehouse_of
/// The warehouse a scanner's (already verified) certificate names: the one of
/// [`WAREHOUSES`] whose [`scanner_name`] the certificate is valid for.
pub fn warehouse_of(cert: &CertificateDer<'_>) -> Option<&'static str> {
    let cert = ParsedCertificate::try_from(cert).ok()?;
    WAREHOUSES.into_iter().find(|warehouse| {
        let name = ServerName::try_from(scanner_name(warehouse));
        name.is_ok_and(|name| verify_server_name(&cert, &name).is_ok())
    })
}
// ANCHOR_END: warehouse_of
