// The steps of exercise 14: processes. Each one runs real programs that Debian and
// macOS both have (`cat`, `tr`, `sort`, `sleep`, `yes`, `env`, `true`), through your
// code, and the bridge steps talk to it over real loopback TCP.
//
// Included by the solution's tests/steps.rs: `//` comments only, no `//!`.

use std::net::SocketAddr;
use std::time::Duration;

use processes::{
    AllowList, BridgeServer, ChildEvent, Exit, ProcessError, ProcessProtocol,
    TelnetBridge, get_process_output, get_process_value, spawn_process,
};
use test_kit::Transcript;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::timeout;

/// A file no machine has: `cat` of it writes to stderr and exits with 1.
const MISSING: &str = "/nonexistent/untwisted-14";

/// How long a step waits for one thing the bridge must do.
const PATIENCE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------
// A protocol that writes down every callback, in order.

#[derive(Default)]
struct Recorder {
    pid: Option<u32>,
    out: Vec<u8>,
    err: Vec<u8>,
    /// `made`, `exited …`, `ended …`: the order of the callbacks that are not output.
    calls: Vec<String>,
    /// Signal to send the child from `connection_made`, if any.
    kill_with: Option<i32>,
}

impl ProcessProtocol for Recorder {
    fn connection_made(&mut self, pid: u32) {
        self.pid = Some(pid);
        self.calls.push("made".into());
        if let Some(signal) = self.kill_with {
            // SAFETY: kill(2) with a pid we were just given and a valid signal.
            assert_eq!(
                unsafe { libc::kill(pid as libc::pid_t, signal) },
                0,
                "kill {pid}"
            );
        }
    }
    fn out_received(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
    }
    fn err_received(&mut self, data: &[u8]) {
        self.err.extend_from_slice(data);
    }
    fn process_exited(&mut self, exit: Exit) {
        self.calls.push(format!("exited {exit}"));
    }
    fn process_ended(&mut self, exit: Exit) {
        self.calls.push(format!("ended {exit}"));
    }
}

fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args);
    command
}

async fn record(
    program: &str,
    args: &[&str],
    input: &[u8],
    protocol: Recorder,
) -> Recorder {
    let run = spawn_process(command(program, args), input.to_vec(), protocol);
    match timeout(PATIENCE, run).await {
        Ok(Ok(recorder)) => recorder,
        Ok(Err(err)) => panic!("spawn_process({program}) failed: {err}"),
        Err(_) => panic!(
            "spawn_process({program} {args:?}) did not return within {} s: is stdin fed \
             while stdout is read, and closed after the input?",
            PATIENCE.as_secs()
        ),
    }
}

/// True once `pid` is gone for good: not running, and not a zombie either (a
/// zombie still answers kill(pid, 0), until its parent waits for it).
fn reaped(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid as libc::pid_t, 0) } == 0;
    !alive && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

// ---------------------------------------------------------------------------------
// The bridge, and clients for it.

/// The steps' allow-list: the demo's (`broken` is `cat` of MISSING), plus `env`,
/// which shows the environment a bridged command gets.
fn allowed() -> AllowList {
    AllowList::standard().allow("env", "env", &[])
}

/// Starts a bridge on a free loopback port; returns its address and its events.
async fn start(bridge: TelnetBridge) -> (SocketAddr, UnboundedReceiver<ChildEvent>) {
    let (events, heard) = unbounded_channel();
    let server =
        BridgeServer::bind("127.0.0.1:0".parse().unwrap(), bridge.with_events(events))
            .await
            .expect("bind the bridge");
    let addr = server.local_addr();
    tokio::spawn(server.run());
    (addr, heard)
}

