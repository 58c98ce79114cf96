//! Worked examples for the deployment chapter (book/src/deployment/index.md).
//!
//! Neighbours of the exercise's problems, never its answers: the settings of a
//! nightly report job (clap with `env`), a log subscriber for that batch job
//! (`tracing`), a label printer's drain (stop taking jobs, let the running ones
//! finish up to a deadline, cancel the rest), and a configuration reload on SIGHUP.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
#[cfg(unix)]
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;

// ANCHOR: report_config
/// The settings of the nightly stock report: each a flag, an environment variable
/// (a systemd timer's `Environment=`), or a default, in that order.
#[derive(Parser, Debug)]
#[command(name = "stock-report")]
pub struct ReportConfig {
    /// Where the CSV goes.
    #[arg(long, env = "REPORT_OUTPUT", default_value = "stock.csv")]
    pub output: PathBuf,
    /// Warehouses to include; the variable holds a comma-separated list.
    #[arg(
        long,
        env = "REPORT_WAREHOUSES",
        value_delimiter = ',',
        default_value = "main"
    )]
    pub warehouses: Vec<String>,
    /// Give up after this many seconds.
    #[arg(long, env = "REPORT_TIMEOUT_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout_secs: u64,
}
// ANCHOR_END: report_config

// ANCHOR: batch_logs
/// Logs for a batch job run by a timer: WARN and worse, one compact line each, no
/// timestamp (journald adds its own), no colours. `writer` is `std::io::stderr` in
/// production and a buffer in tests.
pub fn batch_subscriber<W>(writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .compact()
        .without_time()
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .with_writer(writer)
        .finish()
}

/// A report step that logs with fields: a log pipeline can filter on `warehouse`.
pub fn report_missing(warehouse: &str, skus: usize) {
    tracing::warn!(warehouse, skus, "stock count missing");
}
// ANCHOR_END: batch_logs

/// One label to print: how long the printer takes for it.
pub type Job = Duration;

/// How a printer's drain ended.
#[derive(Debug, PartialEq, Eq)]
pub struct Printed {
    /// Labels printed, before or during the drain.
    pub done: usize,
    /// Labels still printing at the deadline, cancelled.
    pub cancelled: usize,
    /// Labels queued but never started.
    pub left_in_queue: usize,
}

// ANCHOR: printer_drain
/// Prints the queued labels, up to `printers` at a time, until `stop` turns true;
/// then takes no new job, gives the labels printing `deadline` to finish, and
/// cancels the rest.
pub async fn run_printers(
    mut queue: mpsc::Receiver<Job>,
    printers: usize,
    mut stop: watch::Receiver<bool>,
    deadline: Duration,
) -> Printed {
    let mut printing = JoinSet::new();
    let mut done = 0;
    loop {
        tokio::select! {
            // Wait for the stop (or its sender's drop, which means the same).
            _ = stop.wait_for(|stop| *stop) => break,
            Some(_) = printing.join_next(), if !printing.is_empty() => done += 1,
            Some(job) = queue.recv(), if printing.len() < printers => {
                printing.spawn(tokio::time::sleep(job));
            }
        }
    }
    queue.close(); // senders now get an error: nothing new is taken
    let mut left_in_queue = 0;
    while queue.try_recv().is_ok() {
        left_in_queue += 1;
    }
    let finish = async {
        while printing.join_next().await.is_some() {
            done += 1;
        }
    };
    let _ = timeout(deadline, finish).await;
    let cancelled = printing.len();
    printing.shutdown().await; // abort what is left, and wait for it to stop
    Printed { done, cancelled, left_in_queue }
}
// ANCHOR_END: printer_drain

// ANCHOR: reload
/// SIGHUP's stream (Unix only: Windows has no SIGHUP). Create it before the first
/// hangup can arrive: from the moment it exists, SIGHUP no longer ends the process
/// (its default action).
#[cfg(unix)]
pub fn hangups() -> io::Result<Signal> {
    signal(SignalKind::hangup())
}

/// Calls `reload` on each SIGHUP (`systemctl reload`, or `kill -HUP`), `times`
/// times.
#[cfg(unix)]
pub async fn reload_on_hangup(
    mut hangups: Signal,
    times: usize,
    mut reload: impl FnMut(),
) {
    for _ in 0..times {
        if hangups.recv().await.is_none() {
            return; // the runtime is shutting down
        }
        reload();
    }
}
// ANCHOR_END: reload

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use clap::CommandFactory;

    use super::*;

    #[test]
    fn flags_and_defaults_and_the_declared_variables() {
        let config =
            ReportConfig::try_parse_from(["stock-report", "--warehouses", "a,b"])
                .expect("valid flags");
        assert_eq!(config.warehouses, ["a", "b"]);
        assert_eq!(config.timeout_secs, 300);
        let command = ReportConfig::command();
        let env = |id: &str| {
            let arg = command.get_arguments().find(|a| a.get_id() == id).unwrap();
            arg.get_env().map(|v| v.to_string_lossy().into_owned())
        };
        assert_eq!(env("output").as_deref(), Some("REPORT_OUTPUT"));
        assert_eq!(env("timeout_secs").as_deref(), Some("REPORT_TIMEOUT_SECS"));
        let zero = ReportConfig::try_parse_from(["stock-report", "--timeout-secs", "0"]);
        assert_eq!(zero.unwrap_err().exit_code(), 2, "clap's usage errors exit 2");
    }

    #[test]
    fn the_batch_subscriber_writes_warnings_only() {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let logs = batch_subscriber(move || Sink(sink.clone()));
        tracing::subscriber::with_default(logs, || {
            tracing::info!("report started");
            report_missing("north", 3);
        });
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("WARN") && text.contains("warehouse=\"north\""), "{text}");
        assert!(text.contains("skus=3") && !text.contains('\u{1b}'), "{text}");
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_printers_finish_short_jobs_and_cancel_long_ones() {
        let (jobs, queue) = mpsc::channel(8);
        let second = Duration::from_secs(1);
        for job in [second, 60 * second, second, second] {
            jobs.send(job).await.unwrap();
        }
        let (stop, stopping) = watch::channel(false);
        let printers = tokio::spawn(run_printers(queue, 2, stopping, 5 * second));
        // Two printers: the 1 s label is done, the next 1 s label is printing, the
        // 60 s one too; the fourth waits in the queue.
        tokio::time::sleep(second + second / 2).await;
        stop.send(true).unwrap();
        let printed = printers.await.unwrap();
        assert_eq!(printed, Printed { done: 2, cancelled: 1, left_in_queue: 1 });
        assert!(jobs.send(second).await.is_err(), "the queue is closed");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_hangup_reloads_instead_of_ending_the_process() {
        let hangups = hangups().unwrap();
        let reloads = Arc::new(Mutex::new(0));
        let counted = reloads.clone();
        let waiting = tokio::spawn(reload_on_hangup(hangups, 1, move || {
            *counted.lock().unwrap() += 1
        }));
        let pid = std::process::id().to_string();
        let sent = std::process::Command::new("kill").args(["-HUP", &pid]).status();
        assert!(sent.unwrap().success(), "kill -HUP");
        waiting.await.unwrap();
        assert_eq!(*reloads.lock().unwrap(), 1);
    }
}
