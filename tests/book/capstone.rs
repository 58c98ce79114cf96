//! 16-capstone: real peers for the inventory service of CAPSTONE-CONTRACT, the chapter's
//! Twisted service (book/src/capstone/twisted/inventory.py) and the Rust solution's demo
//! alike. Nobody here wrote the peers: `openssl s_client` is a scanner with the client
//! certificate the service made (and, refused, one without a certificate and one signed
//! by another CA), curl reads the API, Python's `websockets` is a dashboard. One scripted
//! scenario is played against each service and must give the same transcript: scanner
//! answers, API JSON, dashboard frames, one alert per crossing, the drain.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};

use super::*;

/// How long any one answer, frame or exit may take.
const STEP: Duration = Duration::from_secs(10);

/// The reorder job's period in the scenario: short, so waiting for a tick is cheap.
const REORDER_EVERY: &str = "0.1";

/// How long the scenario lets the job run so it has certainly ticked: ten periods.
const TEN_TICKS: Duration = Duration::from_millis(1000);

/// Each line `reader` gives, on a channel, read on a thread of its own.
fn lines_of(reader: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line, or what happened instead.
fn next_line(lines: &Receiver<String>, what: &str) -> Result<String, String> {
    match lines.recv_timeout(STEP) {
        Ok(line) => Ok(line),
        Err(RecvTimeoutError::Timeout) => Err(format!("{what}: nothing within {} s", STEP.as_secs())),
        Err(RecvTimeoutError::Disconnected) => Err(format!("{what}: closed")),
    }
}

/// Whether `child` exits within `limit`; killed if not.
fn exits_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// An inventory service in a child process, started with the scenario's options;
/// killed when dropped.
struct Service {
    child: Child,
    stdout: Receiver<String>,
    scanners: String,
    api: String,
    dashboards: String,
    pki: PathBuf,
}

impl Service {
    /// Starts `command` with the scenario's options and reads the four lines of the
    /// contract, in their order.
    fn start(mut command: Command, pki: &Path, what: &str) -> Result<Service, String> {
        command
            .args(["--listen", "127.0.0.1:0", "--pki"])
            .arg(pki)
            .args(["--reorder", "WIDGET-1=0", "--reorder-every", REORDER_EVERY, "--drain-secs", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().map_err(|e| format!("cannot start {what}: {e}"))?;
        let stdout = lines_of(child.stdout.take().unwrap());
        let mut said = Vec::new();
        for _ in 0..4 {
            // A build or a PKI to make: the first line may take a while.
            match stdout.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => said.push(line),
                Err(_) => break,
            }
        }
        let after = |i: usize, prefix: &str| said.get(i).and_then(|l| l.strip_prefix(prefix)).map(str::to_owned);
        let service = (|| {
            Some(Service {
                scanners: after(0, "scanners listening on ")?,
                api: after(1, "api listening on ")?,
                dashboards: after(2, "dashboards listening on ")?,
                pki: PathBuf::from(after(3, "pki in ")?),
                stdout,
                child,
            })
        })();
        service.ok_or_else(|| format!("{what} did not print the contract's four lines first: {said:?}"))
    }

    /// The chapter's Twisted service, in the book's virtual environment.
    fn twisted(pki: &Path) -> Result<Service, String> {
        let python = twisted_venv();
        let snippet = src().join("capstone/twisted/inventory.py");
        let mut command = Command::new(python);
        command.arg(&snippet).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
        Service::start(command, pki, "capstone/twisted/inventory.py")
    }

    /// The Rust solution's demo (`cargo xtask demo 16-capstone`).
    fn rust(pki: &Path) -> Result<Service, String> {
        Service::start(Command::new(Demo::build("sol16-capstone")), pki, "sol16-capstone")
    }

    /// A file of the PKI the service made.
    fn pem(&self, name: &str) -> PathBuf {
        self.pki.join(name)
    }

    /// `curl -X METHOD` on the API: the status and the body.
    fn curl(&self, method: &str, path: &str) -> Result<(u16, String), String> {
        let output = Command::new("curl")
            .args(["-sS", "-m", "10", "-X", method, "-w", "\n%{http_code}"])
            .arg(format!("{}{path}", self.api))
            .output()
            .map_err(|e| format!("cannot run curl (apt-get install curl): {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let (body, status) = text.rsplit_once('\n').ok_or_else(|| format!("curl {path}: {text}"))?;
        let status = status.trim().parse().map_err(|_| format!("curl {path}: no status in {text:?}"))?;
        Ok((status, body.to_owned()))
    }

    /// `GET path` as one transcript line: status and compact JSON (or the text).
    fn get(&self, path: &str) -> Result<String, String> {
        let (status, body) = self.curl("GET", path)?;
        let body = serde_json::from_str::<serde_json::Value>(&body).map_or(body, |json| json.to_string());
        Ok(format!("GET {path} {status} {body}"))
    }

    /// Waits until `/alerts` lists `n` alerts.
    fn await_alerts(&self, n: usize) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let (_, body) = self.curl("GET", "/alerts")?;
            let alerts = serde_json::from_str::<serde_json::Value>(&body).map_err(|e| format!("/alerts: {e}"))?;
            if alerts.as_array().is_some_and(|a| a.len() >= n) {
                return Ok(());
            }
            if started.elapsed() > STEP {
                return Err(format!("the reorder job raised no alert #{n} within {} s: {body}", STEP.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM; then the service must exit 0 within the drain deadline (2 s) and a
    /// margin, its last line `drained: N moves applied`.
    fn drain(mut self) -> Result<String, String> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().map_err(|e| e.to_string())?;
        if !sent.success() {
            return Err("kill -TERM failed".into());
        }
        let status = exits_within(&mut self.child, Duration::from_secs(7)).ok_or("no exit 7 s after SIGTERM")?;
        let rest: Vec<String> = self.stdout.try_iter().collect();
        let last = rest.last().cloned().unwrap_or_default();
        Ok(format!(
            "SIGTERM: exit {}, last line {last:?}",
            status.code().map_or("by a signal".into(), |c| c.to_string())
        ))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_client` as a scanner: lines in on its stdin, answers out of its stdout.
struct Scanner {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<String>,
}

impl Scanner {
    /// Connects with the certificate `name` (`scanner`, `intruder`) or none, trusting
    /// the service's CA and checking its certificate is for 127.0.0.1.
    fn connect(service: &Service, name: Option<&str>) -> Result<Scanner, String> {
        let mut command = Command::new("openssl");
        command.args(["s_client", "-quiet", "-verify_return_error", "-verify_ip", "127.0.0.1", "-connect"]);
        command.arg(&service.scanners).arg("-CAfile").arg(service.pem("ca.pem"));
        if let Some(name) = name {
            command.arg("-cert").arg(service.pem(&format!("{name}.pem")));
            command.arg("-key").arg(service.pem(&format!("{name}.key")));
        }
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command.spawn().map_err(|e| format!("cannot run openssl (apt-get install openssl): {e}"))?;
        let stdin = child.stdin.take();
        let answers = lines_of(child.stdout.take().unwrap());
        Ok(Scanner { child, stdin, answers })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        stdin.write_all(bytes).and_then(|()| stdin.flush()).map_err(|e| format!("openssl's stdin: {e}"))
    }

    /// Sends `line` (`ending` after it) and reads the answer: one transcript line.
    fn say(&mut self, line: &str, ending: &str) -> Result<String, String> {
        self.send(format!("{line}{ending}").as_bytes())?;
        let answer = next_line(&self.answers, &format!("the answer to {line:?}"))?;
        Ok(format!("scanner > {line:?} < {answer}"))
    }

    /// Whether the connection ends (the service closed it) without a line more.
    fn closes(&mut self) -> Result<(), String> {
        match self.answers.recv_timeout(STEP) {
            Err(RecvTimeoutError::Disconnected) => Ok(()),
            Ok(line) => Err(format!("said {line:?} instead of closing")),
            Err(RecvTimeoutError::Timeout) => Err(format!("still open after {} s", STEP.as_secs())),
        }
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A dashboard in Python's `websockets`: prints each frame, then `closed CODE`.
const DASHBOARD: &str = "\
import asyncio, sys
from websockets.asyncio.client import connect

async def main(url, subscribe):
    async with connect(url) as ws:
        await ws.send(subscribe)
        async for message in ws:
            print(message, flush=True)
        print(f'closed {ws.close_code}', flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
";

/// A dashboard subscribed with `subscribe`; its frames on a channel.
struct Dashboard {
    child: Child,
    frames: Receiver<String>,
}

impl Dashboard {
    fn connect(service: &Service, subscribe: &str) -> Result<Dashboard, String> {
        let python = twisted_venv();
        let mut child = Command::new(python)
            .args(["-c", DASHBOARD, &service.dashboards, subscribe])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the websockets dashboard: {e}"))?;
        let frames = lines_of(child.stdout.take().unwrap());
        Ok(Dashboard { child, frames })
    }

    /// The next frame, as a transcript line.
    fn next(&self, who: &str) -> Result<String, String> {
        Ok(format!("{who} < {}", next_line(&self.frames, &format!("dashboard {who}"))?))
    }

    /// After the drain began: the totals the frames left it with (`snapshot` and
    /// `total` alike), then how it closed.
    fn drained(self, who: &str, mut totals: BTreeMap<String, String>) -> Result<String, String> {
        let mut pushed = 0;
        loop {
            let frame = next_line(&self.frames, &format!("dashboard {who} in the drain"))?;
            if let Some(code) = frame.strip_prefix("closed ") {
                let totals: Vec<String> = totals.iter().map(|(sku, n)| format!("{sku}={n}")).collect();
                let pushed = if pushed > 0 { "final totals pushed" } else { "no final totals" };
                return Ok(format!("{who} drained: {pushed}, {}, closed {code}", totals.join(" ")));
            }
            pushed += 1;
            let pairs = frame.strip_prefix("snapshot").or_else(|| frame.strip_prefix("total")).unwrap_or_default();
            for (sku, n) in pairs.split_whitespace().filter_map(|pair| pair.split_once('=')) {
                totals.insert(sku.to_owned(), n.to_owned());
            }
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The files the contract says the service writes to `--pki DIR`.
const PKI_FILES: &[&str] =
    &["ca.pem", "intruder.key", "intruder.pem", "scanner.key", "scanner.pem", "server.key", "server.pem"];

/// What the scenario must see, from either service.
const TRANSCRIPT: &[&str] = &[
    "pki: ca.pem intruder.key intruder.pem scanner.key scanner.pem server.key server.pem",
    "A < snapshot GADGET=0 WIDGET-1=0",
    "scanner > \"WIDGET-1 5\" < WIDGET-1 5",
    "scanner > \"GADGET 3\" < GADGET 3",
    "scanner > \"WIDGET-1 five\" < ERR qty must be a whole number, got \"five\"",
    "scanner > \"WIDGET-1\" < ERR missing qty, expected: SKU qty",
    "scanner > \"BOLT 2\" < BOLT 2",
    "scanner > \"WIDGET-1 -7\" < WIDGET-1 -2",
    "scanner > \"WIDGET-1 10\" < WIDGET-1 8",
    "scanner > \"WIDGET-1 -10\" < WIDGET-1 -2",
    "A < total WIDGET-1=5",
    "A < total GADGET=3",
    "A < total WIDGET-1=-2",
    "A < alert WIDGET-1=-2 below=0",
    "A < total WIDGET-1=8",
    "A < total WIDGET-1=-2",
    "A < alert WIDGET-1=-2 below=0",
    "no certificate: refused, the move not applied",
    "a certificate from another CA: refused, the move not applied",
    "B < snapshot BOLT=2 GADGET=3 WIDGET-1=-2",
    "GET /inventory 200 [{\"qty\":2,\"sku\":\"BOLT\"},{\"qty\":3,\"sku\":\"GADGET\"},{\"qty\":-2,\"sku\":\"WIDGET-1\"}]",
    "GET /inventory/WIDGET-1 200 {\"qty\":-2,\"sku\":\"WIDGET-1\"}",
    "GET /inventory/NOPE 404 {\"error\":\"unknown sku\"}",
    "GET /alerts 200 [{\"qty\":-2,\"sku\":\"WIDGET-1\",\"threshold\":0},{\"qty\":-2,\"sku\":\"WIDGET-1\",\"threshold\":0}]",
    "GET /live 200 ok",
    "GET /ready 200 ready",
    "GET /nothing/here: 404 JSON",
    "POST /inventory: 405 JSON",
    "GET /: 200 a page that opens the dashboards' WebSocket",
    "overlong > 2,000 bytes < ERR line too long (max 1024 bytes), then closed",
    "SIGTERM: exit 0, last line \"drained: 6 moves applied\"",
    "scanner: closed by the drain",
    "A drained: final totals pushed, GADGET=3 WIDGET-1=-2, closed 1001",
    "B drained: final totals pushed, BOLT=2 GADGET=3 WIDGET-1=-2, closed 1001",
];

/// Plays the scenario against a service started by `start` (given a fresh, empty
/// folder for its PKI); returns its transcript.
fn play(start: fn(&Path) -> Result<Service, String>) -> Result<Vec<String>, String> {
    let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
    let service = start(folder.path())?;
    let mut seen = Vec::new();
    let missing: Vec<&str> = PKI_FILES.iter().copied().filter(|name| !service.pem(name).is_file()).collect();
    seen.push(match missing[..] {
        [] => format!("pki: {}", PKI_FILES.join(" ")),
        _ => format!("pki in {}: no {}", service.pki.display(), missing.join(", ")),
    });

    let a = Dashboard::connect(&service, "subscribe GADGET WIDGET-1")?;
    seen.push(a.next("A")?); // the snapshot: subscribed before the first move

    let mut scanner = Scanner::connect(&service, Some("scanner"))?;
    seen.push(scanner.say("WIDGET-1 5", "\r\n")?);
    seen.push(scanner.say("GADGET 3", "\n")?); // a bare \n ends a line too
    seen.push(scanner.say("WIDGET-1 five", "\r\n")?);
    seen.push(scanner.say("WIDGET-1", "\r\n")?);
    seen.push(scanner.say("BOLT 2", "\r\n")?);
    seen.push(scanner.say("WIDGET-1 -7", "\r\n")?); // below the threshold 0
    service.await_alerts(1)?;
    std::thread::sleep(TEN_TICKS); // still below: no second alert for this crossing
    seen.push(scanner.say("WIDGET-1 10", "\r\n")?);
    std::thread::sleep(TEN_TICKS); // back above: the job re-arms the alert
    seen.push(scanner.say("WIDGET-1 -10", "\r\n")?); // the second crossing
    service.await_alerts(2)?;
    for _ in 0..7 {
        seen.push(a.next("A")?);
    }

    for (name, what) in [(None, "no certificate"), (Some("intruder"), "a certificate from another CA")] {
        let mut refused = Scanner::connect(&service, name)?;
        let _ = refused.send(b"WIDGET-1 100\r\n");
        let outcome = match refused.closes() {
            Ok(()) => "refused",
            Err(e) => return Err(format!("{what}: {e}")),
        };
        let applied = service.get("/inventory/WIDGET-1")?.contains("100");
        seen.push(format!("{what}: {outcome}, the move {}", if applied { "APPLIED" } else { "not applied" }));
    }

    let b = Dashboard::connect(&service, "subscribe *")?;
    seen.push(b.next("B")?);

    for path in ["/inventory", "/inventory/WIDGET-1", "/inventory/NOPE", "/alerts", "/live", "/ready"] {
        seen.push(service.get(path)?);
    }
    for (method, path, status) in [("GET", "/nothing/here", 404), ("POST", "/inventory", 405)] {
        let (got, body) = service.curl(method, path)?;
        let json = serde_json::from_str::<serde_json::Value>(&body).is_ok();
        seen.push(match (got == status, json) {
            (true, true) => format!("{method} {path}: {status} JSON"),
            _ => format!("{method} {path}: {got} {body:?}"),
        });
    }
    let (status, page) = service.curl("GET", "/")?;
    let port = service.dashboards.rsplit(':').next().unwrap_or_default();
    seen.push(match status == 200 && page.contains("WebSocket") && page.contains(port) {
        true => "GET /: 200 a page that opens the dashboards' WebSocket".into(),
        false => format!("GET /: {status} {page:?}"),
    });

    let mut overlong = Scanner::connect(&service, Some("scanner"))?;
    let answer = overlong.say(&"x".repeat(2000), "\r\n")?;
    let closed = overlong.closes().map_or_else(|e| format!(", then {e}"), |()| ", then closed".into());
    seen.push(format!("overlong > 2,000 bytes < {}{closed}", answer.rsplit(" < ").next().unwrap_or_default()));

    seen.push(service.drain()?);
    seen.push(scanner.closes().map_or_else(|e| format!("scanner: {e}"), |()| "scanner: closed by the drain".into()));
    let state = |pairs: &[(&str, &str)]| pairs.iter().map(|(s, n)| (s.to_string(), n.to_string())).collect();
    seen.push(a.drained("A", state(&[("GADGET", "3"), ("WIDGET-1", "-2")]))?);
    seen.push(b.drained("B", state(&[("BOLT", "2"), ("GADGET", "3"), ("WIDGET-1", "-2")]))?);
    Ok(seen)
}

/// Fails with the transcript beside the expected one, the first difference marked.
fn assert_transcript(what: &str, played: Result<Vec<String>, String>) {
    let seen = played.unwrap_or_else(|e| panic!("{what}: the scenario stopped: {e}"));
    if seen != TRANSCRIPT {
        let first = seen.iter().zip(TRANSCRIPT).position(|(s, t)| s != t).unwrap_or(seen.len().min(TRANSCRIPT.len()));
        panic!(
            "{what} answered the real peers differently (first difference at line {}):\n--- seen\n{}\n--- expected\n{}",
            first + 1,
            seen.join("\n"),
            TRANSCRIPT.join("\n")
        );
    }
}

#[test]
fn capstone_twisted_service_answers_the_real_peers_as_the_contract_says() {
    assert_transcript("capstone/twisted/inventory.py", play(Service::twisted));
}

#[test]
fn capstone_rust_demo_answers_the_real_peers_like_the_twisted_service() {
    assert_transcript("sol16-capstone's demo", play(Service::rust));
}

/// A PKI made by `openssl` alone in `dir`: a CA, a server certificate for localhost and
/// 127.0.0.1, and a scanner certificate (CN scanner-1) it signed.
fn openssl_pki(dir: &Path) -> Result<(), String> {
    // One command line each, split on spaces (no argument here has one).
    let openssl = |line: &str| -> Result<(), String> {
        let output = Command::new("openssl")
            .args(line.split(' '))
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run openssl: {e}"))?;
        match output.status.success() {
            true => Ok(()),
            false => Err(format!("openssl {line}: {}", String::from_utf8_lossy(&output.stderr))),
        }
    };
    let p256 = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    openssl(&format!("req -x509 {p256} -keyout ca.key -out ca.pem -subj /CN=peer-CA -days 1"))?;
    let extensions = [
        ("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
        ("scanner", "scanner-1", "extendedKeyUsage=clientAuth\n"),
    ];
    for (name, cn, extensions) in extensions {
        std::fs::write(dir.join(format!("{name}.ext")), extensions).map_err(|e| e.to_string())?;
        openssl(&format!("req {p256} -keyout {name}.key -out {name}.csr -subj /CN={cn}"))?;
        openssl(&format!(
            "x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -out {name}.pem -extfile {name}.ext"
        ))?;
    }
    Ok(())
}

#[test]
fn capstone_twisted_service_only_reads_a_pki_made_by_openssl() {
    // The contract lets the Twisted service read a PKI someone else made (the Rust
    // demo's, or this one) instead of making its own.
    let folder = tempfile::tempdir().unwrap();
    openssl_pki(folder.path()).unwrap_or_else(|e| panic!("{e}"));
    let ca = std::fs::read(folder.path().join("ca.pem")).unwrap();
    let service = Service::twisted(folder.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read(service.pem("ca.pem")).unwrap(), ca, "the service replaced the CA it was given");
    assert!(!service.pem("intruder.pem").exists(), "the service wrote a PKI of its own over the one it was given");
    let mut scanner = Scanner::connect(&service, Some("scanner")).unwrap_or_else(|e| panic!("{e}"));
    let answer = scanner.say("WIDGET-1 5", "\r\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer, "scanner > \"WIDGET-1 5\" < WIDGET-1 5");
}
