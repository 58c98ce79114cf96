//! The demo of exercise 09: the inventory feed over TLS, for the room to talk to.
//!
//! `cargo xtask demo 09-tls` runs `cargo run -p sol09-tls -- [--listen ADDR] [--script]`.
//! It makes a test CA and certificates at start-up, writes the PEM files real
//! clients need (openssl s_client, the book's Twisted client) to a folder, and
//! prints how to connect. With `--script` it plays scripted clients against itself,
//! prints the transcript and the server's log, and exits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use sol09_tls::{ConnectionLog, Security, TestCa, TlsFeedServer};
use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The inventory feed of chapter 05 over TLS (rustls), with certificates made at
/// start-up.
#[derive(Parser)]
#[command(name = "sol09-tls")]
struct Args {
    /// Where to listen (loopback and a free port by default).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Run scripted clients against the server, print the transcript, and exit.
    #[arg(long)]
    script: bool,
    /// Plain lines until the client sends STARTTLS, instead of TLS at once.
    #[arg(long)]
    starttls: bool,
    /// Mutual TLS: every client must present a scanner certificate (north.pem).
    #[arg(long)]
    mutual: bool,
    /// Where to write ca.pem, north.pem and north.key (a new temporary folder by
    /// default).
    #[arg(long)]
    pem_dir: Option<PathBuf>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let ca = TestCa::new("untwisted demo CA");
    let dir = args.pem_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("untwisted-09-tls-{}", std::process::id()))
    });
    if let Err(err) = write_pem_files(&ca, &dir) {
        eprintln!("sol09-tls: cannot write the PEM files to {}: {err}", dir.display());
        return ExitCode::FAILURE;
    }
    let scanners_ca = args.mutual.then(|| ca.cert());
    let config = match sol09_tls::server_config(ca.server(), scanners_ca.as_ref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("sol09-tls: {err}");
            return ExitCode::FAILURE;
        }
    };
    let security = if args.starttls { Security::StartTls } else { Security::Tls };
    let log = ConnectionLog::echoing();
    let server =
        match TlsFeedServer::bind(args.listen, config, security, log.clone()).await {
            Ok(server) => server,
            Err(err) => {
                eprintln!("sol09-tls: cannot listen on {}: {err}", args.listen);
                return ExitCode::FAILURE;
            }
        };
    let addr = server.local_addr();
    let kind = if args.starttls { "STARTTLS" } else { "TLS" };
    println!(
        "inventory feed over {kind} listening on {addr} (certificate for localhost, 127.0.0.1)"
    );
    println!(
        "PEM files in {}: ca.pem (trust it), north.pem + north.key (a scanner)",
        dir.display()
    );
    if args.script {
        tokio::spawn(server.run());
        script(addr, &ca, security, args.mutual, &log).await;
        if args.pem_dir.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        return ExitCode::SUCCESS;
    }
    let (ca_pem, cert, key) =
        (dir.join("ca.pem"), dir.join("north.pem"), dir.join("north.key"));
    let client_cert = if args.mutual {
        format!(" -cert {} -key {}", cert.display(), key.display())
    } else {
        String::new()
    };
    let starttls = if args.starttls {
        "(type STARTTLS first: nc -C, then TLS on the same socket) "
    } else {
        ""
    };
    println!(
        "talk to it {starttls}with lines like `WIDGET-1 5`:\n  \
         openssl s_client -connect {addr} -CAfile {ca}{client_cert} -verify_return_error -quiet -crlf\n  \
         python3 book/src/tls/twisted/feed_client.py --connect {addr} --ca {ca} 'WIDGET-1 5'   (needs twisted[tls])\n  \
         nc -C {ip} {port}   (plaintext on the TLS port: watch the log below)\n\
         Ctrl-C stops the server.",
        ca = ca_pem.display(),
        ip = addr.ip(),
        port = addr.port(),
    );
    server.run().await;
    ExitCode::SUCCESS
}

/// Writes what real clients need: the CA to trust, and one scanner's certificate.
fn write_pem_files(ca: &TestCa, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let scanner = ca.scanner("north");
    std::fs::write(dir.join("ca.pem"), ca.cert_pem())?;
    std::fs::write(dir.join("north.pem"), &scanner.cert_pem)?;
    std::fs::write(dir.join("north.key"), &scanner.key_pem)
}

/// A clerk over TLS, a client that forgot TLS, and a client that dials the wrong
/// name, one after the other, so the room can follow.
async fn script(
    addr: SocketAddr,
    ca: &TestCa,
    security: Security,
    mutual: bool,
    log: &ConnectionLog,
) {
    let transcript = Transcript::new();
    let scanner = mutual.then(|| ca.scanner("north"));
    let config = Arc::new(
        sol09_tls::client_config(&ca.cert(), scanner).expect("a client configuration"),
    );
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    if security == Security::StartTls {
        let mut plain = LineClient::over(tcp, "alice", &transcript);
        plain.send_line("STARTTLS").await;
        plain.recv_line().await;
        tcp = plain.into_inner();
    }
    let name =
        sol09_tls::rustls::pki_types::ServerName::try_from("localhost").expect("a name");
    let tls = sol09_tls::tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, tcp)
        .await;
    let tls = tls.expect("the TLS handshake");
    let version = tls.get_ref().1.protocol_version().expect("after a handshake");
    transcript.event("alice", &format!("TLS handshake with localhost: {version:?}"));
    let mut alice = LineClient::over(tls, "alice", &transcript);
    for line in ["WIDGET-1 5", "WIDGET-1 -2", "WIDGET-1 five"] {
        alice.send_line(line).await;
        alice.recv_line().await;
    }

    if security == Security::Tls {
        // A client that forgot TLS: its line is no ClientHello; the log says why.
        let mut plain = tokio::net::TcpStream::connect(addr).await.expect("connect");
        transcript.event("mallory", "sends `WIDGET-1 5` in plaintext");
        let _ = plain.write_all(b"WIDGET-1 5\r\n").await;
        let _ = plain.read_to_end(&mut Vec::new()).await;
        transcript.event("mallory", "connection closed by server");
        log.wait_for("TLS handshake failed").await;

        // A client that dials a name the certificate does not carry.
        match sol09_tls::connect(addr, "elsewhere.test", config).await {
            Ok(_) => {
                transcript.event("bob", "connected to elsewhere.test (should not happen)")
            }
            Err(err) => {
                transcript.event("bob", &format!("refuses elsewhere.test: {err}"))
            }
        }
    }
    println!("\n{transcript}");
}
