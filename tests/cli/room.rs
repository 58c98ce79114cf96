//! The room, from the attendee's side: `join`, `leave`, the verdict summary every
//! check posts, and setup from the room's offline bundle; against a fake room (a
//! `TcpListener` in the test that records what it is sent and answers as told).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Fixture;
use crate::support::workspace_root;

/// The guard on every command and every wait: far above what they take, so a hang
/// fails the test instead of freezing it.
const GUARD: Duration = Duration::from_secs(120);
const TOKEN: &str = "a-token-for-the-tests-0123456789";

/// One request the fake room received.
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// A room that answers `status` to every API request (401 with the contract's body)
/// and serves `bundle` at `/bundle.tar`.
struct FakeRoom {
    url: String,
    seen: mpsc::Receiver<Seen>,
}

impl FakeRoom {
    fn start(status: u16, bundle: Option<PathBuf>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, seen) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let Some(request) = read_request(&stream) else { continue };
                answer(&stream, &request, status, bundle.as_deref());
                let _ = tx.send(request);
            }
        });
        FakeRoom { url, seen }
    }

    /// The next request, in the order they came.
    fn next(&self) -> Seen {
        self.seen.recv_timeout(GUARD).expect("the room heard nothing")
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let Some((name, value)) = line.trim_end().split_once(':') else { break };
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen { method, path, headers, body })
}

fn answer(mut stream: &TcpStream, request: &Seen, status: u16, bundle: Option<&Path>) {
    if let (Some(bundle), "/bundle.tar") = (bundle, request.path.as_str()) {
        let bytes = std::fs::read(bundle).unwrap();
        let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len());
        let _ = stream.write_all(&bytes);
        return;
    }
    let body = if status == 401 { "wrong or missing token" } else { "" };
    let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
}

