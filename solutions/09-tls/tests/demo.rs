//! The demo server against a hostile room: what `cargo xtask demo 09-tls` must
//! survive. Not a step of the exercise: the learner's crate has no demo.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sol09_tls::MAX_CONNECTIONS;
use sol09_tls::rustls::pki_types::pem::PemObject;
use sol09_tls::rustls::pki_types::{CertificateDer, ServerName};
use sol09_tls::rustls::{ClientConfig, ClientConnection, StreamOwned};
use test_kit::DemoProcess;
use test_kit::process::{PATIENCE, is_timeout, read_line};

const DEMO: &str = env!("CARGO_BIN_EXE_sol09-tls");

/// A client's TLS connection to the demo, read line by line.
type TlsClient = BufReader<StreamOwned<ClientConnection, TcpStream>>;

/// The folder the demo wrote its PEM files to, from its `PEM files in DIR: …` line.
fn pem_dir(demo: &mut DemoProcess) -> PathBuf {
    let line = demo.wait_for_output("PEM files in ", PATIENCE);
    let line = line.unwrap_or_else(|| panic!("no PEM folder:\n{}", demo.output()));
    let rest = line.split("PEM files in ").nth(1).expect("split on what it contains");
    PathBuf::from(rest.split(": ").next().expect("one part at least"))
}

/// A client configuration trusting the CA in `dir`/ca.pem, as openssl's -CAfile.
fn trusting(dir: &Path) -> Arc<ClientConfig> {
    let ca =
        CertificateDer::from_pem_file(dir.join("ca.pem")).expect("the demo's ca.pem");
    Arc::new(sol09_tls::client_config(&ca, None).expect("a client configuration"))
}

/// Connects to the demo and runs the TLS handshake as a client dialling `localhost`,
/// giving up on a silent server after [`PATIENCE`].
fn handshake(demo: &DemoProcess, config: &Arc<ClientConfig>) -> io::Result<TlsClient> {
    let mut tcp = TcpStream::connect(demo.addr())?;
    tcp.set_read_timeout(Some(PATIENCE))?;
    let name = ServerName::try_from("localhost").expect("a DNS name");
    let mut tls =
        ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut tcp)?;
    }
    Ok(BufReader::new(StreamOwned::new(tls, tcp)))
}

/// Connects over TLS and has one move answered: the demo serves.
fn served(demo: &DemoProcess, config: &Arc<ClientConfig>, who: &str) -> TlsClient {
    let mut client =
        handshake(demo, config).unwrap_or_else(|e| panic!("{who}'s handshake: {e}"));
    client.get_mut().write_all(b"SERVED-1 0\r\n").expect("send over TLS");
    client.get_mut().flush().expect("send over TLS");
    let mut answer = String::new();
    client.read_line(&mut answer).unwrap_or_else(|e| panic!("{who} is not served: {e}"));
    assert_eq!(answer, "SERVED-1 0\r\n", "{who}");
    client
}

/// Reads until the server closes: an end of stream or a reset, never silence.
fn assert_closed(client: &mut BufReader<TcpStream>, who: &str) -> Vec<u8> {
    let mut rest = Vec::new();
    match client.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{who}: the server does not close the connection ({e})"),
    }
    rest
}

/// Sends `bytes` in place of a ClientHello; the server must close at once (the
/// handshake deadline is 10 s, the patience 5 s), with no plaintext answer.
fn garbage(demo: &DemoProcess, bytes: &[u8], who: &str) {
    let mut client = demo.connect();
    client.get_mut().write_all(bytes).unwrap_or_else(|e| panic!("{who}: {e}"));
    let rest = assert_closed(&mut client, who);
    let rest = String::from_utf8_lossy(&rest);
    assert!(!rest.contains("WIDGET"), "{who} is answered in plaintext: {rest:?}");
}

/// Bytes that look like nothing at all (xorshift, so every run sends the same).
fn noise(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// With every slot held by a client that connected and never handshakes, a
/// newcomer is closed at once, instead of waiting unanswered in the kernel's queue
/// until a deadline frees a slot. TLS has no room for a plaintext "busy" line
/// before the handshake, so the newcomer's handshake ends (end of stream or
/// reset) and the server's log says why.
#[test]
fn a_newcomer_beyond_the_connection_limit_is_closed_before_its_handshake() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let config = trusting(&pem_dir(&mut demo));
    let silent: Vec<TcpStream> =
        (0..MAX_CONNECTIONS).map(|_| demo.connect().into_inner()).collect();
    // The kernel's queue is in order: the newcomer is accepted after all of them.
    match handshake(&demo, &config) {
        Ok(_) => panic!("the newcomer beyond {MAX_CONNECTIONS} clients is served"),
        Err(e) if is_timeout(&e) => panic!(
            "the newcomer beyond {MAX_CONNECTIONS} clients waits, unanswered:\n{}",
            demo.output()
        ),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset),
            "the newcomer's handshake fails for another reason: {e}"
        ),
    }
    let said = demo.wait_for_output("refused: server busy", PATIENCE);
    assert!(said.is_some(), "the log does not say why:\n{}", demo.output());
    drop(silent);
}

