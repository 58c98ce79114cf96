//! The options every benchmark shares: how many clients, for how long, against which
//! servers, and where the load generator and the servers run.

use std::path::PathBuf;
use std::time::Duration;

/// What one benchmark accepts and assumes.
pub struct Spec {
    /// The benchmark's name, for messages.
    pub name: &'static str,
    /// Concurrent clients when `--connections` is not given.
    pub connections: &'static [usize],
    /// Every server `--servers` may name; the last one is Twisted's.
    pub servers: &'static [&'static str],
    /// Whether `--payload` applies (the echo benchmark's request size).
    pub payload: bool,
}

/// What a benchmark was asked to do.
pub struct Options {
    /// Concurrent clients, one run per count.
    pub connections: Vec<usize>,
    /// The measured window of each run.
    pub duration: Duration,
    /// Names from `Spec::servers`, in the order given.
    pub servers: Vec<&'static str>,
    /// A Python with Twisted, for the `twisted` server.
    pub python: Option<PathBuf>,
    /// Echo only: bytes per request.
    pub payload: usize,
    /// Load-generator threads, one runtime each.
    pub client_threads: usize,
    /// Runs per measurement; the table shows the median.
    pub repeat: usize,
    /// (server CPUs, client CPUs) when pinning.
    pub pin: Option<Pinning>,
}

impl Options {
    /// The CPUs a server process is pinned to, if pinning.
    pub fn server_cpus(&self) -> Option<&[usize]> {
        self.pin.as_ref().map(|(server, _)| server.as_slice())
    }

    /// The CPUs the load generator's threads are pinned to (empty: not pinned).
    pub fn client_cpus(&self) -> Vec<usize> {
        self.pin.as_ref().map(|(_, clients)| clients.clone()).unwrap_or_default()
    }

    /// One line on where things ran, for the note under a table.
    pub fn placement(&self) -> String {
        match &self.pin {
            Some((server, clients)) => format!(
                "Each server was pinned to CPU {server:?} (the same one-core budget for all), the load generator ({} thread(s)) to CPUs {clients:?}.",
                self.client_threads
            ),
            None => format!("Server and load generator ({} thread(s)) shared all CPUs.", self.client_threads),
        }
    }
}

/// Parses a benchmark's options; `Ok(None)` for `--help`.
pub fn parse(args: &[String], spec: &Spec) -> Result<Option<Options>, String> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut options = Options {
        connections: spec.connections.to_vec(),
        duration: Duration::from_secs(3),
        servers: Vec::new(),
        python: None,
        payload: 64,
        client_threads: 0,
        repeat: 1,
        pin: None,
    };
    let mut pin = cfg!(target_os = "linux") && cpus >= 2;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--connections" | "--conns" => {
                options.connections = value()?
                    .split(',')
                    .map(|n| n.trim().replace('_', "").parse().map_err(|_| format!("bad connection count {n:?}")))
                    .collect::<Result<_, _>>()?;
            }
            "--duration" => {
                let secs: f64 = value()?.parse().map_err(|_| "--duration takes seconds, e.g. 3 or 0.5")?;
                if !(secs > 0.0 && secs < 3600.0) {
                    return Err("--duration must be between 0 and 3600 seconds".into());
                }
                options.duration = Duration::from_secs_f64(secs);
            }
            "--servers" => {
                options.servers = value()?
                    .split(',')
                    .map(|s| {
                        let known = spec.servers.iter().find(|k| **k == s.trim());
                        known.copied().ok_or_else(|| format!("unknown server {s:?} ({})", spec.servers.join(", ")))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--python" => options.python = Some(PathBuf::from(value()?)),
            "--payload" if spec.payload => {
                options.payload = value()?.parse().map_err(|_| "--payload takes a byte count")?;
                if options.payload == 0 || options.payload > 1 << 20 {
                    return Err("--payload must be between 1 and 1048576 bytes".into());
                }
            }
            "--client-threads" => {
                options.client_threads = value()?.parse().map_err(|_| "--client-threads takes a number")?;
                if options.client_threads == 0 {
                    return Err("--client-threads must be at least 1".into());
                }
            }
            "--repeat" => {
                options.repeat = value()?.parse().map_err(|_| "--repeat takes a number")?;
                if options.repeat == 0 || options.repeat > 100 {
                    return Err("--repeat must be between 1 and 100".into());
                }
            }
            "--no-pin" => pin = false,
            "--pin" => pin = true,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    (options.pin, options.client_threads) = placement(pin, cpus, options.client_threads);
    if options.connections.is_empty() || options.connections.contains(&0) {
        return Err("--connections needs counts above 0".into());
    }
    let (twisted, rust) = spec.servers.split_last().expect("a benchmark has servers");
    if options.servers.is_empty() {
        options.servers = if options.python.is_some() { spec.servers.to_vec() } else { rust.to_vec() };
    }
    if options.servers.contains(twisted) && options.python.is_none() {
        return Err(format!(
            "the twisted server needs --python PATH, a Python with Twisted installed \
             (`cargo xtask bench {}` passes one)",
            spec.name
        ));
    }
    Ok(Some(options))
}

/// The CPUs the server runs on, and those the load generator runs on.
pub type Pinning = (Vec<usize>, Vec<usize>);

/// Where the server and the load generator run: with `pin` (and two CPUs or more),
/// the server on CPU 0 and the clients on the rest; and how many client threads
/// (`asked`, or one per client CPU when 0).
pub fn placement(pin: bool, cpus: usize, asked: usize) -> (Option<Pinning>, usize) {
    let pinned = (pin && cpus >= 2).then(|| (vec![0], (1..cpus).collect::<Vec<_>>()));
    let threads = match asked {
        0 if pinned.is_some() => cpus - 1,
        0 => cpus,
        n => n,
    };
    (pinned, threads)
}
