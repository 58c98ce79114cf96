//! Worked examples for the TLS chapter (book/src/tls/index.md), on a neighbouring
//! problem: a price board that tells a till the price of an item, over TLS. One
//! self-signed certificate, trusted by the till directly (no CA, no client
//! certificates, no STARTTLS: those are the exercise's).

use std::io;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

// ANCHOR: protocol
/// The price board's protocol: one line in (`PRICE <item>`), one line out. Generic
/// over the stream: it runs the same on TCP, on TLS or on an in-memory pipe.
pub async fn answer_prices<S>(stream: S) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    while stream.read_line(&mut line).await? > 0 {
        let answer = match line.trim_end().strip_prefix("PRICE ") {
            Some("WIDGET-1") => "WIDGET-1 9.99",
            _ => "ERR unknown item",
        };
        stream.write_all(format!("{answer}\r\n").as_bytes()).await?;
        line.clear();
    }
    Ok(())
}
// ANCHOR_END: protocol

// ANCHOR: self_signed
/// A self-signed certificate for `localhost` and its key, made now (rcgen).
pub fn self_signed() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let names = vec!["localhost".to_owned()];
    let made = rcgen::generate_simple_self_signed(names).expect("a certificate");
    (made.cert.der().clone(), PrivateKeyDer::from(made.signing_key))
}
// ANCHOR_END: self_signed

// ANCHOR: acceptor
/// The board's TLS side: ring (named, never guessed), rustls' safe default
/// versions, no client certificates, one certificate to present.
pub fn board_acceptor(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<TlsAcceptor, rustls::Error> {
    let ring = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(ring)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
// ANCHOR_END: acceptor

// ANCHOR: serve
/// Serves one till: the handshake first, then the same protocol as over TCP.
pub async fn serve_one(listener: &TcpListener, acceptor: &TlsAcceptor) -> io::Result<()> {
    let (tcp, _peer) = listener.accept().await?;
    let tls = acceptor.accept(tcp).await?; // a failed handshake is an io::Error
    answer_prices(tls).await
}
// ANCHOR_END: serve

// ANCHOR: till
/// The till: trusts exactly the board's certificate and asks one price.
pub async fn ask_price(
    addr: std::net::SocketAddr,
    trusted: CertificateDer<'static>,
    name: &'static str,
) -> io::Result<String> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted).map_err(io::Error::other)?;
    let ring = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(ring)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await?;
    // The name to verify the certificate against (and to send as SNI).
    let name = ServerName::try_from(name).map_err(io::Error::other)?;
    let tls = TlsConnector::from(Arc::new(config)).connect(name, tcp).await?;
    let mut tls = BufReader::new(tls);
    tls.write_all(b"PRICE WIDGET-1\r\n").await?;
    let mut answer = String::new();
    tls.read_line(&mut answer).await?;
    Ok(answer.trim_end().to_owned())
}
// ANCHOR_END: till

#[cfg(test)]
mod tests {
    use super::*;

    async fn board() -> (std::net::SocketAddr, CertificateDer<'static>) {
        let (cert, key) = self_signed();
        let acceptor = board_acceptor(cert.clone(), key).expect("a config");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            loop {
                // One till after another; a failed handshake ends only that till.
                let _ = serve_one(&listener, &acceptor).await;
            }
        });
        (addr, cert)
    }

    #[tokio::test]
    async fn the_till_gets_a_price_over_tls() {
        let (addr, cert) = board().await;
        assert_eq!(ask_price(addr, cert, "localhost").await.unwrap(), "WIDGET-1 9.99");
    }

    #[tokio::test]
    async fn the_till_refuses_a_board_with_another_name() {
        let (addr, cert) = board().await;
        let err = ask_price(addr, cert, "prices.example").await.unwrap_err();
        assert!(err.to_string().contains("not valid for name"), "{err}");
    }

    #[tokio::test]
    async fn the_protocol_runs_on_an_in_memory_pipe_too() {
        let (till, board) = tokio::io::duplex(1024);
        tokio::spawn(answer_prices(board));
        let mut till = BufReader::new(till);
        till.write_all(b"PRICE GADGET\r\n").await.unwrap();
        let mut answer = String::new();
        till.read_line(&mut answer).await.unwrap();
        assert_eq!(answer, "ERR unknown item\r\n");
    }
}
