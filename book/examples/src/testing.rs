//! Worked examples for the testing chapter (book/src/testing/index.md).
//!
//! A neighbour of the exercise's stock service, with its own tests: a scanner session
//! that answers `PING` with `PONG` and hangs up on a scanner that says nothing for
//! [`IDLE`] (Twisted's `TimeoutMixin`). The tests talk to it through an in-memory pipe
//! (trial's `StringTransport`), move paused time by hand (trial's `task.Clock`), count
//! the tasks left after shutdown (trial's clean reactor), and are run against builds
//! with a planted bug, to show that they catch it.

use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::codec::{FramedRead, LinesCodec};

/// How long a session waits for a line before it hangs up.
pub const IDLE: Duration = Duration::from_secs(60);

/// The longest line a session reads, and the longest reply a [`Client`] reads.
const MAX_LINE: usize = 256;

/// Which session server to build: the correct one, or one with a planted bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// As specified.
    Correct,
    /// PLANTED BUG: a line does not restart the idle wait.
    TimerNeverReset,
    /// PLANTED BUG: sessions are spawned outside the server's task set, so shutdown
    /// cannot stop them.
    DetachedSessions,
}

/// A server of scanner sessions, reached in memory.
pub struct SessionServer {
    build: Build,
    sessions: Mutex<JoinSet<()>>,
}

impl SessionServer {
    /// A server of kind `build`, with no session yet.
    pub fn new(build: Build) -> Self {
        Self { build, sessions: Mutex::default() }
    }

    // ANCHOR: connect
    /// Opens a session over an in-memory pipe: a task of the server serves one end,
    /// the caller gets the other. Needs a tokio runtime.
    pub fn connect(&self) -> DuplexStream {
        let (client, server) = tokio::io::duplex(1024);
        let session = serve(server, self.build);
        if self.build == Build::DetachedSessions {
            tokio::spawn(session); // the planted bug: nobody keeps this task
        } else {
            self.sessions.lock().unwrap_or_else(PoisonError::into_inner).spawn(session);
        }
        client
    }
    // ANCHOR_END: connect

    /// Ends every session, and returns once each session's task has really ended.
    pub async fn shutdown(&self) {
        let mut sessions =
            mem::take(&mut *self.sessions.lock().unwrap_or_else(PoisonError::into_inner));
        sessions.abort_all();
        while sessions.join_next().await.is_some() {}
    }
}