/// One client: sends `writes` one by one, then ends its input, and records every
/// line it hears until the bridge hangs up (bare `\n` and `\r\n` both shown).
async fn converse(
    addr: SocketAddr,
    who: &str,
    writes: &[&[u8]],
    transcript: &Transcript,
) {
    let mut stream = TcpStream::connect(addr).await.expect("connect to the bridge");
    for write in writes {
        transcript.sent(who, &String::from_utf8_lossy(write));
        stream.write_all(write).await.expect("send");
    }
    stream.shutdown().await.expect("end of input");
    transcript.event(who, "end of input");
    let mut heard = Vec::new();
    match timeout(PATIENCE, stream.read_to_end(&mut heard)).await {
        Err(_) => panic!(
            "{who}: the bridge did not hang up within {} s; it sent {:?}",
            PATIENCE.as_secs(),
            String::from_utf8_lossy(&heard)
        ),
        Ok(Err(err)) => panic!("{who}: the connection broke: {err}"),
        Ok(Ok(_)) => {}
    }
    for line in String::from_utf8_lossy(&heard).split_inclusive('\n') {
        transcript.received(who, line.strip_suffix('\n').unwrap_or(line));
    }
    transcript.event(who, "connection closed by server");
}

async fn next_event(
    events: &mut UnboundedReceiver<ChildEvent>,
    waiting_for: &str,
) -> ChildEvent {
    match timeout(PATIENCE, events.recv()).await {
        Ok(Some(event)) => event,
        Ok(None) => panic!("the bridge stopped reporting events"),
        Err(_) => panic!(
            "no ChildEvent within {} s, waiting for {waiting_for}",
            PATIENCE.as_secs()
        ),
    }
}

