//! Worked examples for the finger chapter (book/src/finger/index.md).
//!
//! The exercise writes a finger server whose answers come from a pluggable
//! `Directory`. Here, the same ideas on a neighbouring service: a one-shot price
//! check for the warehouse (one SKU in, one price out, then close), whose prices
//! come from a pluggable `PriceList`, and a client for the oldest one-shot protocol
//! of all, Quote of the Day (RFC 865), which sends nothing and reads to the close.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

// ANCHOR: price_list
/// A price that will be known later, or an error: a boxed future, so that
/// `dyn PriceList` works (each backend's future is its own type).
pub type Quote<'a> = Pin<Box<dyn Future<Output = io::Result<Option<u32>>> + Send + 'a>>;

/// Where prices come from. The service holds a `Box<dyn PriceList>` (or an `Arc`)
/// and never knows which backend answers.
pub trait PriceList: Send + Sync {
    /// The price of `sku` in cents, `None` if the SKU is unknown.
    fn price<'a>(&'a self, sku: &'a str) -> Quote<'a>;
}

/// Prices in memory: the answer is ready at once (Twisted's `defer.succeed`).
pub struct FixedPrices(pub HashMap<String, u32>);

impl PriceList for FixedPrices {
    fn price<'a>(&'a self, sku: &'a str) -> Quote<'a> {
        let price = self.0.get(sku).copied();
        Box::pin(async move { Ok(price) })
    }
}
// ANCHOR_END: price_list

// ANCHOR: supplier
/// A supplier's price list that is not always there: `HALT-*` SKUs never
/// answer, `DOWN-*` SKUs fail, others cost 100 cents after a short wait.
pub struct Supplier;

impl PriceList for Supplier {
    fn price<'a>(&'a self, sku: &'a str) -> Quote<'a> {
        Box::pin(async move {
            if sku.starts_with("HALT-") {
                std::future::pending::<()>().await;
            }
            if sku.starts_with("DOWN-") {
                return Err(io::Error::other("supplier unreachable"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(Some(100))
        })
    }
}
// ANCHOR_END: supplier

/// How long a price lookup may take before the answer gives up on it.
pub const QUOTE_TIMEOUT: Duration = Duration::from_secs(2);

// ANCHOR: price_line
/// The answer line for `sku`: a price, `unknown SKU`, or, when the backend
/// fails or takes longer than [`QUOTE_TIMEOUT`], `price list unavailable`.
pub async fn price_line(prices: &dyn PriceList, sku: &str) -> String {
    // `?` inside the block returns from the block, not from the function: the
    // block is one future with one Result, and the timeout wraps all of it.
    let lookup = async {
        let cents = prices.price(sku).await?;
        Ok::<_, io::Error>(
            cents.map(|c| format!("{sku} costs {}.{:02}", c / 100, c % 100)),
        )
    };
    match timeout(QUOTE_TIMEOUT, lookup).await {
        Ok(Ok(Some(line))) => line,
        Ok(Ok(None)) => "unknown SKU".to_owned(),
        Ok(Err(_)) | Err(_) => "price list unavailable".to_owned(),
    }
}
// ANCHOR_END: price_line

/// The longest SKU line the price check reads, in bytes, before its `\n`.
pub const MAX_SKU_LINE: usize = 40;

// ANCHOR: price_check
/// Serves one price check: one SKU line in, one answer line out, then close.
/// A line longer than [`MAX_SKU_LINE`], or one that takes over 5 s, is dropped
/// without an answer.
pub async fn serve_price_check(prices: &dyn PriceList, stream: TcpStream) {
    let (reader, mut writer) = stream.into_split();
    // `take` caps what this reader will ever hand out: memory stays bounded even
    // if the client never sends a `\n`.
    let mut reader = BufReader::new(reader).take(MAX_SKU_LINE as u64 + 1);
    let mut line = String::new();
    match timeout(Duration::from_secs(5), reader.read_line(&mut line)).await {
        Ok(Ok(_)) if line.ends_with('\n') => {}
        _ => return, // too long, not UTF-8, closed early, broken or too slow
    }
    let answer = price_line(prices, line.trim()).await;
    let _ = writer.write_all(format!("{answer}\r\n").as_bytes()).await;
    // Half-close: the client's read_to_end sees the end of the answer.
    let _ = writer.shutdown().await;
}
// ANCHOR_END: price_check

/// The largest quote the client accepts (RFC 865: under 512 characters).
pub const MAX_QUOTE: usize = 512;

// ANCHOR: qotd
/// Quote of the Day (RFC 865): connect, send nothing, read until the server
/// closes. At most [`MAX_QUOTE`] bytes, within 5 s.
pub async fn quote_of_the_day(addr: SocketAddr) -> io::Result<String> {
    let read = async {
        let stream = TcpStream::connect(addr).await?;
        let mut quote = Vec::new();
        // One byte past the limit, to tell "at the limit" from "over it".
        stream.take(MAX_QUOTE as u64 + 1).read_to_end(&mut quote).await?;
        Ok::<_, io::Error>(quote)
    };
    let quote = timeout(Duration::from_secs(5), read)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no quote within 5 s"))??;
    if quote.len() > MAX_QUOTE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "quote too long"));
    }
    Ok(String::from_utf8_lossy(&quote).into_owned())
}
// ANCHOR_END: qotd

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio::net::TcpListener;

    fn prices() -> FixedPrices {
        FixedPrices(HashMap::from([("WIDGET-1".to_owned(), 420)]))
    }

    // ANCHOR: price_test
    #[tokio::test(start_paused = true)]
    async fn every_backend_failure_reads_the_same_to_the_client() {
        assert_eq!(price_line(&prices(), "WIDGET-1").await, "WIDGET-1 costs 4.20");
        assert_eq!(price_line(&prices(), "GADGET").await, "unknown SKU");
        assert_eq!(price_line(&Supplier, "BOLT").await, "BOLT costs 1.00");
        assert_eq!(price_line(&Supplier, "DOWN-1").await, "price list unavailable");
        // Paused time: the 2 s timeout passes at once, and exactly.
        let started = tokio::time::Instant::now();
        assert_eq!(price_line(&Supplier, "HALT-1").await, "price list unavailable");
        assert_eq!(started.elapsed(), QUOTE_TIMEOUT);
    }
    // ANCHOR_END: price_test

    async fn ask(addr: SocketAddr, bytes: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(bytes).await.unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        answer
    }

    #[tokio::test]
    async fn the_price_check_answers_once_and_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let prices: Arc<dyn PriceList> = Arc::new(prices());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let prices = prices.clone();
                tokio::spawn(
                    async move { serve_price_check(prices.as_ref(), stream).await },
                );
            }
        });
        assert_eq!(
            ask(addr, b"WIDGET-1\r\nignored\r\n").await,
            "WIDGET-1 costs 4.20\r\n"
        );
        assert_eq!(ask(addr, b"GADGET\n").await, "unknown SKU\r\n");
        assert_eq!(ask(addr, &[b'x'; 100]).await, "", "too long: dropped, no answer");
    }

    #[tokio::test]
    async fn a_quote_is_read_to_the_close_and_bounded() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for quote in [&b"Stock is a promise.\r\n"[..], &[b'x'; 600][..]] {
                let (mut stream, _) = listener.accept().await.unwrap();
                let _ = stream.write_all(quote).await;
            }
        });
        assert_eq!(quote_of_the_day(addr).await.unwrap(), "Stock is a promise.\r\n");
        let flood = quote_of_the_day(addr).await.unwrap_err();
        assert_eq!(flood.kind(), io::ErrorKind::InvalidData);
    }
}
