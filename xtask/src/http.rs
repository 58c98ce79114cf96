//! A minimal HTTP/1.1 client over `std::net::TcpStream`, for talking to the room.
//!
//! The room is a server on the workshop's LAN (or loopback), speaking plain HTTP: the
//! runner needs one request at a time, with a token, a small JSON body, and one
//! download (the offline bundle). A client crate would bring TLS, HTTP/2 and a
//! runtime into every learner's first build; this is a hundred lines with timeouts on
//! every step (connect, each write, each read), so a room that is down, slow or wrong
//! costs a bounded wait, never a hang.
//!
//! `http://` only: `https://` is refused with a message saying so (the room serves
//! loopback or a LAN it is told about, and its token is the lock on the door).

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The most a response's head (status line and headers) may hold.
const MAX_HEAD: usize = 16 * 1024;

/// Where a request goes: `http://HOST:PORT/PATH?QUERY`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The host, as written (a name, an IPv4 address, or an IPv6 one in brackets).
    pub host: String,
    /// The port (80 when the URL names none).
    pub port: u16,
}

impl Url {
    /// Parses the room's address: `http://HOST[:PORT][/...]`. Any path or query
    /// (the room prints `/?token=…`) is dropped: the runner names its own paths.
    pub fn parse(text: &str) -> Result<Url, String> {
        let text = text.trim();
        if text.starts_with("https://") {
            return Err(format!(
                "{text}: the room speaks plain http:// (no TLS); use the http:// address `cargo xtask room` printed"
            ));
        }
        let rest = text
            .strip_prefix("http://")
            .ok_or_else(|| format!("{text}: not an http:// address (expected http://HOST:PORT)"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = match authority.rsplit_once(':') {
            // `[::1]` alone has a colon inside the brackets, not before a port.
            Some((host, port)) if !port.contains(']') => {
                (host, port.parse::<u16>().map_err(|_| format!("{text}: `{port}` is not a port"))?)
            }
            _ => (authority, 80),
        };
        if host.is_empty() || host.contains(['@', ' ']) {
            return Err(format!("{text}: no host in this address"));
        }
        Ok(Url { host: host.to_owned(), port })
    }

    /// The host without IPv6 brackets, for resolving.
    fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}:{}", self.host, self.port)
    }
}

/// One request: method, path, bearer token, and an optional JSON body.
pub struct Request<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// From the root: `/api/join`.
    pub path: &'a str,
    /// Sent as `Authorization: Bearer TOKEN`.
    pub token: &'a str,
    /// A JSON body, for a POST.
    pub json: Option<&'a [u8]>,
    /// The limit on connecting, and on each read and write.
    pub timeout: Duration,
}

/// A response, its body read up to the caller's limit.
#[derive(Debug)]
pub struct Response {
    /// The status code: 204, 401, …
    pub status: u16,
    /// The body, decoded from chunks if it came in chunks.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text, for an error message (at most a line or two of it).
    pub fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.trim().chars().take(200).collect()
    }
}

/// Sends `request` and reads the whole response, whose body may hold at most
/// `max_body` bytes.
pub fn send(url: &Url, request: &Request<'_>, max_body: u64) -> io::Result<Response> {
    let mut body = Vec::new();
    let status = exchange(url, request, &mut body, max_body)?;
    Ok(Response { status, body })
}

/// Sends `request` and streams the response's body into `sink` (a file, for the
/// bundle), refusing one longer than `max_body`; returns the status.
pub fn exchange(url: &Url, request: &Request<'_>, sink: &mut dyn Write, max_body: u64) -> io::Result<u16> {
    // A read or write that ran out of time says EAGAIN on Unix: say what happened.
    exchange_once(url, request, sink, max_body).map_err(|e| match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            io::Error::new(io::ErrorKind::TimedOut, format!("no answer within {} s", request.timeout.as_secs_f32()))
        }
        _ => e,
    })
}

fn exchange_once(url: &Url, request: &Request<'_>, sink: &mut dyn Write, max_body: u64) -> io::Result<u16> {
    let stream = connect(url, request.timeout)?;
    stream.set_read_timeout(Some(request.timeout))?;
    stream.set_write_timeout(Some(request.timeout))?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}:{}\r\nAuthorization: Bearer {}\r\nUser-Agent: untwisted-xtask\r\nConnection: close\r\n",
        request.method, request.path, url.host, url.port, request.token
    );
    match request.json {
        Some(json) => {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", json.len()))
        }
        None => head.push_str("\r\n"),
    }
    let mut writer = &stream;
    writer.write_all(head.as_bytes())?;
    if let Some(json) = request.json {
        writer.write_all(json)?;
    }
    writer.flush()?;

    let mut reader = BufReader::new(&stream);
    let (status, framing) = read_head(&mut reader)?;
    let no_body = request.method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status);
    if !no_body {
        copy_body(&mut reader, framing, sink, max_body)?;
    }
    Ok(status)
}

