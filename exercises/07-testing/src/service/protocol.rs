//! The line protocol on one connection, over any byte stream: a TCP socket or the
//! in-memory pipe of a [`Connection`](super::Connection).

use std::io::ErrorKind;
use std::sync::Arc;

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};

use super::shared::Shared;

/// The longest request line accepted, in bytes; a longer one closes the connection.
pub const MAX_LINE: usize = 256;

/// Answers request lines on `stream`, one reply line each, until the peer closes.
pub(crate) async fn serve<S>(stream: S, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (reader, mut writer) = tokio::io::split(stream);
    // LinesCodec accepts \n or \r\n from clients; replies always go out with the
    // service's own delimiter.
    let mut lines = FramedRead::new(reader, LinesCodec::new_with_max_length(MAX_LINE));
    while let Some(line) = lines.next().await {
        let (reply, go_on) = match line {
            Ok(line) => (shared.execute(&line), true),
            Err(LinesCodecError::MaxLineLengthExceeded) => {
                (format!("ERR line longer than {MAX_LINE} bytes"), false)
            }
            Err(LinesCodecError::Io(e)) if e.kind() == ErrorKind::InvalidData => {
                ("ERR lines must be UTF-8".to_owned(), false)
            }
            Err(LinesCodecError::Io(_)) => break,
        };
        let framed = format!("{reply}{}", shared.delimiter());
        if writer.write_all(framed.as_bytes()).await.is_err() || !go_on {
            break;
        }
    }
}
