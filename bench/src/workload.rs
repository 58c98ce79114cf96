//! What one client does per request, for each protocol the benchmarks load: echo
//! round trips, keep-alive HTTP/1.1 GETs, one finger lookup per connection, a TLS
//! handshake per connection, a batch of feed lines over one TLS connection, and DNS
//! queries over UDP. Each is a closed loop: one request in flight per client.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sol09_tls::rustls::ClientConfig;
use sol09_tls::rustls::pki_types::ServerName;
use sol09_tls::tokio_rustls::TlsConnector;
use sol09_tls::tokio_rustls::client::TlsStream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// A DNS query with no answer within this long counts as lost (one error).
const DNS_TIMEOUT: Duration = Duration::from_secs(1);
/// Largest HTTP response head or finger answer the clients accept.
const MAX_RESPONSE: usize = 1 << 20;

/// The request each client repeats.
#[derive(Clone)]
pub enum Workload {
    /// `payload` bytes sent and echoed back, on one connection.
    Echo { payload: usize },
    /// This HTTP/1.1 request, answered 200 with a Content-Length body, on one
    /// keep-alive connection.
    Http { request: Arc<[u8]> },
    /// A new connection per lookup: the query line, then the answer until the server
    /// closes; the answer must start with `expect`.
    Finger { query: Arc<[u8]>, expect: Arc<[u8]> },
    /// A new connection and a full TLS handshake per request (to `localhost`),
    /// then `line`, then one answer line.
    Tls { config: Arc<ClientConfig>, line: Arc<[u8]> },
    /// One TLS connection per client (one handshake, to `localhost`); each request
    /// sends `batch` (`lines` feed lines) and reads `lines` answer lines, writing and
    /// reading at once, as a scanner streaming moves would.
    TlsBulk { config: Arc<ClientConfig>, batch: Arc<[u8]>, lines: usize },
    /// This DNS query (its first two bytes, the id, rewritten each time) over UDP.
    Dns { query: Arc<[u8]> },
}

/// One client's connection or socket.
pub enum Session {
    /// A connection and its request and reply buffers.
    Echo { stream: TcpStream, request: Vec<u8>, reply: Vec<u8> },
    /// A keep-alive connection, the request, and a buffer for the answers.
    Http { stream: TcpStream, request: Arc<[u8]>, buffer: Vec<u8> },
    /// Where to connect for each lookup.
    Finger { addr: SocketAddr, query: Arc<[u8]>, expect: Arc<[u8]>, answer: Vec<u8> },
    /// Where to connect and shake hands for each request.
    Tls { addr: SocketAddr, connector: TlsConnector, line: Arc<[u8]>, answer: Vec<u8> },
    /// An established TLS connection, the batch and how many answers it brings.
    TlsBulk { stream: Box<TlsStream<TcpStream>>, batch: Arc<[u8]>, lines: usize },
    /// A connected UDP socket, the query, and the id of the last one sent.
    Dns { socket: UdpSocket, query: Vec<u8>, reply: Vec<u8>, id: u16 },
}

impl Session {
    /// Connects (or binds) one client of `workload` to the server at `addr`.
    pub async fn open(addr: SocketAddr, workload: &Workload) -> io::Result<Self> {
        let connect = || async {
            let stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            io::Result::Ok(stream)
        };
        Ok(match workload {
            Workload::Echo { payload } => {
                Session::Echo { stream: connect().await?, request: vec![b'x'; *payload], reply: vec![0; *payload] }
            }
            Workload::Http { request } => {
                Session::Http { stream: connect().await?, request: Arc::clone(request), buffer: Vec::new() }
            }
            Workload::Finger { query, expect } => {
                Session::Finger { addr, query: Arc::clone(query), expect: Arc::clone(expect), answer: Vec::new() }
            }
            Workload::Tls { config, line } => Session::Tls {
                addr,
                connector: TlsConnector::from(Arc::clone(config)),
                line: Arc::clone(line),
                answer: Vec::new(),
            },
            Workload::TlsBulk { config, batch, lines } => {
                let name = ServerName::try_from("localhost").expect("a valid name");
                let connector = TlsConnector::from(Arc::clone(config));
                let stream = Box::new(connector.connect(name, connect().await?).await?);
                Session::TlsBulk { stream, batch: Arc::clone(batch), lines: *lines }
            }
            Workload::Dns { query } => {
                let socket = UdpSocket::bind((addr.ip(), 0)).await?;
                socket.connect(addr).await?;
                Session::Dns { socket, query: query.to_vec(), reply: vec![0; 4096], id: 0 }
            }
        })
    }

