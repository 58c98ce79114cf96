// The steps of exercise 15: the inventory service, deployed. Settings from flags and
// the environment, structured logs, and a graceful drain: in-process first (steps 3
// to 5), then for real, with SIGTERM and SIGINT sent to the service's own binary
// (steps 6 and 7). The runner reports the first step that fails.

use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deploy::{Drained, GOODBYE, LogFormat, Server, subscriber};
use test_kit::{LineClient, Transcript};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::Level;

// The service's binary: the exercise's `untwisted-inventory` (your library), or the
// solution's own build of the same file (its `sol15-inventory`).
fn service() -> &'static str {
    option_env!("CARGO_BIN_EXE_untwisted-inventory")
        .or(option_env!("CARGO_BIN_EXE_sol15-inventory"))
        .expect("cargo names the service's binary for its tests")
}

// The settings' environment variables: the steps set them, and clear any the
// machine running the tests may have set.
const VARIABLES: [&str; 5] = [
    "INVENTORY_LISTEN",
    "INVENTORY_HEALTH",
    "INVENTORY_DRAIN_SECS",
    "INVENTORY_LOG_FORMAT",
    "INVENTORY_LOG_LEVEL",
];

// Runs the binary with `--print-config` and returns (exit code, stdout, stderr).
fn print_config(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(service());
    command.arg("--print-config").args(args);
    for variable in VARIABLES {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    let out = command.output().expect("the service's binary runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

// A server on free loopback ports, run until the returned sender is used (or dropped).
struct Running {
    addr: SocketAddr,
    health: SocketAddr,
    stop: oneshot::Sender<()>,
    drained: JoinHandle<Drained>,
}

async fn start(deadline: Duration) -> Running {
    let any = "127.0.0.1:0".parse().unwrap();
    let server = Server::bind(any, any).await.expect("bind two loopback ports");
    let server = server.with_drain_deadline(deadline);
    let addr = server.local_addr().unwrap();
    let health = server.health_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let drained = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Running { addr, health, stop, drained }
}

// One health check: `GET path`, and the status line of the answer.
async fn check(health: SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(health)
        .await
        .unwrap_or_else(|e| panic!("the health check at {health} refused: {e}"));
    let request = format!("GET {path} HTTP/1.1\r\nHost: inventory\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer).await;
    answer.lines().next().unwrap_or_default().to_owned()
}

// A clerk that has been answered once, so the server surely serves it.
async fn served(addr: SocketAddr, name: &str, t: &Transcript) -> LineClient {
    let mut clerk = LineClient::connect(addr, name, t).await;
    clerk.send_line("BOLT-M8 +40").await;
    assert_eq!(clerk.recv_line().await, "ok BOLT-M8 +40");
    clerk
}

// A clerk in the middle of a stock count: a request in flight.
async fn counting(addr: SocketAddr, name: &str, t: &Transcript) -> LineClient {
    let mut clerk = LineClient::connect(addr, name, t).await;
    clerk.send_line("BEGIN").await;
    assert_eq!(clerk.recv_line().await, "ok counting");
    clerk.send_line("BOLT-M8 40").await;
    clerk
}

// Asserts nothing listens at `addr` any more.
//
// A connection that completes and is then closed without a byte counts as refused:
// while another step starts a process, the child holds a copy of every socket of
// this test process for the instant between fork and exec, so a listener closed
// here can still complete a connection before the child lets go and resets it. A
// listener left open by the server answers, or leaves the connection hanging.
async fn refused(addr: SocketAddr, what: &str) {
    use tokio::io::AsyncReadExt;
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return;
    };
    let mut byte = [0; 1];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut byte)).await;
    let unserved = matches!(read, Ok(Ok(0) | Err(_)));
    assert!(unserved, "{what} still accepts connections during the drain");
}

// Settings the service must refuse: flags, environment, words its message must hold.
type Refusal = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn step_1_flags_beat_the_environment_which_beats_the_defaults() {
    test_kit::run(|| async {
        let (code, out, err) = print_config(&[], &[]);
        assert_eq!(code, Some(0), "--print-config failed:\n{err}");
        assert_eq!(
            out,
            "listen = 127.0.0.1:7070\nhealth = 127.0.0.1:7071\ndrain_deadline = 10s\n\
             log_format = Human\nlog_level = INFO\n",
            "the defaults"
        );
        let env = [
            ("INVENTORY_LISTEN", "127.0.0.1:9000"),
            ("INVENTORY_HEALTH", "127.0.0.1:9001"),
            ("INVENTORY_DRAIN_SECS", "3"),
            ("INVENTORY_LOG_FORMAT", "json"),
            ("INVENTORY_LOG_LEVEL", "debug"),
        ];
        let (code, out, err) = print_config(&[], &env);
        assert_eq!(code, Some(0), "--print-config failed:\n{err}");
        assert_eq!(
            out,
            "listen = 127.0.0.1:9000\nhealth = 127.0.0.1:9001\ndrain_deadline = 3s\n\
             log_format = Json\nlog_level = DEBUG\n",
            "every setting read from its environment variable"
        );
        let flags =
            ["--drain-deadline", "5", "--log-format", "human", "--listen", "[::1]:7"];
        let (code, out, err) = print_config(&flags, &env);
        assert_eq!(code, Some(0), "--print-config failed:\n{err}");
        assert_eq!(
            out,
            "listen = [::1]:7\nhealth = 127.0.0.1:9001\ndrain_deadline = 5s\n\
             log_format = Human\nlog_level = DEBUG\n",
            "a flag wins over its environment variable"
        );
        // Refused, exit code 2 (the unit's RestartPreventExitStatus), saying what.
        let bad: [Refusal; 5] = [
            (&[], &[("INVENTORY_DRAIN_SECS", "ten")], &["ten", "--drain-deadline"]),
            (
                &["--drain-deadline", "0"],
                &[],
                &["--drain-deadline", "INVENTORY_DRAIN_SECS"],
            ),
            (&[], &[("INVENTORY_DRAIN_SECS", "61")], &["--drain-deadline", "61"]),
            (
                &["--listen", "127.0.0.1:9000", "--health", "127.0.0.1:9000"],
                &[],
                &["--health"],
            ),
            (&["--log-format", "xml"], &[], &["xml"]),
        ];
        for (args, env, words) in bad {
            let (code, _, err) = print_config(args, env);
            assert_eq!(
                code,
                Some(2),
                "{args:?} with {env:?} must exit 2; it said:\n{err}"
            );
            for word in words {
                assert!(err.contains(word), "{args:?} {env:?}: no {word:?} in:\n{err}");
            }
        }
        // Port 0 twice is fine: two different free ports.
        let zero = ["--listen", "127.0.0.1:0", "--health", "127.0.0.1:0"];
        assert_eq!(print_config(&zero, &[]).0, Some(0), "port 0 for both is allowed");
    });
}

// What a subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// The lines a subscriber writes for three events: INFO, DEBUG and WARN.
fn logged(format: LogFormat, level: Level, ansi: bool) -> Vec<String> {
    let captured = Captured::default();
    let writer = captured.clone();
    let logs = subscriber(format, level, ansi, move || writer.clone());
    tracing::subscriber::with_default(logs, || {
        tracing::info!(open = 2, "draining");
        tracing::debug!(peer = "127.0.0.1:5", "clerk connected");
        tracing::warn!(error = "too many open files", "accept failed");
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn step_2_logs_are_human_lines_or_one_json_object_per_line() {
    test_kit::run(|| async {
        let human = logged(LogFormat::Human, Level::INFO, false);
        assert_eq!(human.len(), 2, "INFO and WARN, not DEBUG: {human:#?}");
        assert!(
            human[0].contains("INFO") && human[0].contains("draining open=2"),
            "a human line has the level, the message and the fields: {:?}",
            human[0]
        );
        assert!(human[1].contains("WARN") && human[1].contains("accept failed"));
        assert!(
            human.iter().all(|l| !l.contains('\u{1b}') && !l.starts_with('{')),
            "no colours (ansi is false) and no JSON: {human:#?}"
        );
        let coloured = logged(LogFormat::Human, Level::INFO, true);
        assert!(coloured[0].contains('\u{1b}'), "ansi: true colours: {coloured:?}");
        assert_eq!(logged(LogFormat::Human, Level::WARN, false).len(), 1, "WARN only");
        assert_eq!(logged(LogFormat::Human, Level::DEBUG, false).len(), 3, "all three");

        let json = logged(LogFormat::Json, Level::DEBUG, true);
        assert_eq!(json.len(), 3, "one line per event: {json:#?}");
        let events: Vec<serde_json::Value> = json
            .iter()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))
            })
            .collect();
        assert_eq!(events[0]["level"], "INFO");
        assert_eq!(events[0]["fields"]["message"], "draining");
        assert_eq!(events[0]["fields"]["open"], 2);
        assert_eq!(events[1]["level"], "DEBUG");
        assert_eq!(events[1]["fields"]["peer"], "127.0.0.1:5");
        assert_eq!(events[2]["fields"]["error"], "too many open files");
        assert!(events.iter().all(|e| e["timestamp"].is_string()), "{json:#?}");
        assert!(!json.concat().contains('\u{1b}'), "JSON is never coloured");
    });
}

