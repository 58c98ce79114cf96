// The steps of exercise 09: the 05 feed over TLS, checked with the crate's own client
// and with a real peer, `openssl s_client`. Certificates are made fresh by every
// step (tls::TestCa); the PEM files openssl reads go to a temporary folder.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use test_kit::{LineClient, Transcript};
use tls::rustls::pki_types::ServerName;
use tls::rustls::version::{TLS12, TLS13};
use tls::rustls::{ClientConfig, RootCertStore, ServerConfig};
use tls::tokio_rustls::TlsConnector;
use tls::{ConnectionLog, Feed, Security, TestCa, TlsFeedServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

// Starts a feed server on a free loopback port; returns its address, log and feed.
async fn start(
    config: ServerConfig,
    security: Security,
) -> (SocketAddr, ConnectionLog, Feed) {
    start_with_timeout(config, security, tls::HANDSHAKE_TIMEOUT).await
}

async fn start_with_timeout(
    config: ServerConfig,
    security: Security,
    deadline: Duration,
) -> (SocketAddr, ConnectionLog, Feed) {
    let log = ConnectionLog::new();
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = TlsFeedServer::bind(addr, config, security, log.clone())
        .await
        .expect("the feed server could not listen on 127.0.0.1:0")
        .with_handshake_timeout(deadline);
    let (addr, feed) = (server.local_addr(), server.feed());
    tokio::spawn(server.run());
    (addr, log, feed)
}

// The server's configuration for one-way TLS (no client certificates).
fn one_way(ca: &TestCa) -> ServerConfig {
    tls::server_config(ca.server(), None).expect("server_config failed")
}

// A client configuration that trusts `ca` and presents `scanner`'s certificate.
fn trusting(ca: &TestCa, scanner: Option<tls::Identity>) -> Arc<ClientConfig> {
    Arc::new(tls::client_config(&ca.cert(), scanner).expect("client_config failed"))
}

// Connects with TLS, expecting to succeed, and wraps the stream in a line client.
async fn tls_client(
    addr: SocketAddr,
    name: &str,
    config: Arc<ClientConfig>,
    who: &str,
    transcript: &Transcript,
) -> LineClient<tls::tokio_rustls::client::TlsStream<TcpStream>> {
    let stream = tls::connect(addr, name, config)
        .await
        .unwrap_or_else(|e| panic!("{who}: the TLS handshake with {name} failed: {e}"));
    let version = stream.get_ref().1.protocol_version().expect("after a handshake");
    transcript.event(who, &format!("TLS handshake with {name}: {version:?}"));
    LineClient::over(stream, who, transcript)
}

// Waits (up to 5 s) for the server's log to have a line containing `text`.
async fn logged(log: &ConnectionLog, text: &str) -> String {
    match timeout(Duration::from_secs(5), log.wait_for(text)).await {
        Ok(line) => line,
        Err(_) => panic!(
            "after 5 s the server's log has no line with {text:?}; it says:\n{}",
            log.lines().join("\n")
        ),
    }
}

// Sends `line` and returns the answer.
async fn ask<S>(client: &mut LineClient<S>, line: &str) -> String
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    client.send_line(line).await;
    client.recv_line().await
}

// Tries to use the feed as `config`'s client and returns why that failed. With TLS
// 1.3 a client finishes its side of the handshake before the server has checked
// its certificate, so a refusal may show as a failed handshake or as a failed read.
async fn refusal(addr: SocketAddr, config: Arc<ClientConfig>) -> String {
    let mut stream = match tls::connect(addr, "localhost", config).await {
        Err(err) => return err.to_string(),
        Ok(stream) => stream,
    };
    let _ = stream.write_all(b"WIDGET-1 1\r\n").await;
    let mut answer = Vec::new();
    let read = timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    match read {
        Err(_) => panic!("the server neither answered nor closed within 5 s"),
        Ok(Err(err)) => err.to_string(),
        Ok(Ok(_)) if answer.is_empty() => "closed without a word".to_owned(),
        Ok(Ok(_)) => panic!(
            "this client should have been refused, but the feed answered {:?}",
            String::from_utf8_lossy(&answer)
        ),
    }
}

