//! Worked examples for the lines chapter (book/src/lines/index.md).
//!
//! The exercise writes a `\r\n` line codec and an inventory feed. Here: the other
//! common framing, a length prefix, as a tokio codec with its own bound; and a small
//! line service of a different kind, a "shout" room, on tokio-util's stock
//! `LinesCodec`, driven by `Framed`.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_util::codec::{Decoder, Encoder, Framed, LinesCodec, LinesCodecError};

/// The length prefix: a big-endian `u16` before every payload.
const HEADER: usize = 2;

/// The longest payload [`LengthPrefixed::new`] accepts, in bytes.
pub const MAX_FRAME: usize = 4096;

/// Why [`LengthPrefixed`] could not produce or write a frame.
#[derive(Debug)]
pub enum FrameError {
    /// The header announced (or the caller offered) more than `max_frame` bytes.
    TooLong { length: usize, max_frame: usize },
    /// The socket failed: `Framed` reports I/O errors through the codec's error type.
    Io(io::Error),
}

impl From<io::Error> for FrameError {
    fn from(error: io::Error) -> Self {
        FrameError::Io(error)
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLong { length, max_frame } => {
                write!(f, "frame of {length} bytes (max {max_frame})")
            }
            FrameError::Io(error) => write!(f, "{error}"),
        }
    }
}

// ANCHOR: prefix_codec
/// Frames as a 2-byte big-endian length, then that many bytes of payload (Twisted's
/// `Int16StringReceiver`), at most `max_frame` of them.
#[derive(Debug, Clone)]
pub struct LengthPrefixed {
    max_frame: usize,
}

impl LengthPrefixed {
    /// A codec for payloads of up to [`MAX_FRAME`] bytes.
    pub fn new() -> Self {
        Self { max_frame: MAX_FRAME }
    }
}

impl Default for LengthPrefixed {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for LengthPrefixed {
    type Item = Bytes;
    type Error = FrameError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, FrameError> {
        // 1. Not even a header yet: ask for more. Leave `buf` alone; `Framed`
        //    appends the next read to it and calls again.
        let Some(header) = buf.get(..HEADER) else { return Ok(None) };
        let length = usize::from(u16::from_be_bytes([header[0], header[1]]));
        // 2. The bound, as soon as it can be known: refuse before buffering a frame
        //    that will be refused anyway.
        if length > self.max_frame {
            return Err(FrameError::TooLong { length, max_frame: self.max_frame });
        }
        // 3. Header here, payload not all here: ask for more (and say how much).
        if buf.len() < HEADER + length {
            buf.reserve(HEADER + length - buf.len());
            return Ok(None);
        }
        // 4. A whole frame: take it out of `buf`, so the next call starts after it.
        buf.advance(HEADER); // drop the header (`Buf::advance`)
        let payload = buf.split_to(length); // the payload; `buf` keeps the rest
        Ok(Some(payload.freeze())) // `Bytes`: cheap to clone, immutable
    }
}

impl Encoder<&[u8]> for LengthPrefixed {
    type Error = FrameError;