#[test]
fn step_3_a_stop_refuses_new_clerks_and_says_goodbye_to_idle_ones() {
    test_kit::run(|| async {
        let t = Transcript::new();
        let server = start(Duration::from_secs(5)).await;
        let mut alice = served(server.addr, "alice", &t).await;
        let mut bob = served(server.addr, "bob", &t).await;
        bob.send_line("NUT-M8 -3").await;
        assert_eq!(bob.recv_line().await, "ok NUT-M8 -3");

        t.event("operator", "stop requested");
        server.stop.send(()).unwrap();
        assert_eq!(alice.recv_line().await, GOODBYE);
        alice.expect_closed().await;
        // Goodbyes go out after the listener closed: nobody new gets in.
        refused(server.addr, "the clerks' port").await;
        assert_eq!(bob.recv_line().await, GOODBYE);
        bob.expect_closed().await;
        let drained = server.drained.await.expect("run returns after the drain");
        assert_eq!(drained, Drained { finished: 2, cut: 0 });
        insta::assert_snapshot!("idle_clerks_told_goodbye", t.to_string());
    });
}

#[test]
fn step_4_a_count_in_flight_finishes_and_a_stuck_one_is_cut_at_the_deadline() {
    test_kit::run(|| async {
        let t = Transcript::new();
        let deadline = Duration::from_millis(800);
        let server = start(deadline).await;
        let mut idle = served(server.addr, "dave", &t).await;
        let mut bob = counting(server.addr, "bob", &t).await;
        let mut carol = counting(server.addr, "carol", &t).await;

        t.event("operator", "stop requested");
        let stopped = Instant::now();
        server.stop.send(()).unwrap();
        // dave's goodbye says the drain has started; bob's count is still open.
        assert_eq!(idle.recv_line().await, GOODBYE);
        idle.expect_closed().await;
        bob.send_line("NUT-M8 12").await;
        bob.send_line("END").await;
        assert_eq!(bob.recv_line().await, "ok counted 2", "a count in flight finishes");
        assert_eq!(bob.recv_line().await, GOODBYE, "and then the goodbye");
        bob.expect_closed().await;
        // carol never ends her count: the deadline cuts her, without a goodbye.
        carol.expect_closed().await;
        let drained = server.drained.await.expect("run returns after the drain");
        let took = stopped.elapsed();
        assert_eq!(drained, Drained { finished: 2, cut: 1 });
        assert!(took >= deadline, "cut after {took:?}, before the {deadline:?} deadline");
        assert!(took < deadline + Duration::from_secs(2), "the drain took {took:?}");
        insta::assert_snapshot!("count_in_flight_and_stuck_count", t.to_string());
    });
}