// PEM files for openssl, in a folder of their own.
struct PemFiles {
    dir: PathBuf,
}

impl PemFiles {
    fn new(step: &str) -> Self {
        let name = format!("untwisted-09-{}-{step}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        Self { dir }
    }

    fn write(&self, name: &str, pem: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, pem).expect("writing a PEM file");
        path.display().to_string()
    }
}

impl Drop for PemFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// Runs `openssl s_client` against `addr` with `args`, sends `lines`, and returns up
// to `answers` lines it printed (fewer if the connection ended first).
async fn s_client(
    addr: SocketAddr,
    args: &[&str],
    lines: &[&str],
    answers: usize,
) -> Vec<String> {
    let mut command = Command::new("openssl");
    command
        .args([
            "s_client",
            "-connect",
            &addr.to_string(),
            "-quiet",
            "-verify_return_error",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let input: String = lines.iter().map(|line| format!("{line}\r\n")).collect();
    let run = move || {
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run `openssl` ({e}): these steps use openssl s_client as a real \
                 TLS peer. Install it (Debian/Ubuntu: apt-get install openssl; macOS: \
                 brew install openssl) and run the check again."
            )
        });
        let mut stdin = child.stdin.take().expect("piped");
        let _ = stdin.write_all(input.as_bytes());
        let _ = stdin.flush();
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let got: Vec<String> =
            stdout.lines().map_while(Result::ok).take(answers).collect();
        drop(stdin);
        let _ = child.kill();
        let _ = child.wait();
        got
    };
    tokio::task::spawn_blocking(run).await.expect("the openssl thread panicked")
}

#[test]
fn step_1_the_feed_runs_over_tls() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let (addr, log, _) = start(one_way(&ca), Security::Tls).await;
        let transcript = Transcript::new();

        let mut alice =
            tls_client(addr, "localhost", trusting(&ca, None), "alice", &transcript)
                .await;
        assert_eq!(ask(&mut alice, "WIDGET-1 5").await, "WIDGET-1 5");
        assert_eq!(ask(&mut alice, "WIDGET-1 -2").await, "WIDGET-1 3");
        let answer = ask(&mut alice, "WIDGET-1 five").await;
        assert!(answer.starts_with("ERR "), "the 05 protocol, unchanged: got {answer:?}");

        // The certificate names 127.0.0.1 too: a client that dials the address
        // verifies it against the certificate's IP address.
        let mut bob =
            tls_client(addr, "127.0.0.1", trusting(&ca, None), "bob", &transcript).await;
        assert_eq!(ask(&mut bob, "WIDGET-1 1").await, "WIDGET-1 4", "one inventory");
        insta::assert_snapshot!(transcript.to_string());

        let line = logged(&log, "established").await;
        assert!(
            line.contains("warehouse main"),
            "a client without a certificate feeds the main warehouse: {line}"
        );

        // A real peer: openssl s_client, verifying the server against the test CA.
        let pem = PemFiles::new("step1");
        let ca_file = pem.write("ca.pem", &ca.cert_pem());
        let args = [
            "-CAfile",
            &ca_file,
            "-servername",
            "localhost",
            "-verify_hostname",
            "localhost",
        ];
        let answers = s_client(addr, &args, &["WIDGET-1 0"], 1).await;
        assert_eq!(answers, ["WIDGET-1 4"], "openssl s_client, verifying the test CA");
    });
}

