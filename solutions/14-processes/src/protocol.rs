//! Twisted's `ProcessProtocol` and `reactor.spawnProcess`: a child process whose
//! output arrives as events, the way a socket's bytes arrive at a `Protocol`.

use std::io;
use std::process::Stdio;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use crate::exit::Exit;
pub use crate::process_protocol::ProcessProtocol;

// ANCHOR: spawn_process
/// Runs `command` (Twisted's `reactor.spawnProcess(protocol, ...)`), writes `input`
/// to its stdin and then closes it, and calls `protocol` for each event until the
/// child has ended; returns the protocol, so its caller can read what it gathered.
///
/// Errors: only when the child cannot be started (no such program, ...).
pub async fn spawn_process<P: ProcessProtocol>(
    mut command: Command,
    input: Vec<u8>,
    mut protocol: P,
) -> io::Result<P> {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn()?;
    protocol.connection_made(child.id().unwrap_or_default());
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        unreachable!("all three were set to pipes above");
    };
    // Its own future, so that writing stdin never waits for us to read stdout.
    // A child that stops reading (it exited) is no error: its output says the rest.
    let feed = async move {
        let _ = stdin.write_all(&input).await;
        // `stdin` is dropped here: the child reads end of file.
    };
    tokio::pin!(feed);
    let (mut fed, mut out_open, mut err_open) = (false, true, true);
    let mut exited = None;
    let (mut out_buf, mut err_buf) = ([0; 8192], [0; 8192]);
    // One loop, four event sources; each is disabled once it is done.
    while out_open || err_open || exited.is_none() {
        tokio::select! {
            () = &mut feed, if !fed => fed = true,
            read = stdout.read(&mut out_buf), if out_open => match read {
                Ok(0) | Err(_) => out_open = false,
                Ok(n) => protocol.out_received(&out_buf[..n]),
            },
            read = stderr.read(&mut err_buf), if err_open => match read {
                Ok(0) | Err(_) => err_open = false,
                Ok(n) => protocol.err_received(&err_buf[..n]),
            },
            status = child.wait(), if exited.is_none() => {
                let exit = Exit::from_status(status?);
                protocol.process_exited(exit);
                exited = Some(exit);
            }
        }
    }
    if let Some(exit) = exited {
        protocol.process_ended(exit);
    }
    Ok(protocol)
}
// ANCHOR_END: spawn_process