    fn encode(&mut self, payload: &[u8], buf: &mut BytesMut) -> Result<(), FrameError> {
        let length = payload.len();
        if length > self.max_frame {
            return Err(FrameError::TooLong { length, max_frame: self.max_frame });
        }
        buf.reserve(HEADER + length);
        buf.put_u16(length as u16); // fits: max_frame <= MAX_FRAME < 65536
        buf.put_slice(payload);
        Ok(())
    }
}
// ANCHOR_END: prefix_codec

/// The longest line the shout room accepts, in bytes.
pub const MAX_SHOUT: usize = 80;

// ANCHOR: shout_room
/// A line service: every line comes back in capitals, with the shout heard before it,
/// from any connection. The last shout is what the connections share.
#[derive(Debug, Clone, Default)]
pub struct ShoutRoom {
    last: Arc<Mutex<Option<String>>>,
}

impl ShoutRoom {
    /// One line in, one answer out. A plain function, not `async`: the lock is taken
    /// and released inside it, so it can never be held across an `.await`.
    pub fn answer(&self, line: &str) -> String {
        let shout = line.trim().to_uppercase();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let before = last.replace(shout.clone()); // swap in ours, take the old one
        match before {
            Some(before) => format!("{shout}! (before you: {before})"),
            None => format!("{shout}! (you are the first)"),
        }
    }
}
// ANCHOR_END: shout_room

impl ShoutRoom {
    // ANCHOR: shout_serve
    /// Runs one connection: one answer per line, until the client leaves.
    pub async fn serve(&self, stream: TcpStream) {
        // `Framed` = the socket + a codec: a `Stream` of decoded lines (`next`, from
        // `StreamExt`) and a `Sink` of lines to encode and write (`send`, `SinkExt`).
        let mut lines = Framed::new(stream, LinesCodec::new_with_max_length(MAX_SHOUT));
        while let Some(line) = lines.next().await {
            let answer = match line {
                Ok(line) => self.answer(&line),
                // After a decode error `Framed` ends the stream: say why, and go.
                Err(LinesCodecError::MaxLineLengthExceeded) => {
                    let _ = lines.send("TOO LONG! BYE!").await;
                    return;
                }
                Err(LinesCodecError::Io(_)) => return, // broken, or not UTF-8
            };
            // `send` encodes, writes and flushes; an error means the peer is gone.
            if lines.send(answer).await.is_err() {
                return;
            }
        }
    } // `lines` is dropped here, and with it the socket: the connection closes.
    // ANCHOR_END: shout_serve
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    // ANCHOR: prefix_test
    #[test]
    fn frames_come_out_whole_however_the_bytes_arrive() {
        let mut codec = LengthPrefixed::new();
        let mut buf = BytesMut::new();
        codec.encode(&b"hello"[..], &mut buf).unwrap();
        codec.encode(&b"world!"[..], &mut buf).unwrap();
        assert_eq!(&buf[..], b"\x00\x05hello\x00\x06world!");

        // Fed one byte at a time, as the slowest network would.
        let wire = buf.split();
        let mut frames = Vec::new();
        for byte in wire.iter() {
            buf.put_u8(*byte);
            while let Some(frame) = codec.decode(&mut buf).unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(frames, [&b"hello"[..], b"world!"]);
        assert!(buf.is_empty(), "every byte consumed");
    }
    // ANCHOR_END: prefix_test

    #[test]
    fn a_header_over_the_bound_is_refused_before_its_payload_arrives() {
        let mut codec = LengthPrefixed::new();
        let mut buf = BytesMut::from(&[0xff, 0xff][..]); // announces 65535 bytes
        match codec.decode(&mut buf) {
            Err(FrameError::TooLong { length: 65535, max_frame: MAX_FRAME }) => {}
            other => panic!("expected TooLong, got {other:?}"),
        }
        let big = vec![0; MAX_FRAME + 1];
        assert!(codec.encode(&big[..], &mut BytesMut::new()).is_err());
    }

    #[test]
    fn the_room_remembers_the_last_shout_across_clones() {
        let room = ShoutRoom::default();
        let other_connection = room.clone();
        assert_eq!(room.answer("hello"), "HELLO! (you are the first)");
        assert_eq!(other_connection.answer("hi there"), "HI THERE! (before you: HELLO)");
    }

    async fn start() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let room = ShoutRoom::default();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let room = room.clone(); // a new handle to the same last shout
                tokio::spawn(async move { room.serve(stream).await });
            }
        });
        addr
    }

    // ANCHOR: shout_test
    #[tokio::test]
    async fn the_shout_room_over_tcp_and_linescodecs_bare_newline() {
        let addr = start().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello\r\nhi th").await.unwrap(); // one and a half lines
        client.write_all(b"ere\r\n").await.unwrap();
        client.write_all(&[b'x'; MAX_SHOUT + 1]).await.unwrap();
        let mut heard = String::new();
        client.read_to_string(&mut heard).await.unwrap(); // until the server closes
        assert_eq!(
            heard,
            "HELLO! (you are the first)\n\
             HI THERE! (before you: HELLO)\n\
             TOO LONG! BYE!\n",
            "LinesCodec reads \\r\\n but writes a bare \\n"
        );
    }
    // ANCHOR_END: shout_test
}