#[test]
fn step_2_the_client_refuses_a_server_with_the_wrong_name_or_issuer() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let (addr, _, _) = start(one_way(&ca), Security::Tls).await;

        // The certificate is for localhost and 127.0.0.1, not for this name.
        match tls::connect(addr, "elsewhere.test", trusting(&ca, None)).await {
            Ok(_) => {
                panic!("a certificate for localhost must not pass for elsewhere.test")
            }
            Err(err) => assert!(
                err.to_string().contains("not valid for name"),
                "the error should say the certificate is not valid for the name, got: {err}"
            ),
        }
        // Not a name at all: refused before any byte is sent.
        match tls::connect(addr, "not a name!", trusting(&ca, None)).await {
            Ok(_) => panic!("\"not a name!\" is no server name"),
            Err(err) => assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "a bad name is InvalidInput, got: {err}"
            ),
        }

        // Right name, but signed by a CA the client does not trust.
        let stranger = TestCa::new("a stranger's CA");
        let (elsewhere, _, _) = start(one_way(&stranger), Security::Tls).await;
        match tls::connect(elsewhere, "localhost", trusting(&ca, None)).await {
            Ok(_) => panic!("a certificate from an unknown CA must be refused"),
            Err(err) => assert!(
                err.to_string().contains("UnknownIssuer"),
                "the error should say the issuer is unknown, got: {err}"
            ),
        }
        // openssl agrees: a wrong name prints no answer.
        let pem = PemFiles::new("step2");
        let ca_file = pem.write("ca.pem", &ca.cert_pem());
        let args = ["-CAfile", &ca_file, "-verify_hostname", "elsewhere.test"];
        assert!(s_client(addr, &args, &["WIDGET-1 1"], 1).await.is_empty());
    });
}

#[test]
fn step_3_mutual_tls_names_the_warehouse_and_refuses_strangers() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let config = tls::server_config(ca.server(), Some(&ca.cert()))
            .expect("server_config with a CA for the scanners");
        let (addr, log, feed) = start(config, Security::Tls).await;
        let transcript = Transcript::new();

        // Each warehouse has its own stock: the certificate says which one.
        let north = trusting(&ca, Some(ca.scanner("north")));
        let south = trusting(&ca, Some(ca.scanner("south")));
        let mut n1 =
            tls_client(addr, "localhost", north.clone(), "north-1", &transcript).await;
        let mut s1 = tls_client(addr, "localhost", south, "south-1", &transcript).await;
        let mut n2 = tls_client(addr, "localhost", north, "north-2", &transcript).await;
        assert_eq!(ask(&mut n1, "WIDGET-1 5").await, "WIDGET-1 5");
        assert_eq!(ask(&mut s1, "WIDGET-1 2").await, "WIDGET-1 2", "south has its own");
        assert_eq!(ask(&mut n2, "WIDGET-1 1").await, "WIDGET-1 6", "north's, shared");
        insta::assert_snapshot!(transcript.to_string());
        assert_eq!(feed.inventory("north").total("WIDGET-1"), 6);
        assert_eq!(feed.inventory("main").total("WIDGET-1"), 0, "no scanner is main");
        logged(&log, "warehouse south").await;

        // openssl s_client as the north scanner, with its certificate and key.
        let pem = PemFiles::new("step3");
        let ca_file = pem.write("ca.pem", &ca.cert_pem());
        let scanner = ca.scanner("north");
        let cert = pem.write("north.pem", &scanner.cert_pem);
        let key = pem.write("north.key", &scanner.key_pem);
        let args = ["-CAfile", &ca_file, "-cert", &cert, "-key", &key];
        assert_eq!(s_client(addr, &args, &["WIDGET-1 0"], 1).await, ["WIDGET-1 6"]);
        // Without a certificate, openssl gets nothing either.
        assert!(
            s_client(addr, &["-CAfile", &ca_file], &["WIDGET-1 1"], 1).await.is_empty()
        );

        // No certificate: refused in the handshake.
        let reason = refusal(addr, trusting(&ca, None)).await;
        let line = logged(&log, "sent no certificate").await;
        assert!(line.contains("TLS handshake failed"), "{line} (client saw: {reason})");
        // A certificate from another CA: refused, whatever warehouse it names.
        let stranger = TestCa::new("a stranger's CA");
        refusal(addr, trusting(&ca, Some(stranger.scanner("north")))).await;
        logged(&log, "UnknownIssuer").await;
        // Our CA, but a warehouse this server does not know: refused after the handshake.
        refusal(addr, trusting(&ca, Some(ca.scanner("east")))).await;
        logged(&log, "certificate names no known warehouse").await;
        assert_eq!(
            feed.inventory("north").total("WIDGET-1"),
            6,
            "no refused move counted"
        );
    });
}

