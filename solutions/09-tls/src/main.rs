//! The demo of exercise 09: the inventory feed over TLS, for the room to talk to.
//!
//! `cargo xtask demo 09-tls` runs `cargo run -p sol09-tls -- [--listen ADDR] [--script]`
//! (`--help` lists the other options: STARTTLS, mutual TLS, the limits).
//! It makes a test CA and certificates at start-up, writes the PEM files real
//! clients need (openssl s_client, the book's Twisted client) to a folder
//! (`pem_dir`), and prints how to connect; the server's log goes to stderr. With
//! `--script` it plays scripted clients against itself, prints the transcript and
//! the server's log, and exits.

mod pem_dir;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use pem_dir::PemDir;
use sol09_tls::{
    ConnectionLog, HANDSHAKE_TIMEOUT, MAX_CONNECTIONS, Security, TestCa, TlsFeedServer,
};
use test_kit::{Count, DemoArgs, LineClient, Seconds, Transcript};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The inventory feed of 05-lines over TLS (rustls), with certificates made at
/// start-up.
#[derive(Parser)]
#[command(long_about = None)]
struct Cli {
    #[command(flatten)]
    demo: DemoArgs,
    /// Plain lines until the client sends STARTTLS, instead of TLS at once.
    #[arg(long)]
    starttls: bool,
    /// Mutual TLS: every client must present a scanner certificate (north.pem).
    #[arg(long)]
    mutual: bool,
    /// Write ca.pem, north.pem and north.key to DIR, and leave them there [default:
    /// a new temporary folder, removed when the demo ends]
    #[arg(long, value_name = "DIR")]
    pem_dir: Option<std::path::PathBuf>,
    /// Serve at most N clients at once; the next one is closed before its handshake.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS.into())]
    max_connections: Count,
    /// Drop a client that has not completed its handshake (with --starttls: asked
    /// for it) within SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = HANDSHAKE_TIMEOUT.into())]
    handshake_timeout: Seconds,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let ca = TestCa::new("untwisted demo CA");
    let pem = match PemDir::write(cli.pem_dir.clone(), &ca) {
        Ok(pem) => pem,
        Err(err) => {
            eprintln!("sol09-tls: cannot write the PEM files: {err}");
            return ExitCode::FAILURE;
        }
    };
    let scanners_ca = cli.mutual.then(|| ca.cert());
    let config = match sol09_tls::server_config(ca.server(), scanners_ca.as_ref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("sol09-tls: {err}");
            return ExitCode::FAILURE;
        }
    };
    let security = if cli.starttls { Security::StartTls } else { Security::Tls };
    // The script prints the log after its transcript; a live server as it goes.
    let log =
        if cli.demo.script { ConnectionLog::new() } else { ConnectionLog::echoing() };
    let listen = cli.demo.listen;
    let server = match TlsFeedServer::bind(listen, config, security, log.clone()).await {
        Ok(server) => server
            .with_max_connections(cli.max_connections.get())
            .with_handshake_timeout(cli.handshake_timeout.get()),
        Err(err) => return cli.demo.cannot_listen("sol09-tls", err),
    };
    let addr = server.local_addr();
    let kind = if cli.starttls { "STARTTLS" } else { "TLS" };
    println!(
        "inventory feed over {kind} listening on {addr} (certificate for localhost, 127.0.0.1)"
    );
    let dir = pem.path();
    println!(
        "PEM files in {}: ca.pem (trust it), north.pem + north.key (a scanner)",
        dir.display()
    );
    if cli.demo.script {
        tokio::spawn(server.run());
        script(addr, &ca, security, cli.mutual, &log).await;
        println!("server log:");
        for line in log.lines() {
            println!("  {line}");
        }
        return ExitCode::SUCCESS;
    }
    let (ca_pem, cert, key) =
        (dir.join("ca.pem"), dir.join("north.pem"), dir.join("north.key"));
    let client_cert = if cli.mutual {
        format!(" -cert {} -key {}", cert.display(), key.display())
    } else {
        String::new()
    };
    let starttls = if cli.starttls {
        "(type STARTTLS first: nc -C, then TLS on the same socket) "
    } else {
        ""
    };
    let kept = if cli.pem_dir.is_some() { "stays" } else { "is removed" };
    println!(
        "talk to it {starttls}with lines like `WIDGET-1 5`:\n  \
         openssl s_client -connect {addr} -CAfile {ca}{client_cert} -verify_return_error -quiet -crlf\n  \
         python3 book/src/tls/twisted/feed_client.py --connect {addr} --ca {ca} 'WIDGET-1 5'   (needs twisted[tls])\n  \
         nc -C {ip} {port}   (plaintext on the TLS port: watch the log below)\n\
         At most {max} clients at once; {secs} s to complete the handshake.\n\
         Ctrl-C stops the server (the PEM folder {kept}).",
        ca = ca_pem.display(),
        ip = addr.ip(),
        port = addr.port(),
        max = cli.max_connections,
        secs = cli.handshake_timeout,
    );
    server.run().await;
    ExitCode::SUCCESS
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
        // bob's alert tells the server why; wait for it, so the log below shows it.
        let told = log.wait_for("received fatal alert");
        let _ = tokio::time::timeout(Duration::from_secs(5), told).await;
    }
    println!("\n{transcript}");
}