/// Connects to the first of the host's addresses that answers within `timeout`.
fn connect(url: &Url, timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{} resolves to no address", url.host));
    for addr in (url.bare_host(), url.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// How the body's end is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

/// Reads the status line and headers; returns the status and the body's framing.
fn read_head(reader: &mut impl BufRead) -> io::Result<(u16, Framing)> {
    let mut read = 0;
    let mut line = String::new();
    let mut next_line = |line: &mut String| -> io::Result<()> {
        line.clear();
        let n = reader.take((MAX_HEAD - read) as u64 + 1).read_line(line)?;
        read += n;
        if n == 0 {
            return Err(invalid("the room closed the connection before answering"));
        }
        if read > MAX_HEAD {
            return Err(invalid("the room's answer has an oversized head"));
        }
        Ok(())
    };
    next_line(&mut line)?;
    let status = line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid(format!("not an HTTP answer: {:?}", line.trim_end())))?;
    let mut framing = Framing::UntilClose;
    loop {
        next_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            return Ok((status, framing));
        }
        let Some((name, value)) = header.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let length = value.parse().map_err(|_| invalid(format!("a bad Content-Length: {value}")))?;
            if framing != Framing::Chunked {
                framing = Framing::Length(length);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") && value.to_ascii_lowercase().contains("chunked") {
            framing = Framing::Chunked;
        }
    }
}

/// Copies the body into `sink`, at most `max` bytes of it.
fn copy_body(reader: &mut impl BufRead, framing: Framing, sink: &mut dyn Write, max: u64) -> io::Result<()> {
    let too_big = || invalid(format!("the room's answer is larger than the {max} bytes allowed"));
    match framing {
        Framing::Length(length) if length > max => Err(too_big()),
        Framing::Length(length) => {
            let copied = io::copy(&mut reader.take(length), sink)?;
            if copied < length {
                return Err(invalid(format!("the answer ended after {copied} of {length} bytes")));
            }
            Ok(())
        }
        Framing::UntilClose => {
            let copied = io::copy(&mut reader.take(max + 1), sink)?;
            if copied > max { Err(too_big()) } else { Ok(()) }
        }
        Framing::Chunked => {
            let mut total = 0u64;
            let mut line = String::new();
            loop {
                line.clear();
                reader.take(1024).read_line(&mut line)?;
                let size = line.trim_end().split(';').next().unwrap_or_default();
                let size = u64::from_str_radix(size.trim(), 16)
                    .map_err(|_| invalid(format!("a bad chunk size: {:?}", line.trim_end())))?;
                if size == 0 {
                    return Ok(()); // trailers, if any, are not needed: the connection closes
                }
                total = total.checked_add(size).filter(|t| *t <= max).ok_or_else(too_big)?;
                if io::copy(&mut reader.take(size), sink)? < size {
                    return Err(invalid("the answer ended inside a chunk"));
                }
                line.clear();
                reader.take(2).read_line(&mut line)?; // the CRLF after the chunk
            }
        }
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_addresses_parse_and_https_is_refused_with_a_reason() {
        let url = Url::parse("http://192.168.1.20:7878/?token=abc").unwrap();
        assert_eq!(url, Url { host: "192.168.1.20".into(), port: 7878 });
        assert_eq!(url.to_string(), "http://192.168.1.20:7878");
        assert_eq!(Url::parse("http://[::1]:9").unwrap().bare_host(), "::1");
        assert_eq!(Url::parse("http://room.local").unwrap().port, 80);
        assert!(Url::parse("https://room:1").unwrap_err().contains("plain http://"));
        assert!(Url::parse("room:1").is_err());
        assert!(Url::parse("http://:80").is_err());
        assert!(Url::parse("http://h:99999").is_err());
    }

    #[test]
    fn bodies_come_by_length_in_chunks_or_until_close_and_are_bounded() {
        let body = |head: &str, rest: &str, max: u64| {
            let text = format!("{head}\r\n\r\n{rest}");
            let mut reader = BufReader::new(text.as_bytes());
            let (status, framing) = read_head(&mut reader)?;
            let mut out = Vec::new();
            copy_body(&mut reader, framing, &mut out, max)?;
            Ok::<_, io::Error>((status, String::from_utf8(out).unwrap()))
        };
        assert_eq!(body("HTTP/1.1 401 Unauthorized\r\nContent-Length: 5", "wrong", 10).unwrap(), (401, "wrong".into()));
        let chunked = body("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 10);
        assert_eq!(chunked.unwrap(), (200, "abcde".into()));
        assert_eq!(body("HTTP/1.0 200 OK", "all of it", 10).unwrap().1, "all of it");
        assert!(body("HTTP/1.1 200 OK\r\nContent-Length: 11", "12345678901", 10).is_err());
        assert!(body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", "b\r\n12345678901\r\n0\r\n\r\n", 10).is_err());
        assert!(body("HTTP/1.1 200 OK", "12345678901", 10).is_err());
        assert!(body("HTTP/1.1 200 OK\r\nContent-Length: 9", "short", 10).is_err());
        assert!(body("SSH-2.0-OpenSSH", "", 10).is_err());
    }
}
