//! The WebSocket benchmark's load: N dashboards subscribed to one SKU, one publisher
//! on the stock feed. Each move goes out when every dashboard has the previous one
//! (a closed loop on the whole fan-out); each delivery's latency is from the move's
//! send to that dashboard's `total` message.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::load::Outcome;
use crate::process::ServerProcess;
use crate::procstat;

/// The SKU every dashboard follows and the publisher moves.
const SKU: &str = "WIDGET-1";
/// A move not delivered to every dashboard within this long: the missing count as errors.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(1);

/// What the dashboards and the publisher share (all on one thread).
struct Round {
    /// The total the current move makes, and when it was sent.
    current: Mutex<(i64, Instant)>,
    /// Dashboards that have the current move.
    delivered: AtomicUsize,
    /// Told when the last dashboard has it.
    all_there: Notify,
    /// Every delivery's latency, in microseconds.
    latencies_us: Mutex<Vec<u32>>,
}

/// Runs the fan-out against `server` (which printed `… stock feed on ADDR`) with
/// `subscribers` dashboards for `duration`, on one client thread pinned to `cpus`.
pub fn run(server: &ServerProcess, subscribers: usize, duration: Duration, cpus: &[usize]) -> Result<Outcome, String> {
    let feed: SocketAddr = server
        .about
        .split_once("feed on ")
        .and_then(|(_, addr)| addr.trim().parse().ok())
        .ok_or("the server named no stock feed")?;
    let (web, pid) = (server.addr, server.id());
    let cpus = cpus.to_vec();
    std::thread::spawn(move || {
        if !cpus.is_empty() {
            procstat::pin(0, &cpus);
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(fan_out(web, feed, pid, subscribers, duration))
    })
    .join()
    .map_err(|_| "the fan-out thread panicked".to_string())?
}

async fn fan_out(web: SocketAddr, feed: SocketAddr, pid: u32, n: usize, duration: Duration) -> Result<Outcome, String> {
    let round = Arc::new(Round {
        current: Mutex::new((i64::MIN, Instant::now())),
        delivered: AtomicUsize::new(0),
        all_there: Notify::new(),
        latencies_us: Mutex::new(Vec::new()),
    });
    let mut dashboards = Vec::new();
    let mut total = 0;
    for _ in 0..n {
        let (ws, snapshot) = subscribe(web).await.map_err(|e| format!("a dashboard could not subscribe: {e}"))?;
        total = snapshot;
        dashboards.push(tokio::spawn(dashboard(ws, Arc::clone(&round), n)));
    }
    let stream = TcpStream::connect(feed).await.map_err(|e| format!("cannot reach the stock feed: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut feed = BufReader::new(stream);

    let cpu_before = procstat::cpu_time(pid);
    let start = Instant::now();
    let mut missing = 0;
    while start.elapsed() < duration {
        total += 1;
        *round.current.lock().expect("one thread") = (total, Instant::now());
        round.delivered.store(0, Ordering::Release);
        let said = publish(&mut feed).await.map_err(|e| format!("the stock feed: {e}"))?;
        if said != total {
            return Err(format!("the feed made the total {said}, not {total}"));
        }
        missing += n - wait_for_all(&round, n).await;
    }
    let window = start.elapsed();
    let server = procstat::status(pid);
    let server_cpu = cpu_before.zip(procstat::cpu_time(pid)).map(|(b, a)| (a - b).as_secs_f64() / window.as_secs_f64());
    for dashboard in dashboards {
        dashboard.abort();
    }
    let mut latencies_us = std::mem::take(&mut *round.latencies_us.lock().expect("one thread"));
    latencies_us.sort_unstable();
    Ok(Outcome {
        connected: n,
        errors: missing,
        requests: latencies_us.len() as u64,
        window,
        latencies_us,
        server,
        server_cpu,
    })
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

/// Opens `/live` as a page of the server's own origin would, subscribes to [`SKU`],
/// and reads the snapshot: the socket and the SKU's total.
async fn subscribe(web: SocketAddr) -> Result<(Socket, i64), String> {
    let mut request = format!("ws://{web}/live").into_client_request().map_err(|e| e.to_string())?;
    let origin = format!("http://{web}").parse().map_err(|_| "a bad origin")?;
    request.headers_mut().insert("origin", origin);
    let stream = TcpStream::connect(web).await.map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (mut ws, _) = tokio_tungstenite::client_async(request, stream).await.map_err(|e| e.to_string())?;
    ws.send(Message::text(format!("subscribe {SKU}"))).await.map_err(|e| e.to_string())?;
    while let Some(message) = ws.next().await {
        if let Message::Text(text) = message.map_err(|e| e.to_string())? {
            let total = text.strip_prefix("snapshot ").and_then(total_of);
            return total.map(|total| (ws, total)).ok_or_else(|| format!("expected a snapshot, got {text:?}"));
        }
    }
    Err("closed before the snapshot".into())
}

/// `WIDGET-1=12` among space-separated `SKU=total` pairs: 12.
fn total_of(pairs: &str) -> Option<i64> {
    pairs.split(' ').find_map(|pair| pair.strip_prefix(SKU)?.strip_prefix('=')?.parse().ok())
}

/// One dashboard: each `total` of the current move is a delivery.
async fn dashboard(mut ws: Socket, round: Arc<Round>, n: usize) {
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else { continue };
        let Some(total) = text.strip_prefix("total ").and_then(total_of) else { continue };
        let (current, sent) = *round.current.lock().expect("one thread");
        if total == current {
            let latency = sent.elapsed().as_micros().min(u32::MAX as u128) as u32;
            round.latencies_us.lock().expect("one thread").push(latency);
            if round.delivered.fetch_add(1, Ordering::AcqRel) + 1 == n {
                round.all_there.notify_one();
            }
        }
    }
}

/// Sends one move of +1 and reads the feed's answer, `SKU total`: the new total.
async fn publish(feed: &mut BufReader<TcpStream>) -> std::io::Result<i64> {
    feed.get_mut().write_all(format!("{SKU} 1\r\n").as_bytes()).await?;
    let mut line = String::new();
    feed.read_line(&mut line).await?;
    line.trim()
        .strip_prefix(SKU)
        .and_then(|rest| rest.trim().parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("the feed said {:?}", line.trim())))
}

/// Waits until all `n` dashboards have the current move (or the timeout); returns
/// how many have it.
async fn wait_for_all(round: &Round, n: usize) -> usize {
    let give_up = Instant::now() + DELIVERY_TIMEOUT;
    loop {
        let delivered = round.delivered.load(Ordering::Acquire);
        if delivered >= n || Instant::now() >= give_up {
            return delivered.min(n);
        }
        // A permit left by an earlier round only costs one more look.
        let _ = tokio::time::timeout_at(give_up.into(), round.all_there.notified()).await;
    }
}