/// Clients that connect and never handshake are dropped after the handshake
/// deadline (`--handshake-timeout`, 10 s by default) and free their slots for
/// newcomers; meanwhile a newcomer beyond the limit is closed at once.
#[test]
fn silent_clients_are_dropped_at_the_handshake_deadline_and_free_their_slots() {
    let mut demo = DemoProcess::command(DEMO)
        .arg("--max-connections")
        .arg("2")
        .arg("--handshake-timeout")
        .arg("1")
        .spawn();
    let config = trusting(&pem_dir(&mut demo));
    let started = Instant::now();
    let mut silent = [demo.connect(), demo.connect()];
    let third = handshake(&demo, &config);
    assert!(third.is_err(), "a third client is served beyond the limit of 2");
    assert!(started.elapsed() < Duration::from_millis(900), "the third one waited");
    for (n, client) in silent.iter_mut().enumerate() {
        let rest = assert_closed(client, &format!("silent client {n}"));
        assert!(rest.is_empty(), "silent client {n} is sent {rest:?}");
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900), "dropped after {waited:?}, before 1 s");
    let _first = served(&demo, &config, "a newcomer");
    served(&demo, &config, "a second newcomer");
}

/// Plaintext, HTTP, noise, an SSLv2 hello and malformed TLS records on the TLS
/// port: each connection is closed at once with rustls' reason in the log, and the
/// server goes on serving clients that speak TLS.
#[test]
fn garbage_on_the_tls_port_is_dropped_and_the_server_keeps_serving() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let config = trusting(&pem_dir(&mut demo));
    let mut alice = served(&demo, &config, "alice, before");
    let cases: [(&str, Vec<u8>); 6] = [
        ("a feed line", b"WIDGET-1 5\r\n".to_vec()),
        ("an HTTP request", b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n".to_vec()),
        ("noise", noise(4096)),
        ("an SSLv2 hello", [&[0x80, 0x2e, 0x01, 0x00, 0x02][..], &[0; 0x2b]].concat()),
        ("a record longer than TLS allows", vec![0x16, 0x03, 0x01, 0xff, 0xff, 0x01]),
        (
            "a handshake record of zeros",
            [&[0x16, 0x03, 0x01, 0x00, 0x20][..], &[0; 0x20]].concat(),
        ),
    ];
    for (what, bytes) in &cases {
        garbage(&demo, bytes, what);
    }
    let said = demo.wait_for_output("TLS handshake failed", PATIENCE);
    assert!(said.is_some(), "no reason in the log:\n{}", demo.output());
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
    served(&demo, &config, "a newcomer");
    // And the client connected all along is still served.
    alice.get_mut().write_all(b"SERVED-1 0\r\n").expect("alice sends");
    alice.get_mut().flush().expect("alice sends");
    let mut answer = String::new();
    alice.read_line(&mut answer).expect("alice is still served");
    assert_eq!(answer, "SERVED-1 0\r\n");
}

/// On a STARTTLS port, garbage before `STARTTLS` (a line too long), bytes smuggled
/// behind it, and plaintext where the handshake should be are each dropped; a
/// client that speaks the protocol is still answered.
#[test]
fn garbage_on_the_starttls_port_is_dropped_and_the_server_keeps_serving() {
    let mut demo = DemoProcess::command(DEMO).arg("--starttls").spawn();
    garbage(&demo, &[b'x'; 2000], "a line too long");
    let mut smuggler = demo.connect();
    smuggler.get_mut().write_all(b"STARTTLS\r\nWIDGET-1 5\r\n").unwrap();
    let refusal = read_line(&mut smuggler).expect("the smuggler is told");
    assert_eq!(refusal, "ERR nothing may follow STARTTLS before the handshake");
    assert_closed(&mut smuggler, "the smuggler");
    let mut forgetful = demo.connect();
    forgetful.get_mut().write_all(b"STARTTLS\r\n").unwrap();
    assert_eq!(read_line(&mut forgetful).expect("an answer"), "OK begin TLS");
    forgetful.get_mut().write_all(b"WIDGET-1 5\r\n").unwrap();
    assert_closed(&mut forgetful, "plaintext after OK begin TLS");
    let said = demo.wait_for_output("TLS handshake failed", PATIENCE);
    assert!(said.is_some(), "no reason in the log:\n{}", demo.output());
    let mut polite = demo.connect();
    polite.get_mut().write_all(b"WIDGET-1 5\r\n").unwrap();
    assert_eq!(read_line(&mut polite).expect("an answer"), "ERR send STARTTLS first");
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
}