/// The child's Spawned event, then its Ended event; returns the pid and its end.
async fn spawned_then_ended(events: &mut UnboundedReceiver<ChildEvent>) -> (u32, Exit) {
    let pid = match next_event(events, "Spawned").await {
        ChildEvent::Spawned { pid, .. } => pid,
        other => panic!("expected Spawned, got {other:?}"),
    };
    match next_event(events, "Ended (is the child killed and waited for?)").await {
        ChildEvent::Ended { pid: ended, exit } => {
            assert_eq!(ended, pid, "Ended reports another pid than Spawned");
            assert!(
                reaped(pid),
                "Ended reported, but process {pid} is still there (a zombie?)"
            );
            (pid, exit)
        }
        other => panic!("expected Ended, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// The steps

#[test]
fn step_1_spawn_process_feeds_stdin_while_reading_stdout() {
    test_kit::run(|| async {
        let upper =
            record("tr", &["a-z", "A-Z"], b"low stock\n", Recorder::default()).await;
        assert_eq!(String::from_utf8_lossy(&upper.out), "LOW STOCK\n");
        assert!(
            upper.pid.is_some_and(|pid| pid > 0),
            "connection_made gets the child's pid"
        );
        assert_eq!(
            upper.calls,
            ["made", "exited exited with code 0", "ended exited with code 0"],
            "connection_made first, process_exited, then process_ended once, last"
        );

        // More than any pipe holds, both ways: fed and read at the same time, or
        // stuck forever (the child waits for us to read, we wait for it to read).
        let input: Vec<u8> =
            (0..1 << 20).map(|i| b"0123456789abcdef\n"[i % 17]).collect();
        let cat = record("cat", &[], &input, Recorder::default()).await;
        assert!(
            cat.out == input,
            "1 MiB through cat came back as {} other bytes",
            cat.out.len()
        );
    });
}

#[test]
fn step_2_stderr_and_a_failing_exit_code_arrive_as_events() {
    test_kit::run(|| async {
        let cat = record("cat", &[MISSING], b"", Recorder::default()).await;
        let err = String::from_utf8_lossy(&cat.err);
        assert!(
            err.contains(MISSING) && err.contains("No such file or directory"),
            "err_received gets cat's complaint, got {err:?}"
        );
        assert!(cat.out.is_empty(), "nothing on stdout, got {:?}", cat.out);
        assert_eq!(
            cat.calls,
            ["made", "exited exited with code 1", "ended exited with code 1"]
        );
    });
}

#[test]
fn step_3_a_signal_ends_the_process_with_exit_signal_and_it_is_reaped() {
    test_kit::run(|| async {
        let protocol = Recorder { kill_with: Some(libc::SIGTERM), ..Recorder::default() };
        let sleeper = record("sleep", &["30"], b"", protocol).await;
        let term = Exit::Signal(libc::SIGTERM);
        assert_eq!(
            sleeper.calls,
            ["made".to_string(), format!("exited {term}"), format!("ended {term}")]
        );
        let pid = sleeper.pid.expect("connection_made was called");
        assert!(reaped(pid), "spawn_process returned, but process {pid} is not reaped");
    });
}

#[test]
fn step_4_get_process_output_and_value_keep_twisteds_defaults() {
    test_kit::run(|| async {
        // Twisted's env={} default on POSIX: the child's environment is empty,
        // where a plain tokio Command passes on ours.
        let inherited = Command::new("env").output().await.expect("run env");
        assert!(!inherited.stdout.is_empty(), "a tokio Command inherits the environment");
        let env = get_process_output("env", &[], false).await.expect("run env");
        assert_eq!(
            String::from_utf8_lossy(&env),
            "",
            "the child's environment must be empty"
        );

        // stdin is empty and closed: a filter ends at once instead of waiting.
        let tr =
            timeout(PATIENCE, get_process_output("tr", &["a-z", "A-Z"], false)).await;
        assert_eq!(tr.expect("tr never ended: is its stdin closed?").unwrap(), b"");

        // stderr is an error by default, part of the output with errortoo; the
        // exit code (1 here) does not matter to getProcessOutput.
        match get_process_output("cat", &[MISSING], false).await {
            Err(ProcessError::UnexpectedErrorOutput { stderr }) => {
                assert!(String::from_utf8_lossy(&stderr).contains(MISSING))
            }
            other => panic!("stderr without errortoo must be an error, got {other:?}"),
        }
        let both = get_process_output("cat", &[MISSING], true).await.expect("errortoo");
        assert!(String::from_utf8_lossy(&both).contains("No such file or directory"));

        assert_eq!(get_process_value("true", &[]).await.unwrap(), Some(0));
        assert_eq!(get_process_value("cat", &[MISSING]).await.unwrap(), Some(1));
        assert!(matches!(
            get_process_value("no-such-program-untwisted-14", &[]).await,
            Err(ProcessError::Spawn(_))
        ));
    });
}

#[test]
fn step_5_the_bridge_relays_a_command_both_ways() {
    test_kit::run(|| async {
        let (addr, mut events) = start(TelnetBridge::new(allowed())).await;
        let transcript = Transcript::new();
        converse(
            addr,
            "alice",
            &[b"upper\r\n", b"widget-1 low\r\n", b"bolt-2 "],
            &transcript,
        )
        .await;
        // The command line and the first input in one write, the rest in another.
        converse(addr, "bob", &[b"sort\nwidget-9\nbolt-2\n", b"gadget-5\n"], &transcript)
            .await;
        converse(addr, "carol", &[b"broken\r\n"], &transcript).await;
        // Twisted's default again: the bridged command gets an empty environment.
        converse(addr, "dave", &[b"env\r\n"], &transcript).await;
        insta::assert_snapshot!(transcript.to_string());
        for _ in 0..4 {
            spawned_then_ended(&mut events).await;
        }
    });
}

#[test]
fn step_6_commands_outside_the_allow_list_are_refused_and_nothing_runs() {
    test_kit::run(|| async {
        let (addr, mut events) = start(TelnetBridge::new(allowed())).await;
        let refused = "! unknown command (allowed: broken, cat, count, env, flood, nap, sort, upper)";
        let attempts: [&[u8]; 7] = [
            b"sh\r\n",
            b"cat; rm -rf /\r\n",
            b"/bin/sh -c id\r\n",
            b"../../bin/cat\r\n",
            b"UPPER\r\n",
            b"\r\n",
            b"upper \r\n",
        ];
        for attempt in attempts {
            let transcript = Transcript::new();
            converse(addr, "mallory", &[attempt], &transcript).await;
            let heard = transcript.to_string();
            assert!(
                heard.contains(&format!("mallory < {refused}\\r\n"))
                    && heard.ends_with("mallory -- connection closed by server\n"),
                "{:?} must be refused and the connection closed:\n{heard}",
                String::from_utf8_lossy(attempt)
            );
        }
        // A command line longer than 64 bytes is refused before it ends.
        let transcript = Transcript::new();
        converse(addr, "mallory", &[&[b'x'; 100]], &transcript).await;
        let heard = transcript.to_string();
        assert!(
            heard.contains("mallory < ! command line too long (max 64 bytes)\\r\n"),
            "{heard}"
        );
        assert!(events.try_recv().is_err(), "a refused command must not start a process");
    });
}

#[test]
fn step_7_a_child_is_killed_and_reaped_when_its_client_leaves_or_its_time_is_up() {
    test_kit::run(|| async {
        let bridge =
            TelnetBridge::new(allowed()).with_run_timeout(Duration::from_millis(300));
        let (addr, mut events) = start(bridge).await;

        // `yes` never stops writing; its client reads a little, then vanishes.
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"flood\r\n").await.unwrap();
        let mut some = [0; 2];
        timeout(PATIENCE, client.read_exact(&mut some))
            .await
            .expect("flood output")
            .unwrap();
        assert_eq!(&some, b"y\n");
        drop(client);
        let (_, exit) = spawned_then_ended(&mut events).await;
        assert!(matches!(exit, Exit::Signal(_)), "the child must be killed, not {exit}");

        // `sleep 3600` never ends by itself: killed at the deadline, and told.
        let transcript = Transcript::new();
        let mut napper = TcpStream::connect(addr).await.unwrap();
        napper.write_all(b"nap\r\n").await.unwrap();
        let mut heard = Vec::new();
        timeout(PATIENCE, napper.read_to_end(&mut heard))
            .await
            .expect("hang up")
            .unwrap();
        transcript.received("napper", &String::from_utf8_lossy(&heard));
        assert_eq!(
            String::from_utf8_lossy(&heard),
            "! timed out after 300 ms, killed\r\n! killed by signal 9\r\n"
        );
        let (_, exit) = spawned_then_ended(&mut events).await;
        assert_eq!(exit, Exit::Signal(libc::SIGKILL));
    });
}

#[test]
fn step_8_a_client_that_stops_reading_stalls_the_child_memory_stays_bounded() {
    test_kit::run(|| async {
        // `cat` echoes; the client sends and never reads. With backpressure, the
        // bytes back up: the bridge stops reading cat, cat stops reading its stdin,
        // the bridge stops reading the client, and the client's writes block, far
        // short of FLOOD, until the run timeout kills cat. Without it, the bridge
        // buffers whatever the client sends, and all of FLOOD goes through.
        const FLOOD: usize = 64 << 20;
        const BOUND: usize = 24 << 20;
        let bridge =
            TelnetBridge::new(allowed()).with_run_timeout(Duration::from_secs(2));
        let (addr, mut events) = start(bridge).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"cat\r\n").await.unwrap();
        let chunk = vec![b'z'; 64 << 10];
        let mut sent = 0;
        while sent < FLOOD {
            match client.write(&chunk).await {
                Ok(n) => sent += n,
                Err(_) => break, // the bridge killed cat and hung up
            }
        }
        assert!(
            sent < BOUND,
            "the client sent {} MiB to cat without reading a byte back: the bridge \
             keeps reading from cat while the client does not take its output",
            sent >> 20
        );
        let (_, exit) = spawned_then_ended(&mut events).await;
        assert!(
            matches!(exit, Exit::Signal(_)),
            "cat was stalled until the deadline, not {exit}"
        );
    });
}
