//! Protocol transcripts as the snapshots store them: one line per message, tagged
//! with who spoke and in which direction, with ephemeral ports normalised.

use std::fmt;
use std::sync::{Arc, Mutex};

/// A shared, ordered record of a conversation.
///
/// Cloning gives another handle to the same record, so several clients in one test
/// write one interleaved transcript.
#[derive(Clone, Default)]
pub struct Transcript {
    lines: Arc<Mutex<Vec<String>>>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `peer` sent `text` to the server: `alice > text`.
    pub fn sent(&self, peer: &str, text: &str) {
        self.push(format!("{peer} > {}", escape(text)));
    }

    /// Records that `peer` received `text` from the server: `alice < text`.
    pub fn received(&self, peer: &str, text: &str) {
        self.push(format!("{peer} < {}", escape(text)));
    }

    /// Records an event that is not a message, such as a closed connection:
    /// `alice -- connection closed by server`.
    pub fn event(&self, peer: &str, what: &str) {
        self.push(format!("{peer} -- {what}"));
    }

    fn push(&self, line: String) {
        self.lines.lock().expect("transcript lock").push(normalize(&line));
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.lines.lock().expect("transcript lock");
        for line in lines.iter() {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Shows control characters (a stray `\r`, a bare `\n`) so a snapshot diff makes
/// them visible instead of hiding them in whitespace.
fn escape(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect::<String>().replace("\\\"", "\"").replace("\\'", "'")
}

/// Replaces the ephemeral port in `127.0.0.1:54321` or `[::1]:54321` with `PORT`, so
/// a transcript is the same on every run.
pub fn normalize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) =
        ["127.0.0.1:", "[::1]:", "localhost:"].iter().filter_map(|host| rest.find(host).map(|i| (i, host.len()))).min()
    {
        let (start, host_len) = at;
        let after_host = start + host_len;
        let digits = rest[after_host..].chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..after_host]);
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &rest[after_host + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_normalised() {
        assert_eq!(
            normalize("listening on 127.0.0.1:53211 and [::1]:9, not 127.0.0.1:x"),
            "listening on 127.0.0.1:PORT and [::1]:PORT, not 127.0.0.1:x"
        );
    }

    #[test]
    fn lines_are_tagged_and_control_characters_shown() {
        let transcript = Transcript::new();
        transcript.sent("alice", "WIDGET 5");
        transcript.received("alice", "oops\n");
        transcript.event("alice", "connection closed by server");
        assert_eq!(transcript.to_string(), "alice > WIDGET 5\nalice < oops\\n\nalice -- connection closed by server\n");
    }
}
