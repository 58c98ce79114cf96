//! The load generator: N clients, each doing closed-loop round trips (send a request,
//! wait for its whole answer, repeat; see [`crate::workload`]) for a fixed time.
//!
//! It runs on several current-thread tokio runtimes, one per client thread, so no
//! work stealing or cross-thread wakeups sit in the measured path.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};

use crate::procstat;
use crate::workload::{Session, Workload};

/// What one measurement asks for.
pub struct Load {
    pub addr: SocketAddr,
    pub connections: usize,
    pub duration: Duration,
    pub workload: Workload,
    pub client_threads: usize,
    /// CPUs the client threads are pinned to (empty: not pinned).
    pub client_cpus: Vec<usize>,
}

/// What one measurement found.
pub struct Outcome {
    /// Connections that connected.
    pub connected: usize,
    /// Connections that failed to connect or broke during the run, and lost requests.
    pub errors: usize,
    /// Round trips completed within the measured window.
    pub requests: u64,
    /// The measured window.
    pub window: Duration,
    /// Round-trip latencies, sorted, in microseconds.
    pub latencies_us: Vec<u32>,
    /// The server's peak RSS (KiB) and threads, read while all connections were open.
    pub server: procstat::Status,
    /// The server's CPU use over the window, as a fraction of one core.
    pub server_cpu: Option<f64>,
}

/// At most this many connection attempts in flight: more would overflow the
/// listen backlog, and a dropped SYN costs a one-second retransmit.
const CONNECTS_IN_FLIGHT: usize = 128;
/// Give up on a phase that takes longer than this (a server that stopped accepting).
const PHASE_LIMIT: Duration = Duration::from_secs(60);

/// Shared between the coordinator and every connection task.
struct Shared {
    connected: AtomicUsize,
    failed: AtomicUsize,
    finished: AtomicUsize,
    connect_slots: Semaphore,
}

/// Runs the load against the server at `load.addr`, whose process id is `pid`.
pub fn run(load: &Load, pid: u32) -> Outcome {
    let shared = Arc::new(Shared {
        connected: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        connect_slots: Semaphore::new(CONNECTS_IN_FLIGHT),
    });
    // `go` carries the window's (start, end); `close` says the server was sampled.
    let (go_tx, go_rx) = watch::channel(None::<(Instant, Instant)>);
    let (close_tx, close_rx) = watch::channel(false);

    let threads = load.client_threads.max(1).min(load.connections.max(1));
    let clients: Vec<_> = (0..threads)
        .map(|t| {
            let count = load.connections / threads + usize::from(t < load.connections % threads);
            let (shared, go, close) = (Arc::clone(&shared), go_rx.clone(), close_rx.clone());
            let (addr, workload, cpus) = (load.addr, load.workload.clone(), load.client_cpus.clone());
            thread::Builder::new()
                .name(format!("client-{t}"))
                .spawn(move || {
                    if !cpus.is_empty() {
                        procstat::pin(0, &cpus);
                    }
                    client_thread(count, addr, workload, shared, go, close)
                })
                .expect("cannot start a client thread")
        })
        .collect();

    // Phase 1: every connection connects (or fails).
    wait_until(|| shared.connected.load(Ordering::Acquire) + shared.failed.load(Ordering::Acquire) >= load.connections);
    // Phase 2: the measured window.
    let cpu_before = procstat::cpu_time(pid);
    let start = Instant::now();
    let _ = go_tx.send(Some((start, start + load.duration)));
    thread::sleep(load.duration);
    wait_until(|| shared.finished.load(Ordering::Acquire) >= shared.connected.load(Ordering::Acquire));
    // Phase 3: sample the server while it still holds every connection, then close.
    let sampled_at = Instant::now();
    let server = procstat::status(pid);
    let server_cpu = match (cpu_before, procstat::cpu_time(pid)) {
        (Some(before), Some(after)) => Some((after - before).as_secs_f64() / (sampled_at - start).as_secs_f64()),
        _ => None,
    };
    let _ = close_tx.send(true);

    let mut latencies_us = Vec::new();
    let mut client_errors = 0;
    for client in clients {
        let (lat, errors) = client.join().expect("a client thread panicked");
        latencies_us.extend(lat);
        client_errors += errors;
    }
    latencies_us.sort_unstable();
    Outcome {
        connected: shared.connected.load(Ordering::Acquire),
        errors: shared.failed.load(Ordering::Acquire) + client_errors,
        requests: latencies_us.len() as u64,
        window: load.duration,
        latencies_us,
        server,
        server_cpu,
    }
}

/// Polls `done` every few milliseconds, for at most `PHASE_LIMIT` (the coordinator
/// is not measured, so a poll loop is fine here).
fn wait_until(done: impl Fn() -> bool) {
    let give_up = Instant::now() + PHASE_LIMIT;
    while !done() && Instant::now() < give_up {
        thread::sleep(Duration::from_millis(5));
    }
}

/// One client thread: a current-thread runtime driving `count` connections.
/// Returns their latencies and how many broke.
fn client_thread(
    count: usize,
    addr: SocketAddr,
    workload: Workload,
    shared: Arc<Shared>,
    go: watch::Receiver<Option<(Instant, Instant)>>,
    close: watch::Receiver<bool>,
) -> (Vec<u32>, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
    runtime.block_on(async move {
        let tasks: Vec<_> = (0..count)
            .map(|_| tokio::spawn(connection(addr, workload.clone(), Arc::clone(&shared), go.clone(), close.clone())))
            .collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            match task.await {
                Ok(client) => {
                    latencies.extend(client.latencies_us);
                    errors += client.errors;
                }
                Err(_) => errors += 1,
            }
        }
        (latencies, errors)
    })
}

/// What one client did: its round trips' latencies, and its lost requests (plus
/// one if it broke).
struct ClientOutcome {
    latencies_us: Vec<u32>,
    errors: usize,
}

/// One client: connect, wait for the start, do round trips until the end of the
/// window, then hold the connection open until the server has been sampled.
async fn connection(
    addr: SocketAddr,
    workload: Workload,
    shared: Arc<Shared>,
    mut go: watch::Receiver<Option<(Instant, Instant)>>,
    mut close: watch::Receiver<bool>,
) -> ClientOutcome {
    let connect = async {
        let _slot = shared.connect_slots.acquire().await;
        tokio::time::timeout(Duration::from_secs(20), Session::open(addr, &workload)).await
    };
    let mut session = match connect.await {
        Ok(Ok(session)) => session,
        _ => {
            shared.failed.fetch_add(1, Ordering::AcqRel);
            return ClientOutcome { latencies_us: Vec::new(), errors: 0 };
        }
    };
    shared.connected.fetch_add(1, Ordering::AcqRel);

    let window = go.wait_for(Option::is_some).await.ok().and_then(|w| *w);
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    if let Some((start, end)) = window {
        let mut now = Instant::now();
        while now < end {
            let sent = now;
            let answered = match session.round_trip().await {
                Ok(answered) => answered,
                Err(_) => {
                    errors += 1;
                    break;
                }
            };
            now = Instant::now();
            if !answered {
                errors += 1;
            } else if sent >= start && now <= end {
                // Only round trips inside the window count, so requests/s is exact.
                latencies_us.push((now - sent).as_micros().min(u32::MAX as u128) as u32);
            }
        }
    }
    shared.finished.fetch_add(1, Ordering::AcqRel);
    let _ = close.wait_for(|closed| *closed).await;
    ClientOutcome { latencies_us, errors }
}
