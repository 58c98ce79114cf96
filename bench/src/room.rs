//! `room`: the workshop room under a full class. N simulated attendees each post a
//! verdict every 2 s (a new connection per post, as `cargo xtask check`'s detached
//! poster makes), while one or more live pages watch the WebSocket. Every post
//! carries a new step name, so a viewer can tell exactly which posts it has seen:
//! none may be lost, and each one's latency runs from the start of the POST to
//! the viewer's frame that contains it. The server's memory is sampled over the
//! run (it should stay flat).

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::process::{self, ServerProcess};
use crate::procstat;
use crate::report::{latency, percentile, thousands};

/// The token the benchmark's room is started with.
const TOKEN: &str = "untwisted-bench-room-token-0123456789";
/// The room's columns.
const EXERCISES: &str = "00-welcome,05-lines,08-web";
/// How long viewers may take to show the last posts after the load stops.
const DRAIN: Duration = Duration::from_secs(2);

/// What `bench room` was asked to do.
pub struct Options {
    /// Simulated attendees.
    pub attendees: usize,
    /// How long they post.
    pub secs: f64,
    /// Seconds between one attendee's posts.
    pub every: f64,
    /// Live pages watching.
    pub viewers: usize,
    /// Pin the server to CPU 0 and the load to the others.
    pub pin: bool,
}

/// Parses `bench room`'s options; `Ok(None)` for `--help`.
pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options { attendees: 200, secs: 60.0, every: 2.0, viewers: 1, pin: cfg!(target_os = "linux") };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--attendees" => options.attendees = value()?.parse().map_err(|_| "--attendees takes a count")?,
            "--secs" | "--duration" => options.secs = value()?.parse().map_err(|_| "--secs takes seconds")?,
            "--every" => options.every = value()?.parse().map_err(|_| "--every takes seconds")?,
            "--viewers" => options.viewers = value()?.parse().map_err(|_| "--viewers takes a count")?,
            "--no-pin" => options.pin = false,
            "--pin" => options.pin = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other:?} for room")),
        }
    }
    if !(1..=1000).contains(&options.attendees) {
        return Err("--attendees must be 1 to 1000 (the room's own bound)".into());
    }
    if !(1..=64).contains(&options.viewers) {
        return Err("--viewers must be 1 to 64 (the room's own bound)".into());
    }
    if !((0.0..=3600.0).contains(&options.secs) && options.secs > 0.0 && (0.2..=60.0).contains(&options.every)) {
        return Err("--secs must be in (0, 3600] and --every in [0.2, 60] (5 posts/s per name is the limit)".into());
    }
    Ok(Some(options))
}

/// The child-process side: the room on the runtime its binary uses, printing
/// `listening on ADDR`.
pub fn serve(addr: SocketAddr) -> io::Result<()> {
    let args = untwisted_room::Args {
        listen: addr,
        token: TOKEN.into(),
        state: None,
        exercises: EXERCISES.split(',').map(str::to_owned).collect(),
        book: None,
        bundle: None,
        stuck_minutes: 10,
    };
    untwisted_room::runtime()?.block_on(async {
        let started = untwisted_room::start(&args).await?;
        let mut out = io::stdout().lock();
        writeln!(out, "listening on {}", started.addr)?;
        out.flush()?;
        drop(out);
        started.server.run().await;
        Ok(())
    })
}

/// When each post started, `[attendee][seq - 1]`; `None` for a post the room refused.
type Sent = Arc<Mutex<Vec<Vec<Option<Instant>>>>>;

/// What one viewer saw.
#[derive(Default)]
struct Seen {
    /// Latencies of the posts a frame showed, in microseconds.
    latencies_us: Vec<u32>,
    /// Accepted posts no frame showed before the same attendee's next one replaced them.
    superseded: usize,
}

/// Everything one run measured.
struct Outcome {
    posted: usize,
    refused: Vec<String>,
    seen: Vec<Seen>,
    rss_kib: [Option<u64>; 3],
    peak_rss_kib: Option<u64>,
    server_cpu: Option<f64>,
    window: Duration,
}