// ANCHOR: serve
/// Answers lines on `stream` until the peer closes it or says nothing for [`IDLE`];
/// then says `BYE idle` and hangs up. Generic over the stream: a `TcpStream` in
/// production, one end of a `duplex` pipe in tests.
async fn serve<S>(stream: S, build: Build)
where
    S: AsyncRead + AsyncWrite,
{
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE));
    let mut deadline = Instant::now() + IDLE;
    loop {
        // `biased`: a deadline that has passed wins over a line that arrived at the
        // same moment, as in Twisted, where `clock.advance` fires the timeout before
        // the next `dataReceived`. Unbiased, `select!` picks at random: a flaky test.
        let line = tokio::select! {
            biased;
            () = sleep_until(deadline) => {
                let _ = writer.write_all(b"BYE idle\r\n").await;
                return;
            }
            line = lines.next() => line,
        };
        let Some(Ok(line)) = line else { return };
        if build != Build::TimerNeverReset {
            deadline = Instant::now() + IDLE;
        }
        let reply = if line == "PING" { "PONG\r\n" } else { "ERR say PING\r\n" };
        if writer.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: client
/// The test's end of the pipe, like trial's `StringTransport`: every byte is visible.
pub struct Client {
    stream: BufReader<DuplexStream>,
}

impl Client {
    /// Wraps the end that [`SessionServer::connect`] returned.
    pub fn new(stream: DuplexStream) -> Self {
        Self { stream: BufReader::new(stream) }
    }

    /// Sends `line` and `\r\n`, and returns the reply.
    pub async fn say(&mut self, line: &str) -> String {
        let sent =
            self.stream.get_mut().write_all(format!("{line}\r\n").as_bytes()).await;
        sent.expect("the session hung up before the request");
        self.reply().await
    }

    /// The next reply exactly as it arrived, `\r\n` included; `""` once the session
    /// has hung up. Panics if nothing comes for 5 s: in paused time that happens only
    /// when nothing else can, so it never fires while a reply is on its way.
    pub async fn reply(&mut self) -> String {
        let mut reply = Vec::new();
        let mut reader = (&mut self.stream).take(MAX_LINE as u64);
        let read = timeout(Duration::from_secs(5), reader.read_until(b'\n', &mut reply));
        match read.await {
            Ok(Ok(_)) => String::from_utf8_lossy(&reply).into_owned(),
            Ok(Err(e)) => panic!("could not read the reply: {e}"),
            Err(_) => panic!("no reply within 5 s"),
        }
    }
}
// ANCHOR_END: client

/// A moment, in paused time: small next to [`IDLE`].
const MOMENT: Duration = Duration::from_secs(1);

// ANCHOR: idle_test
/// Hangs up after [`IDLE`] of silence, not a moment before, and any line restarts the
/// wait. Run it in paused time: `advance` is trial's `clock.advance`.
pub async fn hangs_up_after_idle_silence(server: SessionServer) {
    use tokio::time::advance;
    let mut client = Client::new(server.connect());
    assert_eq!(client.say("PING").await, "PONG\r\n"); // the session runs: t = 0
    advance(IDLE - MOMENT).await;
    assert_eq!(client.say("PING").await, "PONG\r\n", "hung up before IDLE");
    advance(IDLE - MOMENT).await;
    assert_eq!(client.say("PING").await, "PONG\r\n", "a line did not restart the wait");
    advance(IDLE).await;
    assert_eq!(client.reply().await, "BYE idle\r\n", "silent for IDLE, still there");
    assert_eq!(client.reply().await, "", "said BYE but did not hang up");
    server.shutdown().await;
}
// ANCHOR_END: idle_test

// ANCHOR: clean_test
/// `shutdown()` leaves no task behind: trial's clean-reactor check, counted.
pub async fn shutdown_leaves_no_session(server: SessionServer) {
    let mut client = Client::new(server.connect());
    assert_eq!(client.say("PING").await, "PONG\r\n");
    server.shutdown().await;
    let alive = tokio::runtime::Handle::current().metrics().num_alive_tasks();
    assert_eq!(alive, 0, "{alive} session task(s) outlived shutdown");
    assert_eq!(client.reply().await, "", "the session still answers");
}
// ANCHOR_END: clean_test

// ANCHOR: fails_on
/// Runs `test` against a server of kind `build`, on a fresh runtime whose clock starts
/// paused (trial: a fresh reactor per test, and a `task.Clock`). True if the test
/// failed: on a planted bug, that means it caught the bug.
pub fn fails_on<F, Fut>(build: Build, test: F) -> bool
where
    F: FnOnce(SessionServer) -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime");
    let run = || runtime.block_on(test(SessionServer::new(build)));
    panic::catch_unwind(AssertUnwindSafe(run)).is_err()
}
// ANCHOR_END: fails_on

#[cfg(test)]
mod tests {
    use super::*;

    /// The chapter page, to check that its table is what the tests measure.
    const CHAPTER: &str = include_str!("../../src/testing/index.md");

    thread_local! {
        static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Panics on this thread are no longer printed; other threads' still are.
    fn quiet_panics_on_this_thread() {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let print = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if !QUIET.with(std::cell::Cell::get) {
                    print(info);
                }
            }));
        });
        QUIET.with(|quiet| quiet.set(true));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pipe_shows_every_byte() {
        let server = SessionServer::new(Build::Correct);
        let mut client = Client::new(server.connect());
        assert_eq!(client.say("PING").await, "PONG\r\n");
        assert_eq!(client.say("HELLO").await, "ERR say PING\r\n");
        server.shutdown().await;
    }

    #[tokio::test(start_paused = true)]
    async fn the_tests_pass_on_the_correct_server() {
        hangs_up_after_idle_silence(SessionServer::new(Build::Correct)).await;
        shutdown_leaves_no_session(SessionServer::new(Build::Correct)).await;
    }

    #[test]
    fn each_planted_bug_is_caught_by_the_test_the_chapter_says() {
        // The tests' panics are expected here: keep them out of this thread's output.
        quiet_panics_on_this_thread();
        let mut rows = Vec::new();
        for build in [Build::Correct, Build::TimerNeverReset, Build::DetachedSessions] {
            let verdict = |failed| if failed { "caught" } else { "missed" };
            rows.push(format!(
                "| `{build:?}` | {} | {} |",
                verdict(fails_on(build, hangs_up_after_idle_silence)),
                verdict(fails_on(build, shutdown_leaves_no_session)),
            ));
        }
        QUIET.with(|quiet| quiet.set(false));
        assert_eq!(
            rows,
            [
                "| `Correct` | missed | missed |",
                "| `TimerNeverReset` | caught | missed |",
                "| `DetachedSessions` | missed | caught |",
            ]
        );
        for row in rows {
            assert!(CHAPTER.contains(&row), "the chapter's table lacks the row {row}");
        }
    }
}
