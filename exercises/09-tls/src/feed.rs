//! The inventory feed of chapter 05, unchanged on the wire (`SKU qty` in, `SKU total`
//! or `ERR reason` out, every line ending in `\r\n`), written once more, shortly,
//! over *any* byte stream. Given whole.
//!
//! [`serve_lines`] takes a `S: AsyncRead + AsyncWrite + Unpin`: a `TcpStream`, a
//! TLS stream, an in-memory pipe. The protocol never learns which: that is the
//! separation of protocol and transport, and why TLS needs no change here.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::io::{AsyncWriteExt, BufReader};

/// The longest line accepted, in bytes, without its `\r\n` (as in chapter 05).
pub const MAX_LENGTH: usize = 1024;

/// How many different SKUs one warehouse tracks at most.
pub const MAX_SKUS: usize = 10_000;

/// The longest SKU accepted, in bytes.
pub const MAX_SKU_LENGTH: usize = 32;

/// The warehouses whose scanners may connect with a certificate (mutual TLS).
pub const WAREHOUSES: [&str; 2] = ["north", "south"];

/// The warehouse of a client that presents no certificate (one-way TLS, STARTTLS).
pub const DEFAULT_WAREHOUSE: &str = "main";

/// One warehouse's running totals, shared by every connection that feeds it.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    totals: Arc<Mutex<HashMap<String, i64>>>,
}

impl Inventory {
    /// Answers one line (Twisted's `lineReceived`): `SKU total` after applying the
    /// move, or `ERR <reason>` for a line that is not a valid move.
    pub fn answer(&self, line: &[u8]) -> String {
        match self.apply(line) {
            Ok((sku, total)) => format!("{sku} {total}"),
            Err(reason) => format!("ERR {reason}"),
        }
    }

    /// The current total of `sku` (0 if it never moved).
    pub fn total(&self, sku: &str) -> i64 {
        let totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        totals.get(sku).copied().unwrap_or(0)
    }

    fn apply(&self, line: &[u8]) -> Result<(String, i64), String> {
        let line = std::str::from_utf8(line).map_err(|_| "line is not UTF-8")?;
        let mut fields = line.split_ascii_whitespace();
        let (sku, qty) = match (fields.next(), fields.next(), fields.next()) {
            (None, _, _) => return Err("empty line, expected: SKU qty".into()),
            (Some(_), None, _) => return Err("missing qty, expected: SKU qty".into()),
            (Some(_), Some(_), Some(_)) => {
                return Err("too many fields, expected: SKU qty".into());
            }
            (Some(sku), Some(qty), None) => (sku, qty),
        };
        let sku_ok = (1..=MAX_SKU_LENGTH).contains(&sku.len())
            && sku.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !sku_ok {
            let rule = "letters, digits, '-', '_' or '.'";
            return Err(format!("SKU must be 1 to {MAX_SKU_LENGTH} {rule}"));
        }
        let qty: i64 = qty
            .parse()
            .map_err(|_| format!("qty must be a whole number, got {qty:?}"))?;
        let mut totals = self.totals.lock().unwrap_or_else(PoisonError::into_inner);
        let current = totals.get(sku).copied();
        if current.is_none() && totals.len() >= MAX_SKUS {
            return Err(format!("inventory is full ({MAX_SKUS} SKUs)"));
        }
        let total = current.unwrap_or(0).checked_add(qty).ok_or("total out of range")?;
        totals.insert(sku.to_owned(), total);
        Ok((sku.to_owned(), total))
    }
}

/// Every warehouse's inventory: what all connections share (the factory's state).
#[derive(Debug, Clone, Default)]
pub struct Feed {
    warehouses: Arc<Mutex<HashMap<String, Inventory>>>,
}

impl Feed {
    /// A feed with empty inventories.
    pub fn new() -> Self {
        Self::default()
    }

    /// The inventory of `warehouse`, made empty on first use. Only the server picks
    /// the name (from [`WAREHOUSES`] or [`DEFAULT_WAREHOUSE`]), so the map stays small.
    pub fn inventory(&self, warehouse: &str) -> Inventory {
        let mut all = self.warehouses.lock().unwrap_or_else(PoisonError::into_inner);
        all.entry(warehouse.to_owned()).or_default().clone()
    }
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A whole line, now in the buffer without its line end.
    Complete,
    /// More than [`MAX_LENGTH`] bytes without a line end.
    TooLong,
    /// The peer closed the connection (in the middle of a line, or between two).
    Closed,
}

/// Reads one line of at most [`MAX_LENGTH`] bytes into `line`, without its `\r\n`.
///
/// Shorter than chapter 05's codec: it ends a line at `\n` and drops a `\r` before
/// it, the same thing for every CRLF client. It never buffers more than one line.
pub async fn read_line<R>(reader: &mut R, line: &mut Vec<u8>) -> io::Result<Line>
where
    R: AsyncBufRead + Unpin,
{
    line.clear();
    let limit = MAX_LENGTH as u64 + 2; // a maximal line and its `\r\n`
    let read = reader.take(limit).read_until(b'\n', line).await?;
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
        return Ok(Line::Complete);
    }
    Ok(if read as u64 == limit { Line::TooLong } else { Line::Closed })
}

// ANCHOR: serve_lines
/// Runs the feed on one connection until the client leaves: one answer per line; a
/// line too long gets `ERR line too long (max N bytes)` and the connection closes.
/// It works on any stream: a `TcpStream`, a TLS stream, an in-memory duplex.
pub async fn serve_lines<S>(stream: S, inventory: &Inventory) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut stream = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        let answer = match read_line(&mut stream, &mut line).await? {
            Line::Complete => inventory.answer(&line),
            Line::TooLong => format!("ERR line too long (max {MAX_LENGTH} bytes)"),
            Line::Closed => return Ok(()),
        };
        stream.write_all(format!("{answer}\r\n").as_bytes()).await?;
        // A TLS stream may keep written records in its buffer when the socket is
        // full; flush before waiting for more lines, or a client that sent a burst
        // and now waits for its answers waits forever. (Lines already buffered are
        // answered first: one flush per burst, not per line.)
        if stream.buffer().is_empty() {
            stream.flush().await?;
        }
        if answer.starts_with("ERR line too long") {
            // Over TLS, shutdown() sends close_notify: the client sees a clean end.
            return stream.shutdown().await;
        }
    }
}
// ANCHOR_END: serve_lines