    /// One request and its whole answer. `Ok(false)`: the request was lost (a DNS
    /// timeout) and the client goes on; `Err`: the client is broken and stops.
    pub async fn round_trip(&mut self) -> io::Result<bool> {
        match self {
            Session::Echo { stream, request, reply } => {
                stream.write_all(request).await?;
                stream.read_exact(reply).await?;
            }
            Session::Http { stream, request, buffer } => {
                stream.write_all(request).await?;
                read_http_response(stream, buffer).await?;
            }
            Session::Finger { addr, query, expect, answer } => {
                let mut stream = TcpStream::connect(*addr).await?;
                stream.write_all(query).await?;
                answer.clear();
                (&mut stream).take(MAX_RESPONSE as u64).read_to_end(answer).await?;
                if !answer.starts_with(expect) {
                    return Err(unexpected("a finger answer", answer));
                }
            }
            Session::Tls { addr, connector, line, answer } => {
                let stream = TcpStream::connect(*addr).await?;
                stream.set_nodelay(true)?;
                let name = ServerName::try_from("localhost").expect("a valid name");
                let mut tls = connector.connect(name, stream).await?;
                tls.write_all(line).await?;
                answer.clear();
                while !answer.ends_with(b"\n") {
                    let mut chunk = [0u8; 256];
                    let n = tls.read(&mut chunk).await?;
                    if n == 0 || answer.len() > MAX_RESPONSE {
                        return Err(unexpected("an answer line", answer));
                    }
                    answer.extend_from_slice(&chunk[..n]);
                }
                if answer.starts_with(b"ERR") {
                    return Err(unexpected("a total", answer));
                }
            }
            Session::TlsBulk { stream, batch, lines } => {
                // Write and read at once: the server answers while the batch is still
                // arriving, and a client that only wrote would fill both buffers.
                let (mut reader, mut writer) = tokio::io::split(&mut **stream);
                let send = writer.write_all(batch);
                let receive = async {
                    let (mut seen, mut chunk) = (0, vec![0u8; 64 * 1024]);
                    while seen < *lines {
                        let n = reader.read(&mut chunk).await?;
                        if n == 0 {
                            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
                        }
                        if chunk[..n].starts_with(b"ERR") {
                            return Err(unexpected("totals", &chunk[..n]));
                        }
                        seen += chunk[..n].iter().filter(|&&b| b == b'\n').count();
                    }
                    Ok(())
                };
                tokio::try_join!(send, receive)?;
            }
            Session::Dns { socket, query, reply, id } => {
                *id = id.wrapping_add(1);
                query[..2].copy_from_slice(&id.to_be_bytes());
                socket.send(query).await?;
                // Stale replies (to a query that timed out) are skipped by their id.
                let answer = async {
                    loop {
                        let len = socket.recv(reply).await?;
                        if len >= 12 && reply[..2] == id.to_be_bytes() {
                            return io::Result::Ok(len);
                        }
                    }
                };
                let len = match tokio::time::timeout(DNS_TIMEOUT, answer).await {
                    Ok(len) => len?,
                    Err(_) => return Ok(false),
                };
                // QR set, RCODE 0 (NOERROR), one answer or more.
                let (flags, answers) = (&reply[2..4], u16::from_be_bytes([reply[6], reply[7]]));
                if flags[0] & 0x80 == 0 || flags[1] & 0x0f != 0 || answers == 0 {
                    return Err(unexpected("a DNS answer", &reply[..len]));
                }
            }
        }
        Ok(true)
    }
}

/// Reads one `200` response (head, then a Content-Length body) from `stream`.
async fn read_http_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<()> {
    buffer.clear();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_RESPONSE {
            return Err(unexpected("an HTTP head", buffer));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    if !head.starts_with("HTTP/1.1 200 ") {
        return Err(unexpected("HTTP/1.1 200", head.as_bytes()));
    }
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        })
        .ok_or_else(|| unexpected("a Content-Length", head.as_bytes()))?;
    let mut have = buffer.len() - head_end;
    while have < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
    }
    Ok(())
}

fn unexpected(wanted: &str, got: &[u8]) -> io::Error {
    let got = String::from_utf8_lossy(&got[..got.len().min(80)]).into_owned();
    io::Error::new(io::ErrorKind::InvalidData, format!("expected {wanted}, got {got:?}"))
}
