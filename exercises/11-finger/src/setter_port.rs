//! The setter port's given parts: its limits, [`SetError`], and [`SetterFactory`]
//! with its connection loop, `serve`. Given whole.
//!
//! `SetterFactory::line_received`, which `serve` calls for each line, is yours to
//! write in `setter.rs`, in another `impl SetterFactory` block.

use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::directory::{MAX_USERS, MemoryDirectory};

/// The longest setter line, in bytes, before its `\n`.
pub const MAX_SETTER_LINE: usize = 512;

/// How long the setter waits for each line before it closes the connection.
pub const SETTER_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a setter line was refused: the answer is `ERR <this>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    /// The line is not UTF-8.
    NotUtf8,
    /// The line is not a user name, a space or tab, and a status.
    Usage,
    /// The user name is not valid ([`is_valid_user`](crate::is_valid_user)).
    BadUser,
    /// The status is not valid ([`is_valid_status`](crate::is_valid_status)).
    BadStatus,
    /// A new user, and the directory already holds [`MAX_USERS`] users.
    Full,
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::NotUtf8 => write!(f, "line is not UTF-8"),
            SetError::Usage => write!(f, "expected: user status"),
            SetError::BadUser => {
                write!(f, "user must be 1 to 32 letters, digits, '.', '_' or '-'")
            }
            SetError::BadStatus => {
                write!(f, "status must be 1 to 200 bytes without control characters")
            }
            SetError::Full => write!(f, "directory is full ({MAX_USERS} users)"),
        }
    }
}

impl std::error::Error for SetError {}

/// What every setter connection shares: the in-memory directory that the finger
/// port reads too.
#[derive(Debug, Clone)]
pub struct SetterFactory {
    pub(crate) directory: MemoryDirectory,
}

impl SetterFactory {
    /// A factory whose lines change `directory`.
    pub fn new(directory: MemoryDirectory) -> Self {
        Self { directory }
    }

    /// The directory this factory changes.
    pub fn directory(&self) -> &MemoryDirectory {
        &self.directory
    }

    // ANCHOR: setter_serve
    /// Serves one setter connection: one answer per line, until the client
    /// leaves, a line is too long (answered, then closed) or the client stays
    /// silent for [`SETTER_IDLE_TIMEOUT`].
    pub async fn serve(&self, stream: TcpStream) {
        let (reader, mut writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        loop {
            let mut line = Vec::new();
            // `take` bounds this one line; on `&mut reader`, the reader lives on.
            let limited = (&mut reader).take(MAX_SETTER_LINE as u64 + 1);
            let read = timeout(SETTER_IDLE_TIMEOUT, read_line(limited, &mut line)).await;
            let answer = match read {
                Ok(Ok(())) if line.ends_with(b"\n") => {
                    line.pop();
                    if line.ends_with(b"\r") {
                        line.pop();
                    }
                    self.line_received(&line)
                }
                Ok(Ok(())) if line.len() > MAX_SETTER_LINE => {
                    let too_long =
                        format!("ERR line too long (max {MAX_SETTER_LINE} bytes)");
                    let _ = writer.write_all(format!("{too_long}\r\n").as_bytes()).await;
                    return;
                }
                _ => return, // closed, broken, or silent for too long
            };
            if writer.write_all(format!("{answer}\r\n").as_bytes()).await.is_err() {
                return;
            }
        }
    }
    // ANCHOR_END: setter_serve
}

/// Reads up to and including `\n` from a bounded reader.
async fn read_line(
    mut reader: impl AsyncBufReadExt + Unpin,
    line: &mut Vec<u8>,
) -> std::io::Result<()> {
    reader.read_until(b'\n', line).await.map(drop)
}
