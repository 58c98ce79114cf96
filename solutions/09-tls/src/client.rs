//! The client side: connect, then prove the server is who the client dialled.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

// ANCHOR: connect
/// Connects to `addr` over TCP and runs the TLS handshake as a client that expects
/// the server to be `server_name` (a DNS name or an IP address), trusting what
/// `config` trusts. A certificate for another name, or from an unknown CA, fails
/// the handshake with rustls' reason in the error.
pub async fn connect(
    addr: SocketAddr,
    server_name: &str,
    config: Arc<ClientConfig>,
) -> io::Result<TlsStream<TcpStream>> {
    // The name is checked before any byte is sent: it is what the certificate
    // must match, and it goes to the server as SNI.
    let name = ServerName::try_from(server_name.to_owned()).map_err(|err| {
        let why = format!("{server_name:?} is not a server name: {err}");
        io::Error::new(io::ErrorKind::InvalidInput, why)
    })?;
    let tcp = TcpStream::connect(addr).await?;
    TlsConnector::from(config).connect(name, tcp).await
}
// ANCHOR_END: connect