/// Runs the benchmark and prints its table.
pub fn run(options: &Options) -> std::process::ExitCode {
    match measure(options) {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(lost) => {
            eprintln!("error: {lost} verdict(s) were never seen by a viewer");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs one measurement; how many (post, viewer) pairs were lost.
fn measure(options: &Options) -> Result<usize, String> {
    if cfg!(debug_assertions) {
        eprintln!("warning: this is a debug build; run with --release for meaningful numbers");
    }
    procstat::raise_nofile(options.attendees as u64 * 2 + 256);
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pin = options.pin && cpus >= 2;
    let server = ServerProcess::start(process::this_program("room")?, "room", pin.then_some(&[0][..]))?;
    let client_cpus: Vec<usize> = if pin { (1..cpus).collect() } else { Vec::new() };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(client_cpus.len().max(1))
        .enable_all()
        .on_thread_start(move || {
            if !client_cpus.is_empty() {
                procstat::pin(0, &client_cpus);
            }
        })
        .build()
        .map_err(|e| e.to_string())?;
    eprintln!(
        "  room: {} attendees posting every {} s for {} s, {} viewer(s) ...",
        options.attendees, options.every, options.secs, options.viewers
    );
    let outcome = runtime.block_on(load(server.addr, server.id(), options))?;
    Ok(print_report(options, &outcome, pin))
}

async fn load(addr: SocketAddr, pid: u32, options: &Options) -> Result<Outcome, String> {
    let rss_start = procstat::rss_kib(pid);
    let cpu_before = procstat::cpu_time(pid);
    let sent: Sent = Arc::new(Mutex::new(vec![Vec::new(); options.attendees]));
    let finished = Arc::new(Mutex::new(None::<Instant>));
    let mut viewers = Vec::new();
    for _ in 0..options.viewers {
        let ws = open_viewer(addr).await?;
        viewers.push(tokio::spawn(view(ws, Arc::clone(&sent), Arc::clone(&finished))));
    }
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(options.secs);
    let every = Duration::from_secs_f64(options.every);
    let mut attendees = Vec::new();
    for i in 0..options.attendees {
        // Spread over one period, as a class's checks are.
        let first = start + every.mul_f64(i as f64 / options.attendees as f64);
        attendees.push(tokio::spawn(attendee(addr, i, first, end, every, Arc::clone(&sent))));
    }
    tokio::time::sleep_until((start + (end - start) / 2).into()).await;
    let rss_middle = procstat::rss_kib(pid);
    let (mut posted, mut refused) = (0, Vec::new());
    for attendee in attendees {
        let (ok, failures) = attendee.await.map_err(|e| e.to_string())?;
        posted += ok;
        refused.extend(failures);
    }
    let window = start.elapsed();
    let rss_end = procstat::rss_kib(pid);
    let server_cpu = cpu_before.zip(procstat::cpu_time(pid)).map(|(b, a)| (a - b).as_secs_f64() / window.as_secs_f64());
    *finished.lock().expect("no panics while held") = Some(Instant::now());
    let mut seen = Vec::new();
    for viewer in viewers {
        seen.push(viewer.await.map_err(|e| e.to_string())??);
    }
    let peak_rss_kib = procstat::status(pid).peak_rss_kib;
    Ok(Outcome { posted, refused, seen, rss_kib: [rss_start, rss_middle, rss_end], peak_rss_kib, server_cpu, window })
}

/// One attendee: a verdict every `every` from `first` until `end`, each with the
/// next step name (`seq-1`, `seq-2`, ...); how many the room accepted, and why the
/// others failed.
async fn attendee(
    addr: SocketAddr,
    i: usize,
    first: Instant,
    end: Instant,
    every: Duration,
    sent: Sent,
) -> (usize, Vec<String>) {
    let (mut ok, mut failures) = (0, Vec::new());
    let mut next = first;
    let mut seq = 0;
    while next < end {
        tokio::time::sleep_until(next.into()).await;
        seq += 1;
        let body = format!(
            r#"{{"name": "attendee-{i}", "exercise": "05-lines", "passed": {}, "total": 6, "failing": {{"step": "seq-{seq}", "kind": "assertion"}}}}"#,
            seq % 6
        );
        // Recorded before sending: a frame may show the post before its answer arrives.
        sent.lock().expect("no panics while held")[i].push(Some(Instant::now()));
        match post(addr, &body).await {
            Ok(204) => ok += 1,
            answer => {
                sent.lock().expect("no panics while held")[i][seq - 1] = None;
                failures.push(format!("attendee-{i} post {seq}: {answer:?}"));
            }
        }
        next += every;
    }
    (ok, failures)
}

/// POSTs a verdict on a new connection, as the runner's background poster does;
/// the status code.
async fn post(addr: SocketAddr, body: &str) -> io::Result<u16> {
    let mut stream = TcpStream::connect(addr).await?;
    let _ = stream.set_nodelay(true);
    let request = format!(
        "POST /api/verdict HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in 10 s"))??;
    let text = String::from_utf8_lossy(&answer);
    text.split(' ').nth(1).and_then(|code| code.parse().ok()).ok_or_else(|| io::Error::other(format!("said {text:?}")))
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

/// A live page's WebSocket, as the page opens it.
async fn open_viewer(addr: SocketAddr) -> Result<Socket, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("cannot reach the room: {e}"))?;
    let url = format!("ws://{addr}/ws?token={TOKEN}");
    let (ws, _) = tokio_tungstenite::client_async(url, stream).await.map_err(|e| format!("cannot open /ws: {e}"))?;
    Ok(ws)
}

/// One live page: every frame's attendees, matched against the posts sent, until
/// the load is over and every accepted post was seen (or [`DRAIN`] passed).
async fn view(mut ws: Socket, sent: Sent, finished: Arc<Mutex<Option<Instant>>>) -> Result<Seen, String> {
    let mut seen = Seen::default();
    let mut last: Vec<usize> = Vec::new();
    loop {
        let done_at = *finished.lock().expect("no panics while held");
        if let Some(done_at) = done_at {
            let sent = sent.lock().expect("no panics while held");
            let caught_up = sent.iter().enumerate().all(|(i, posts)| {
                let last_accepted = posts.iter().rposition(Option::is_some).map_or(0, |p| p + 1);
                last.get(i).copied().unwrap_or(0) >= last_accepted
            });
            if caught_up || done_at.elapsed() > DRAIN {
                return Ok(seen);
            }
        }
        let message = match tokio::time::timeout(Duration::from_millis(100), ws.next()).await {
            Err(_) => continue,
            Ok(None) => return Err("the room closed the page".into()),
            Ok(Some(message)) => message.map_err(|e| e.to_string())?,
        };
        let arrived = Instant::now();
        let Message::Text(text) = message else { continue };
        let room: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("a frame is not JSON: {e}"))?;
        let sent = sent.lock().expect("no panics while held");
        for attendee in room["attendees"].as_array().into_iter().flatten() {
            let number =
                |field: &str, prefix: &str| attendee[field].as_str()?.strip_prefix(prefix)?.parse::<usize>().ok();
            let (Some(i), Some(seq)) = (number("name", "attendee-"), number("step", "seq-")) else { continue };
            if last.len() <= i {
                last.resize(i + 1, 0);
            }
            if seq <= last[i] {
                continue;
            }
            let posts = sent.get(i).map(Vec::as_slice).unwrap_or_default();
            seen.superseded += (last[i] + 1..seq).filter(|&s| posts.get(s - 1).is_some_and(Option::is_some)).count();
            if let Some(Some(at)) = posts.get(seq - 1) {
                seen.latencies_us.push(arrived.saturating_duration_since(*at).as_micros().min(u32::MAX as u128) as u32);
            }
            last[i] = seq;
        }
    }
}

