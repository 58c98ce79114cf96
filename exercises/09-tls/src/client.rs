//! The client side: connect, then prove the server is who the client dialled.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

// What `connect` will need.
#[allow(unused_imports)]
use {rustls::pki_types::ServerName, tokio_rustls::TlsConnector};

/// Connects to `addr` over TCP and runs the TLS handshake as a client that expects
/// the server to be `server_name` (a DNS name or an IP address), trusting what
/// `config` trusts. A certificate for another name, or from an unknown CA, fails
/// the handshake with rustls' reason in the error.
///
/// - `ServerName::try_from(server_name.to_owned())`: a string that is no name at
///   all is an `io::Error` of kind `InvalidInput` (say which string).
/// - `TcpStream::connect(addr)`, then `TlsConnector::from(config)` and its
///   `connect(name, tcp)`: the handshake. Return its error as it is: rustls' text
///   ("certificate not valid for name …", "UnknownIssuer") is the clear reason.
pub async fn connect(
    addr: SocketAddr,
    server_name: &str,
    config: Arc<ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    todo!(
        "connect({addr}, {server_name:?}, {} ALPN protocols)",
        config.alpn_protocols.len()
    )
}