#[test]
fn step_5_the_health_check_turns_unready_when_the_drain_starts() {
    test_kit::run(|| async {
        let t = Transcript::new();
        let server = start(Duration::from_secs(5)).await;
        assert_eq!(check(server.health, "/ready").await, "HTTP/1.1 200 OK");
        assert_eq!(check(server.health, "/live").await, "HTTP/1.1 200 OK");
        let mut bob = counting(server.addr, "bob", &t).await;
        let mut dave = served(server.addr, "dave", &t).await;

        server.stop.send(()).unwrap();
        assert_eq!(dave.recv_line().await, GOODBYE);
        // The drain is under way (bob is still counting): take no new traffic.
        let ready = check(server.health, "/ready").await;
        assert_eq!(ready, "HTTP/1.1 503 Service Unavailable", "/ready while draining");
        assert_eq!(check(server.health, "/live").await, "HTTP/1.1 200 OK", "/live too");
        bob.send_line("END").await;
        assert_eq!(bob.recv_line().await, "ok counted 1");
        server.drained.await.expect("run returns after the drain");
        refused(server.health, "the health check, after run returned,").await;
    });
}

// A running service binary with JSON logs, a served clerk, and where its health
// check answers. The test signals it only after a clerk has been served, when the
// signal handlers are surely in place.
#[cfg(unix)]
fn spawn_service(deadline_secs: &str) -> (test_kit::DemoProcess, SocketAddr) {
    let mut service = test_kit::DemoProcess::command(service())
        .arg("--health")
        .arg("127.0.0.1:0")
        .env("INVENTORY_DRAIN_SECS", deadline_secs)
        .env("INVENTORY_LOG_FORMAT", "json")
        .spawn();
    let said = service.wait_for_output("health on http://", Duration::from_secs(5));
    let health = said
        .as_deref()
        .and_then(|line| line.split("http://").nth(1)?.split('/').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no health address in:\n{}", service.output()));
    (service, health)
}

// Sends `signal` to the service.
#[cfg(unix)]
fn kill(service: &test_kit::DemoProcess, signal: i32) {
    // SAFETY: kill(2) with the pid of our own child; no memory is involved.
    let sent = unsafe { libc::kill(service.id() as libc::pid_t, signal) };
    assert_eq!(sent, 0, "kill failed: {}", std::io::Error::last_os_error());
}

#[cfg(unix)]
// Reads one line from a blocking clerk (test_kit's read_line: no `\r\n`).
fn line(clerk: &mut std::io::BufReader<std::net::TcpStream>, who: &str) -> String {
    test_kit::process::read_line(clerk)
        .unwrap_or_else(|e| panic!("{who} heard nothing: {e}"))
}

// Reads to the close (a reset is a close too) and returns what came before it:
// a cut connection ends without a goodbye.
#[cfg(unix)]
fn rest(clerk: &mut std::io::BufReader<std::net::TcpStream>) -> String {
    use std::io::Read;
    let mut rest = Vec::new();
    let _ = clerk.read_to_end(&mut rest); // a reset is a close too
    String::from_utf8_lossy(&rest).into_owned()
}

#[cfg(unix)]
#[test]
fn step_6_sigterm_drains_the_running_service_and_it_exits_0() {
    test_kit::run(|| async {
        let (mut service, health) = spawn_service("5");
        let mut alice = service.connect();
        alice.get_mut().write_all(b"BOLT-M8 +40\r\n").unwrap();
        assert_eq!(line(&mut alice, "alice"), "ok BOLT-M8 +40");
        let mut bob = service.connect();
        bob.get_mut().write_all(b"BEGIN\r\nBOLT-M8 40\r\n").unwrap();
        assert_eq!(line(&mut bob, "bob"), "ok counting");

        let signalled = Instant::now();
        kill(&service, libc::SIGTERM);
        let draining = service.wait_for_output("\"draining\"", Duration::from_secs(5));
        let Some(draining) = draining else {
            let died =
                service.exited().map(|s| format!("it died ({s}) instead of draining"));
            let why = died.unwrap_or_else(|| "no JSON `draining` log line".into());
            panic!("after SIGTERM {why}: is SIGTERM handled?\n{}", service.output());
        };
        let event: serde_json::Value = serde_json::from_str(&draining)
            .unwrap_or_else(|e| panic!("the log line is not JSON ({e}): {draining}"));
        assert_eq!(event["fields"]["open"], 2, "{draining}");
        assert_eq!(line(&mut alice, "alice"), GOODBYE);
        assert_eq!(rest(&mut alice), "", "alice: closed after the goodbye");
        // The service is a process of its own: nothing else holds its listener.
        let latecomer = std::net::TcpStream::connect(service.addr());
        assert!(latecomer.is_err(), "a new clerk is let in during the drain");
        let mut probe =
            std::net::TcpStream::connect(health).expect("health during the drain");
        probe.write_all(b"GET /ready HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        let _ = std::io::Read::read_to_string(&mut probe, &mut answer);
        assert!(answer.starts_with("HTTP/1.1 503"), "/ready while draining: {answer}");

        bob.get_mut().write_all(b"END\r\n").unwrap();
        assert_eq!(line(&mut bob, "bob"), "ok counted 1", "bob's count in flight");
        assert_eq!(line(&mut bob, "bob"), GOODBYE);
        assert_eq!(rest(&mut bob), "");
        let status = service.wait_for_exit(Duration::from_secs(5));
        let took = signalled.elapsed();
        let status =
            status.unwrap_or_else(|| panic!("still running:\n{}", service.output()));
        assert_eq!(status.code(), Some(0), "{status}:\n{}", service.output());
        assert!(took < Duration::from_secs(5), "exited {took:?} after SIGTERM");
        let drained = service.wait_for_output("stopped:", Duration::from_secs(2));
        assert_eq!(
            drained.as_deref(),
            Some("untwisted-inventory stopped: 2 finished, 0 cut")
        );
    });
}

#[cfg(unix)]
#[test]
fn step_7_sigint_drains_too_and_a_stuck_count_is_cut_at_the_deadline() {
    test_kit::run(|| async {
        let (mut service, _) = spawn_service("1");
        let mut carol = service.connect();
        carol.get_mut().write_all(b"BEGIN\r\n").unwrap();
        assert_eq!(line(&mut carol, "carol"), "ok counting");

        let signalled = Instant::now();
        kill(&service, libc::SIGINT);
        // carol never ends her count: cut at the deadline, with no goodbye.
        assert_eq!(rest(&mut carol), "", "carol is cut without a goodbye");
        let status = service.wait_for_exit(Duration::from_secs(5));
        let took = signalled.elapsed();
        let status =
            status.unwrap_or_else(|| panic!("still running:\n{}", service.output()));
        let said = service.output();
        assert_eq!(
            status.code(),
            Some(0),
            "{status} after SIGINT: is it handled?\n{said}"
        );
        assert!(
            took >= Duration::from_secs(1),
            "cut after {took:?}, before the 1 s deadline"
        );
        assert!(took < Duration::from_secs(4), "exited {took:?} after SIGINT");
        let drained = service.wait_for_output("stopped:", Duration::from_secs(2));
        assert_eq!(
            drained.as_deref(),
            Some("untwisted-inventory stopped: 0 finished, 1 cut")
        );
    });
}

// Windows has no SIGTERM to send: steps 6 and 7 need Unix (Linux, macOS, or WSL).
#[cfg(not(unix))]
#[test]
fn step_6_sigterm_drains_the_running_service_and_it_exits_0() {
    panic!("step 6 sends SIGTERM, which Windows does not have: run it under WSL");
}

#[cfg(not(unix))]
#[test]
fn step_7_sigint_drains_too_and_a_stuck_count_is_cut_at_the_deadline() {
    panic!("step 7 sends SIGINT to a child process, which Windows cannot: use WSL");
}