/// Prints the table; returns how many (post, viewer) pairs no frame showed.
fn print_report(options: &Options, outcome: &Outcome, pinned: bool) -> usize {
    let mut latencies: Vec<u32> = outcome.seen.iter().flat_map(|s| s.latencies_us.iter().copied()).collect();
    latencies.sort_unstable();
    let superseded: usize = outcome.seen.iter().map(|s| s.superseded).sum();
    let expected = outcome.posted * outcome.seen.len();
    let lost = expected.saturating_sub(latencies.len() + superseded);
    let mib = |kib: Option<u64>| kib.map_or("n/a".into(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0));
    println!();
    println!(
        "| attendees | viewers | verdicts posted | refused | seen by the viewers | superseded | lost | p50 update | p99 update | RSS start / middle / end | peak RSS | server CPU |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {} | {} | {} of {} | {} | {} | {} | {} | {} / {} / {} | {} | {} |",
        options.attendees,
        outcome.seen.len(),
        thousands(outcome.posted as f64),
        outcome.refused.len(),
        thousands(latencies.len() as f64),
        thousands(expected as f64),
        superseded,
        lost,
        latency(percentile(&latencies, 0.50)),
        latency(percentile(&latencies, 0.99)),
        mib(outcome.rss_kib[0]),
        mib(outcome.rss_kib[1]),
        mib(outcome.rss_kib[2]),
        mib(outcome.peak_rss_kib),
        outcome.server_cpu.map_or("n/a".into(), |c| format!("{:.0}%", c * 100.0)),
    );
    println!();
    println!(
        "Each attendee POSTed a verdict to /api/verdict every {} s for {:.1} s on a new connection (as `cargo xtask check`'s \
         background poster does), spread evenly over the period, each with a new step name; each viewer is a live page \
         on /ws. Seen: posts a viewer's frame showed (per viewer); superseded: accepted posts replaced by the same \
         attendee's next one before any frame showed them (the page coalesces to at most 10 frames a second); lost: \
         neither. Update latency: from the start of the POST to the viewer's frame that shows it. RSS: the server's \
         resident memory when the load started, half-way and at the end. Server CPU: its CPU time over the window \
         (100% = one core).",
        options.every,
        outcome.window.as_secs_f64()
    );
    if pinned {
        println!("The room server (2 worker threads) was pinned to CPU 0, the attendees and viewers to the others.");
    } else {
        println!("The room server (2 worker threads), attendees and viewers shared all CPUs.");
    }
    for failure in outcome.refused.iter().take(5) {
        println!("refused: {failure}");
    }
    lost
}