#[test]
fn step_4_starttls_upgrades_a_running_plain_connection() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let (addr, log, feed) = start(one_way(&ca), Security::StartTls).await;
        let transcript = Transcript::new();

        let mut alice = LineClient::connect(addr, "alice", &transcript).await;
        assert_eq!(
            ask(&mut alice, "WIDGET-1 5").await,
            "ERR send STARTTLS first",
            "no stock moves in plaintext"
        );
        assert_eq!(ask(&mut alice, "STARTTLS").await, "OK begin TLS");
        // The same TCP connection, now under TLS (Twisted: transport.startTLS).
        let tcp = alice.into_inner();
        let name = ServerName::try_from("localhost").expect("a name");
        let tls = TlsConnector::from(trusting(&ca, None))
            .connect(name, tcp)
            .await
            .expect("the TLS handshake after STARTTLS failed");
        transcript.event("alice", "TLS handshake on the same connection");
        let mut alice = LineClient::over(tls, "alice", &transcript);
        assert_eq!(ask(&mut alice, "WIDGET-1 5").await, "WIDGET-1 5");

        // Lines sent right behind STARTTLS travel in plaintext, before any handshake:
        // anyone on the path could have added them. They must never count.
        let mut mallory = LineClient::connect(addr, "mallory", &transcript).await;
        mallory.send_raw(b"STARTTLS\r\nWIDGET-1 100\r\n").await;
        assert_eq!(
            mallory.recv_line().await,
            "ERR nothing may follow STARTTLS before the handshake"
        );
        mallory.expect_closed().await;
        logged(&log, "STARTTLS refused: 14 bytes came too early").await;
        assert_eq!(
            ask(&mut alice, "WIDGET-1 0").await,
            "WIDGET-1 5",
            "mallory's 100 not counted"
        );
        assert_eq!(feed.inventory("main").total("WIDGET-1"), 5);
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_5_a_client_that_never_handshakes_is_dropped_after_the_timeout() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let deadline = Duration::from_millis(300);
        let (addr, log, _) =
            start_with_timeout(one_way(&ca), Security::Tls, deadline).await;
        let (plain_addr, plain_log, _) =
            start_with_timeout(one_way(&ca), Security::StartTls, deadline).await;
        let transcript = Transcript::new();
        let mut alice =
            tls_client(addr, "localhost", trusting(&ca, None), "alice", &transcript)
                .await;
        assert_eq!(ask(&mut alice, "WIDGET-1 1").await, "WIDGET-1 1");

        // Two clients connect and say nothing: one on the TLS port, one on the
        // STARTTLS port. Each must be dropped once the deadline has passed.
        let started = Instant::now();
        let on_tls = TcpStream::connect(addr).await.expect("connect");
        let on_plain = TcpStream::connect(plain_addr).await.expect("connect");
        for mut silent in [on_tls, on_plain] {
            let mut buf = [0u8; 64];
            match timeout(deadline * 10, silent.read(&mut buf)).await {
                Err(_) => panic!("a client that never handshakes was kept for 3 s"),
                Ok(Ok(0) | Err(_)) => {}
                Ok(Ok(n)) => panic!("the silent client was sent {:?}", &buf[..n]),
            }
            let waited = started.elapsed();
            assert!(waited >= deadline, "dropped after {waited:?}, before the deadline");
        }
        logged(&log, "TLS handshake timed out after 300ms").await;
        logged(&plain_log, "no STARTTLS within 300ms").await;

        // The deadline is for the handshake only: alice, connected for longer than
        // that, keeps her connection.
        assert!(started.elapsed() >= deadline);
        assert_eq!(ask(&mut alice, "WIDGET-1 1").await, "WIDGET-1 2");
    });
}

