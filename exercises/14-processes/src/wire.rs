//! What the bridge says on the wire, besides the child's own output: the command
//! line it reads first, the `! ` lines it writes, and how stderr becomes `! ` lines.
//! Given whole, so the Rust bridge and the chapter's Twisted `FakeTelnet` say the
//! same bytes.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::{Instant, timeout_at};

use crate::allow::AllowList;
use crate::exit::Exit;

/// The longest command line a client may send, in bytes, `\n` excluded.
pub const MAX_COMMAND_LINE: usize = 64;

/// The longest stderr line relayed as one `! ` line; longer ones are cut in pieces.
pub const MAX_ERR_LINE: usize = 1024;

/// Why no command was read from a connection.
#[derive(Debug)]
pub enum CommandLineError {
    /// More than [`MAX_COMMAND_LINE`] bytes came without a `\n`.
    TooLong,
    /// The client sent nothing complete before the deadline.
    TimedOut,
    /// The client left, or the connection broke, before a whole line came.
    Gone,
}

/// Reads the first line (`upper\r\n`): the command's name, without `\r\n`, and the
/// bytes that came after it in the same reads (they are the child's first input).
pub async fn read_command<R: AsyncRead + Unpin>(
    reader: &mut R,
    deadline: Instant,
) -> Result<(String, Vec<u8>), CommandLineError> {
    let mut buf = Vec::with_capacity(MAX_COMMAND_LINE + 2);
    let mut chunk = [0; 256];
    loop {
        if let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let rest = buf.split_off(end + 1);
            buf.truncate(end);
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        // A `\r` at the end may still be followed by the `\n`: one byte of grace.
        if buf.len() > MAX_COMMAND_LINE + 1 {
            return Err(CommandLineError::TooLong);
        }
        match timeout_at(deadline, reader.read(&mut chunk)).await {
            Err(_) => return Err(CommandLineError::TimedOut),
            Ok(Ok(0) | Err(_)) => return Err(CommandLineError::Gone),
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

impl CommandLineError {
    /// What the client is told before the bridge hangs up, if anything.
    pub fn message(&self) -> Option<String> {
        match self {
            CommandLineError::TooLong => Some(say(&format!(
                "command line too long (max {MAX_COMMAND_LINE} bytes)"
            ))),
            CommandLineError::TimedOut => Some(say("no command, closing")),
            CommandLineError::Gone => None,
        }
    }
}

/// `! <text>\r\n`: every line the bridge itself writes starts with `! `.
pub fn say(text: &str) -> String {
    format!("! {text}\r\n")
}

/// The refusal for a name that is not on the list (the name is not echoed back:
/// it is the client's bytes, and they could be anything).
pub fn unknown_command(allowed: &AllowList) -> String {
    let names: Vec<&str> = allowed.names().collect();
    say(&format!("unknown command (allowed: {})", names.join(", ")))
}

/// The last line: how the child ended (`! exited with code 0`).
pub fn ended(exit: Exit) -> String {
    say(&exit.to_string())
}

/// Said before the child is killed for running longer than the bridge allows.
pub fn timed_out(limit: Duration) -> String {
    let limit = if limit.subsec_millis() == 0 {
        format!("{} s", limit.as_secs())
    } else {
        format!("{} ms", limit.as_millis())
    };
    say(&format!("timed out after {limit}, killed"))
}

/// Said when the allowed program could not be started (not installed, say).
pub fn cannot_start(name: &str) -> String {
    say(&format!("cannot start {name}"))
}

/// Turns a child's stderr, which arrives in chunks of any size, into `! ` lines:
/// one per line of stderr, `\r\n`-terminated, at most [`MAX_ERR_LINE`] bytes each.
#[derive(Debug, Default)]
pub struct ErrLines {
    partial: Vec<u8>,
}

impl ErrLines {
    /// A splitter with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one chunk of stderr; returns the `! ` lines it completed (maybe none).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &byte in chunk {
            if byte == b'\n' {
                self.flush_into(&mut out);
            } else {
                self.partial.push(byte);
                if self.partial.len() == MAX_ERR_LINE {
                    self.flush_into(&mut out);
                }
            }
        }
        out
    }

    /// At the end of stderr: the unfinished last line, if any, as a `! ` line.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.partial.is_empty() {
            self.flush_into(&mut out);
        }
        out
    }

    fn flush_into(&mut self, out: &mut Vec<u8>) {
        let mut line = std::mem::take(&mut self.partial);
        if line.last() == Some(&b'\r') {
            line.pop(); // a child that ends its lines with \r\n: one \r\n, not two
        }
        out.extend_from_slice(b"! ");
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
}
