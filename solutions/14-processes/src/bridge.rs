//! The telnet-style bridge (the Twisted `FakeTelnet` of the chapter): each
//! connection names one allow-listed command, and the socket becomes the command's
//! terminal: bytes in go to its stdin, its stdout comes back, its stderr comes back
//! as `! ` lines, and the connection ends when the command does.

use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout};
use tokio::time::{Instant, sleep_until, timeout};

use crate::exit::Exit;
use crate::wire::{self, ErrLines};

pub use crate::bridge_factory::{ChildEvent, RUN_TIMEOUT, TelnetBridge};

impl TelnetBridge {
    // ANCHOR: serve
    /// Serves one connection, start to end: the command line, the allow-list, the
    /// child with both directions relayed at once, and always a reaped child.
    pub async fn serve(&self, stream: TcpStream) {
        let deadline = Instant::now() + self.run_timeout;
        let (mut reader, mut writer) = stream.into_split();
        let (name, early) = match wire::read_command(&mut reader, deadline).await {
            Ok(line) => line,
            Err(err) => return say_last(&mut writer, err.message()).await,
        };
        let Some(mut command) = self.allowed.command(&name) else {
            return say_last(&mut writer, Some(wire::unknown_command(&self.allowed)))
                .await;
        };
        // Twisted's spawnProcess default: an empty environment. No pipe is left to
        // the server's own stdin, stdout or stderr.
        command
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true); // a last resort, should this task itself be dropped
        let Ok(mut child) = command.spawn() else {
            return say_last(&mut writer, Some(wire::cannot_start(&name))).await;
        };
        let pid = child.id().unwrap_or_default();
        self.report(ChildEvent::Spawned { command: name, pid });

        let (Some(stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            unreachable!("all three were set to pipes above");
        };
        let pipes = Pipes { stdin, stdout: &mut stdout, stderr: &mut stderr };
        let ending =
            run_child(&mut child, pipes, reader, early, &mut writer, deadline).await;
        // Kill unless it ended by itself (while we still hold its output pipes, so
        // it dies of our SIGKILL, not of a SIGPIPE); then reap it in every case, so
        // no zombie outlives the connection.
        if !matches!(ending, Ending::Exited(_)) {
            let _ = child.start_kill();
        }
        let status = match ending {
            Ending::Exited(status) => Ok(status),
            _ => child.wait().await,
        };
        let Ok(status) = status else { return };
        let exit = Exit::from_status(status);
        self.report(ChildEvent::Ended { pid, exit });
        let last = match ending {
            Ending::ClientGone => None,
            Ending::TimedOut => {
                Some(wire::timed_out(self.run_timeout) + &wire::ended(exit))
            }
            Ending::Exited(_) => Some(wire::ended(exit)),
        };
        say_last(&mut writer, last).await;
    }
    // ANCHOR_END: serve
}

/// Why a connection's child stopped being served.
enum Ending {
    /// It closed its output and exited by itself (status already reaped).
    Exited(ExitStatus),
    /// A read from or a write to the client failed.
    ClientGone,
    /// The run deadline passed first.
    TimedOut,
}

/// The child's three pipes: stdin is given away (closing it is the end of input),
/// stdout and stderr are lent, so they outlive the relay.
struct Pipes<'a> {
    stdin: ChildStdin,
    stdout: &'a mut ChildStdout,
    stderr: &'a mut ChildStderr,
}

// ANCHOR: run_child
/// Relays between the client and the child until the child ends, the client goes,
/// or the deadline passes. The two directions are two futures polled together:
/// a child blocked writing its output is never waiting for us to finish feeding it.
async fn run_child(
    child: &mut Child,
    pipes: Pipes<'_>,
    reader: OwnedReadHalf,
    early: Vec<u8>,
    writer: &mut OwnedWriteHalf,
    deadline: Instant,
) -> Ending {
    let Pipes { stdin, stdout, stderr } = pipes;
    tokio::select! {
        // Output first, then the exit: when both are done, the child has ended.
        done = async {
            relay_output(stdout, stderr, writer).await?;
            child.wait().await
        } => match done {
            Ok(status) => Ending::Exited(status),
            Err(_) => Ending::ClientGone,
        },
        // Feeding ends quietly at the client's end of input (the branch is then
        // disabled and the others go on); only a broken connection ends the run.
        Err(_) = feed_stdin(early, reader, stdin) => Ending::ClientGone,
        () = sleep_until(deadline) => Ending::TimedOut,
    }
}
// ANCHOR_END: run_child

// ANCHOR: feed_stdin
/// Client to child: the bytes that came with the command line, then everything the
/// client sends. At its end of input, the child's stdin is closed (dropped), so
/// `sort` and `wc` see end of file and answer. A child that exits before reading
/// everything is not an error: the rest is dropped.
async fn feed_stdin(
    early: Vec<u8>,
    mut client: impl AsyncRead + Unpin,
    mut stdin: ChildStdin,
) -> io::Result<()> {
    let mut child_reads = true;
    child_reads &= stdin.write_all(&early).await.is_ok();
    let mut chunk = [0; 8192];
    loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(()); // dropping `stdin` closes it
        }
        // Awaiting the write is the backpressure: while the child does not read,
        // we do not read from the client either.
        child_reads = child_reads && stdin.write_all(&chunk[..n]).await.is_ok();
    }
}
// ANCHOR_END: feed_stdin

// ANCHOR: relay_output
/// Child to client: stdout as it is, stderr as `! ` lines, until both are closed.
/// Each chunk is written before the next is read, so a client that reads slowly
/// stops us reading, the pipe fills, and the child blocks: memory stays bounded.
async fn relay_output(
    stdout: &mut ChildStdout,
    stderr: &mut ChildStderr,
    client: &mut (impl AsyncWrite + Unpin),
) -> io::Result<()> {
    let (mut out_open, mut err_open) = (true, true);
    let (mut out_buf, mut err_buf) = ([0; 8192], [0; 8192]);
    let mut err_lines = ErrLines::new();
    while out_open || err_open {
        let bytes = tokio::select! {
            read = stdout.read(&mut out_buf), if out_open => match read {
                Ok(0) | Err(_) => { out_open = false; Vec::new() }
                Ok(n) => out_buf[..n].to_vec(),
            },
            read = stderr.read(&mut err_buf), if err_open => match read {
                Ok(0) | Err(_) => { err_open = false; err_lines.finish() }
                Ok(n) => err_lines.push(&err_buf[..n]),
            },
        };
        client.write_all(&bytes).await?;
    }
    Ok(())
}
// ANCHOR_END: relay_output

/// Says `last` (if anything) and hangs up, without waiting long on a client that
/// does not read.
async fn say_last(writer: &mut OwnedWriteHalf, last: Option<String>) {
    if let Some(last) = last {
        let _ = timeout(Duration::from_secs(1), writer.write_all(last.as_bytes())).await;
    }
    let _ = writer.shutdown().await;
}