/// A terminal paused with Ctrl-S stalls stdout and stderr, where the log goes:
/// the log waits, or drops lines; serving does not. 1,500 plaintext clients make
/// about 130 KiB of log, twice a pipe's buffer (64 KiB), each closed at once.
#[test]
fn a_stalled_terminal_never_stops_the_server() {
    // Stdout is stalled before the demo says where its PEM files are: say it.
    let pem = KeptFolder(
        std::env::temp_dir().join(format!("untwisted-09-demo-{}", std::process::id())),
    );
    let demo = DemoProcess::command(DEMO)
        .arg("--pem-dir")
        .arg(pem.0.to_str().expect("a UTF-8 temporary folder"))
        .stall_stdout()
        .stall_stderr()
        .spawn();
    let config = trusting(&pem.0);
    for n in 0..1500 {
        garbage(&demo, b"WIDGET-1 5\r\n", &format!("plaintext client {n}"));
    }
    served(&demo, &config, "a TLS client");
}

/// A `--pem-dir` folder, which the demo leaves: the test removes it, pass or fail.
struct KeptFolder(PathBuf);

impl Drop for KeptFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Running out of file descriptors pauses accepting, and the demo says so; it does
/// not end the server, and the client left waiting is served once others leave.
/// (On a STARTTLS port, where a plaintext line gets a plaintext answer.)
#[test]
#[cfg(unix)]
fn running_out_of_descriptors_pauses_accepting_and_the_server_lives_on() {
    let mut demo =
        DemoProcess::command(DEMO).arg("--starttls").max_open_files(24).spawn();
    let (served, mut waiting) = demo.run_out_of_descriptors(b"WIDGET-1 5\r\n", 24);
    drop(served);
    match read_line(&mut waiting) {
        Ok(line) => assert_eq!(line, "ERR send STARTTLS first"),
        Err(e) => panic!("the waiting client is never served ({e}):\n{}", demo.output()),
    }
    assert!(demo.exited().is_none(), "the demo exited:\n{}", demo.output());
    let mut newcomer = demo.connect();
    newcomer.get_mut().write_all(b"WIDGET-1 5\r\n").unwrap();
    assert_eq!(read_line(&mut newcomer).ok().as_deref(), Some("ERR send STARTTLS first"));
}

/// The PEM folder (it holds a private key) is gone once the demo is: here it is
/// killed (SIGKILL), as `cargo xtask demo` kills it on Ctrl-C.
#[test]
#[cfg(unix)]
fn the_pem_folder_is_removed_when_the_demo_is_killed() {
    let mut demo = DemoProcess::command(DEMO).spawn();
    let dir = pem_dir(&mut demo);
    assert!(dir.join("ca.pem").is_file(), "no {}", dir.join("ca.pem").display());
    drop(demo); // kills it, and waits
    // The janitor removes it after the demo died: poll, within the patience.
    let deadline = Instant::now() + PATIENCE;
    while dir.exists() {
        assert!(Instant::now() < deadline, "{} is left behind", dir.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A scanner that sends a burst of moves and then waits gets every answer: a TLS
/// stream can hold written records in its buffer while the socket is full, so a
/// server that never flushes before waiting for the next line leaves the last
/// answers unsent, and both sides wait forever (found by `cargo xtask bench tls-bulk`).
#[test]
fn a_burst_of_moves_is_answered_in_full() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    const LINES: usize = 100_000;
    let mut demo = DemoProcess::command(DEMO).spawn();
    let config = trusting(&pem_dir(&mut demo));
    let addr = demo.addr();
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let answered = runtime.block_on(async {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        let name = ServerName::try_from("localhost").expect("a DNS name");
        let connector = sol09_tls::tokio_rustls::TlsConnector::from(config);
        let (mut reader, mut writer) =
            tokio::io::split(connector.connect(name, tcp).await?);
        let send = async move {
            writer.write_all(&b"BURST-1 1\r\n".repeat(LINES)).await?;
            writer.flush().await?;
            io::Result::Ok(writer)
        };
        let receive = async {
            let (mut seen, mut chunk) = (0, vec![0u8; 64 * 1024]);
            while seen < LINES {
                match reader.read(&mut chunk).await? {
                    0 => break,
                    n => seen += chunk[..n].iter().filter(|&&b| b == b'\n').count(),
                }
            }
            io::Result::Ok(seen)
        };
        let both = async { tokio::try_join!(send, receive) };
        match tokio::time::timeout(Duration::from_secs(20), both).await {
            Ok(result) => result.map(|(_, seen)| seen),
            Err(_) => Err(io::Error::new(ErrorKind::TimedOut, "no answer for 20 s")),
        }
    });
    let answered =
        answered.unwrap_or_else(|e| panic!("the burst: {e}\n{}", demo.output()));
    assert_eq!(answered, LINES, "answers to a burst of {LINES} moves");
}