/// Runs `command` to its end, within [`GUARD`].
fn run_guarded(command: &mut Command) -> Output {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (mut stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            panic!("{command:?} ran past the guard of {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The streams end when every process holding them has: a poster that kept the
    // runner's stdout would hold this up (and the guard would not help): it must not.
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}

impl Fixture {
    /// Runs the runner within the guard; exit code and stdout+stderr.
    fn run_guarded(&self, args: &[&str]) -> (i32, String) {
        let output = run_guarded(&mut self.xtask(args));
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.code().unwrap_or(-1), text)
    }

    fn join(&self, room: &FakeRoom, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["join", &room.url, "--name", "Ada", "--token", TOKEN];
        args.extend_from_slice(extra);
        self.run_guarded(&args)
    }
}

#[test]
fn join_stores_the_room_and_posts_join_with_the_token() {
    let fixture = Fixture::new();
    let room = FakeRoom::start(204, None);
    let (code, out) = fixture.join(&room, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("joined the room at") && out.contains("Ada"), "{out}");
    let stored: Value = serde_json::from_str(&fixture.read(".untwisted/room.json")).unwrap();
    assert_eq!(stored, serde_json::json!({ "url": room.url, "name": "Ada", "token": TOKEN }));
    let join = room.next();
    assert_eq!((join.method.as_str(), join.path.as_str()), ("POST", "/api/join"));
    assert_eq!(join.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(join.json(), serde_json::json!({ "name": "Ada" }));

    let (code, out) = fixture.run_guarded(&["leave"]);
    assert_eq!(code, 0, "{out}");
    let leave = room.next();
    assert_eq!((leave.path.as_str(), leave.json()), ("/api/leave", serde_json::json!({ "name": "Ada" })));
    assert!(!fixture.path().join(".untwisted/room.json").exists());
}

#[test]
fn a_wrong_token_is_reported_by_join() {
    let fixture = Fixture::new();
    let room = FakeRoom::start(401, None);
    let (code, out) = fixture.join(&room, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("refused the token") && out.contains("wrong or missing token"), "{out}");
    assert!(!fixture.path().join(".untwisted/room.json").exists(), "a refused room is not kept");
}

#[test]
fn a_check_while_joined_posts_a_summary_and_no_code() {
    let fixture = Fixture::new();
    let room = FakeRoom::start(204, None);
    assert_eq!(fixture.join(&room, &[]).0, 0);
    room.next();
    fixture.solve_with("x * 3 /* SECRET-CODE */");
    let (code, out) = fixture.run_guarded(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("room"), "a check says nothing about the room: {out}");

    let verdict = room.next();
    assert_eq!((verdict.method.as_str(), verdict.path.as_str()), ("POST", "/api/verdict"));
    assert_eq!(verdict.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let body = verdict.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["exercise", "failing", "name", "passed", "total"]);
    let failing: Vec<&String> = body["failing"].as_object().unwrap().keys().collect();
    assert_eq!(failing, ["kind", "step"]);
    assert_eq!(
        body,
        serde_json::json!({
            "name": "Ada", "exercise": "01-fixture", "passed": 0, "total": 2,
            "failing": { "step": "step_1_doubles", "kind": "assertion" },
        })
    );
    let text = String::from_utf8_lossy(&verdict.body);
    assert!(!text.contains("SECRET") && !text.contains("left"), "{text}");

    // A pass has no failing step; `join --status` tells how the last post went.
    fixture.solve_with("x * 2");
    assert_eq!(fixture.run_guarded(&["check", "01-fixture"]).0, 0);
    let body = room.next().json();
    assert_eq!((body["passed"].as_u64(), &body["failing"]), (Some(2), &Value::Null));
    let (code, status) = fixture.run_guarded(&["join", "--status"]);
    assert_eq!(code, 0, "{status}");
    assert!(status.contains("joined the room at") && status.contains("01-fixture"), "{status}");
}

#[test]
fn a_room_that_is_down_or_silent_neither_slows_nor_fails_a_check() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 2");
    let joined = |url: &str| {
        let room = serde_json::json!({ "url": url, "name": "Ada", "token": TOKEN });
        std::fs::create_dir_all(fixture.path().join(".untwisted")).unwrap();
        fixture.write(".untwisted/room.json", &room.to_string());
    };

    // Down: nothing listens there any more.
    let down = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    joined(&format!("http://{down}"));
    let (code, out) = fixture.run_guarded(&["check", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Score:   2/2 steps") && !out.contains("room"), "{out}");

    // Silent: the connection is accepted by the kernel, and never answered. The
    // poster's limit is made far longer than the check, so it is still waiting when
    // the check has ended: the check did not wait for it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    joined(&format!("http://{}", silent.local_addr().unwrap()));
    let (code, out) =
        fixture.run_guarded_command(fixture.xtask(&["check", "01-fixture"]).env("UNTWISTED_ROOM_TIMEOUT", "600"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Score:   2/2 steps") && !out.contains("room"), "{out}");
    let (poster, _) = accept_within(&silent);
    let request = read_request(&poster).expect("the poster sends its verdict");
    assert_eq!(request.path, "/api/verdict");
    poster.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let still_waiting = matches!((&poster).read(&mut [0]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut);
    assert!(still_waiting, "the poster is still waiting for the room after the check ended");
}

impl Fixture {
    /// `run_guarded` for a command built by the caller.
    fn run_guarded_command(&self, command: &mut Command) -> (i32, String) {
        let output = run_guarded(command);
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.code().unwrap_or(-1), text)
    }
}

/// The next connection, within the guard.
fn accept_within(listener: &TcpListener) -> (TcpStream, std::net::SocketAddr) {
    listener.set_nonblocking(true).unwrap();
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, addr)) => {
                stream.set_nonblocking(false).unwrap();
                return (stream, addr);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && start.elapsed() < GUARD => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("no poster connected: {e}"),
        }
    }
}

/// The offline setup: the bundle `cargo xtask room` makes (its code path: `cargo
/// vendor --locked`, then `tar`), served by a room, taken by `join --bundle` into a
/// copy of the fixture; then cargo, with a fresh, empty CARGO_HOME and no way to
/// the registry, resolves, fetches and checks an exercise from the bundle alone.
///
/// The fixture's lock file is vendored, not the workspace's: it names test-kit's
/// and insta's crates (tokio, clap, …), enough to prove cargo never reaches for the
/// network, in seconds instead of the minutes the whole workshop's crates take.
#[test]
fn join_bundle_sets_up_without_the_internet_and_leave_restores_the_config() {
    let fixture = Fixture::new();
    let config = "[alias]\nfixture = \"run\"\n# no final newline after this";
    std::fs::create_dir_all(fixture.path().join(".cargo")).unwrap();
    fixture.write(".cargo/config.toml", config);
    // The fixture starts from the workspace's lock file: let cargo trim it to the
    // fixture's crates (offline: nothing new), as any first build would.
    let trim = run_guarded(xtask::cargo::cargo().current_dir(fixture.path()).args([
        "metadata",
        "--offline",
        "--format-version=1",
    ]));
    assert!(trim.status.success(), "{}", String::from_utf8_lossy(&trim.stderr));

    let (bundle, cached) = xtask::commands::room::bundle::ensure(fixture.path()).expect("the bundle is made");
    assert!(!cached);
    assert_eq!(xtask::commands::room::bundle::ensure(fixture.path()).unwrap(), (bundle.clone(), true));

    let attendee = Fixture::new();
    std::fs::create_dir_all(attendee.path().join(".cargo")).unwrap();
    attendee.write(".cargo/config.toml", config);
    // The same lock file (the attendee's copy has versions of its own for the
    // fixture's crates, see `Fixture::new`).
    let version = |f: &Fixture| {
        let manifest = f.read("exercises/01-fixture/Cargo.toml");
        manifest.lines().find_map(|l| l.strip_prefix("version = ")).unwrap().to_owned()
    };
    attendee.write("Cargo.lock", &fixture.read("Cargo.lock").replace(&version(&fixture), &version(&attendee)));
    let room = FakeRoom::start(204, Some(bundle));
    let (code, out) = attendee.join(&room, &["--bundle"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cargo xtask setup"), "{out}");
    assert!(attendee.read(".cargo/config.toml").contains("[source.crates-io]"));

    let empty_home = tempfile::tempdir().unwrap();
    let offline = |args: &[&str]| {
        let mut command = xtask::cargo::cargo();
        command
            .current_dir(attendee.path())
            .args(args)
            .env("CARGO_HOME", empty_home.path())
            .env("CARGO_NET_OFFLINE", "true")
            // Kept between runs: cargo fingerprints a registry crate by its version, not
            // its folder, so only the first run compiles tokio and insta (15 s on 2
            // cores); `fetch` above proves every source comes from the bundle each time.
            .env("CARGO_TARGET_DIR", workspace_root().join("target/room-offline"))
            .env_remove("CARGO_BUILD_TARGET_DIR");
        for proxy in ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "CARGO_HTTP_PROXY"] {
            command.env(proxy, "http://127.0.0.1:9");
        }
        let output = run_guarded(&mut command);
        assert!(
            output.status.success(),
            "cargo {args:?} from the bundle:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    offline(&["fetch", "--locked"]);
    offline(&["metadata", "--locked", "--format-version=1"]);
    offline(&["check", "--locked", "--package", "ex01-fixture", "--tests"]);
    assert!(!empty_home.path().join("registry").exists(), "nothing came from a registry");

    let (code, out) = attendee.run_guarded(&["leave"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(attendee.read(".cargo/config.toml"), config, "leave puts the config back byte for byte");
}

/// The real room server (room/) on 127.0.0.1:0, for the test that runs both halves.
struct RealRoom {
    child: std::process::Child,
    url: String,
    _state: tempfile::TempDir,
}

impl RealRoom {
    fn start() -> Self {
        let state = tempfile::tempdir().unwrap();
        let mut child = Command::new(crate::support::room_server())
            .args(["--token", TOKEN, "--exercises", "01-fixture,02-fixture", "--state"])
            .arg(state.path().join("state.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start untwisted-room");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        // The contract's first line: `room listening on http://ADDR/?token=T`.
        let url = first
            .strip_prefix("room listening on ")
            .and_then(|rest| rest.split("/?token=").next())
            .unwrap_or_else(|| panic!("not the contract's first line: {first:?}"))
            .to_owned();
        RealRoom { child, url, _state: state }
    }

    /// `GET /api/room` with the token: the room as the page sees it.
    fn room(&self) -> Value {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(GUARD)).unwrap();
        write!(
            stream,
            "GET /api/room HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        serde_json::from_str(body).unwrap_or_else(|e| panic!("GET /api/room is not JSON ({e}): {answer}"))
    }

    /// Ada's row once `done` holds for it, polling within the guard.
    fn ada_once(&self, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let room = self.room();
            let ada = room["attendees"].as_array().and_then(|all| all.iter().find(|a| a["name"] == "Ada")).cloned();
            if let Some(ada) = ada.filter(&done) {
                return ada;
            }
            assert!(start.elapsed() < GUARD, "Ada's verdict never reached the room: {room}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RealRoom {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Both halves of the room for real: the runner joins the real server, and the
/// verdicts of two checks (a failing one, then a pass) show in the room's state.
#[test]
fn checks_while_joined_show_in_the_real_room() {
    let fixture = Fixture::new();
    let room = RealRoom::start();
    let (code, out) = fixture.run_guarded(&["join", &room.url, "--name", "Ada", "--token", TOKEN]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(room.ada_once(|_| true)["present"], true);

    fixture.solve_with("x * 3");
    assert_eq!(fixture.run_guarded(&["check", "01-fixture"]).0, 1);
    let ada = room.ada_once(|ada| ada["exercise"] == "01-fixture");
    assert_eq!(
        (&ada["passed"], &ada["total"], &ada["step"], &ada["kind"]),
        (&Value::from(0), &Value::from(2), &Value::from("step_1_doubles"), &Value::from("assertion")),
        "{ada}"
    );

    fixture.solve_with("x * 2");
    assert_eq!(fixture.run_guarded(&["check", "01-fixture"]).0, 0);
    let ada = room.ada_once(|ada| ada["passed"] == 2);
    assert_eq!((&ada["step"], &ada["best"]["01-fixture"]), (&Value::Null, &serde_json::json!([2, 2])), "{ada}");

    assert_eq!(fixture.run_guarded(&["leave"]).0, 0);
    assert_eq!(room.ada_once(|ada| ada["present"] == false)["present"], false);
}