#[test]
fn step_6_a_plaintext_client_on_the_tls_port_is_dropped_with_a_logged_reason() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let (addr, log, feed) = start(one_way(&ca), Security::Tls).await;

        // A feed client that forgot TLS: its line is no ClientHello.
        let mut plain = TcpStream::connect(addr).await.expect("connect");
        plain.write_all(b"WIDGET-1 5\r\n").await.expect("send");
        let mut got = Vec::new();
        let read = timeout(Duration::from_secs(5), plain.read_to_end(&mut got)).await;
        assert!(read.is_ok(), "the server kept a plaintext client for 5 s");
        assert!(
            !String::from_utf8_lossy(&got).contains("WIDGET"),
            "no answer in plaintext"
        );
        let line = logged(&log, "TLS handshake failed").await;
        assert!(
            line.contains("InvalidContentType"),
            "the log should carry rustls' reason (a corrupt message), got: {line}"
        );
        assert_eq!(feed.inventory("main").total("WIDGET-1"), 0);

        // The server is still there for clients that speak TLS.
        let transcript = Transcript::new();
        let mut alice =
            tls_client(addr, "localhost", trusting(&ca, None), "alice", &transcript)
                .await;
        assert_eq!(ask(&mut alice, "WIDGET-1 5").await, "WIDGET-1 5");
    });
}

#[test]
fn step_7_tls_1_2_is_the_minimum_and_1_3_is_spoken() {
    test_kit::run(|| async {
        let ca = TestCa::new("untwisted test CA");
        let (addr, _, _) = start(one_way(&ca), Security::Tls).await;
        let mut roots = RootCertStore::empty();
        roots.add(ca.cert()).expect("the CA certificate");

        // A client that speaks only one version: the server accepts 1.2 and 1.3.
        for (version, shown) in [(&TLS12, "TLSv1_2"), (&TLS13, "TLSv1_3")] {
            let config = ClientConfig::builder_with_provider(tls::provider())
                .with_protocol_versions(&[version])
                .expect("a version ring supports")
                .with_root_certificates(roots.clone())
                .with_no_client_auth();
            let stream = tls::connect(addr, "localhost", Arc::new(config))
                .await
                .unwrap_or_else(|e| panic!("a {shown}-only client was refused: {e}"));
            let spoken =
                stream.get_ref().1.protocol_version().expect("after a handshake");
            assert_eq!(format!("{spoken:?}"), shown);
        }
        // And the crate's own client can meet a server that stops at TLS 1.2.
        let server = ca.server();
        let old = ServerConfig::builder_with_provider(tls::provider())
            .with_protocol_versions(&[&TLS12])
            .expect("TLS 1.2")
            .with_no_client_auth()
            .with_single_cert(server.chain, server.key)
            .expect("a server certificate");
        let (old_addr, _, _) = start(old, Security::Tls).await;
        let transcript = Transcript::new();
        let mut alice =
            tls_client(old_addr, "localhost", trusting(&ca, None), "alice", &transcript)
                .await;
        assert_eq!(ask(&mut alice, "WIDGET-1 1").await, "WIDGET-1 1");

        // openssl: 1.2 and 1.3 get answers, 1.1 does not.
        let pem = PemFiles::new("step7");
        let ca_file = pem.write("ca.pem", &ca.cert_pem());
        for (flag, answers) in [("-tls1_2", 1), ("-tls1_3", 1), ("-tls1_1", 0)] {
            let args = ["-CAfile", &ca_file, flag];
            let got = s_client(addr, &args, &["WIDGET-1 0"], 1).await;
            assert_eq!(got.len(), answers, "openssl s_client {flag} got {got:?}");
        }
    });
}
