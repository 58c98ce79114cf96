//! The room's command line (the contract with `cargo xtask room`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::verdict::is_exercise_id;

/// The shortest and longest token the room accepts.
pub const TOKEN_CHARS: std::ops::RangeInclusive<usize> = 16..=128;

/// `untwisted-room`: the instructor's live view of the workshop room.
#[derive(Debug, Clone, Parser)]
#[command(name = "untwisted-room", version, about)]
pub struct Args {
    /// Where to listen. Anything but loopback opens the room to the LAN.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The secret every request must carry (16 to 128 characters).
    #[arg(long, value_name = "T", value_parser = parse_token)]
    pub token: String,
    /// The room's state file (JSON), loaded at start and rewritten atomically.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The exercise ids in workshop order: the page's columns.
    #[arg(long, value_name = "A,B,C", value_delimiter = ',', required = true, value_parser = parse_exercise)]
    pub exercises: Vec<String>,
    /// A built book, served under /book/.
    #[arg(long, value_name = "DIR")]
    pub book: Option<PathBuf>,
    /// The offline bundle (a .tar), served at /bundle.tar.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Minutes on one failing step before an attendee is marked stuck.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
    pub stuck_minutes: u64,
}

fn parse_token(token: &str) -> Result<String, String> {
    let chars = token.chars().count();
    if !TOKEN_CHARS.contains(&chars) {
        return Err(format!(
            "the token must be {} to {} characters, not {chars}",
            TOKEN_CHARS.start(),
            TOKEN_CHARS.end()
        ));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the token may not contain spaces or control characters".into());
    }
    Ok(token.to_owned())
}

fn parse_exercise(id: &str) -> Result<String, String> {
    let id = id.trim();
    if is_exercise_id(id) { Ok(id.to_owned()) } else { Err(format!("{id:?} is not an exercise id like 05-lines")) }
}

impl Args {
    /// Whether the room is reachable only from this machine.
    pub fn is_loopback(&self) -> bool {
        self.listen.ip().is_loopback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("untwisted-room").chain(line.split_whitespace()))
    }

    #[test]
    fn a_token_needs_16_to_128_characters_and_exercises_are_ids() {
        let ok = parse("--token 0123456789abcdef --exercises 00-welcome,05-lines").unwrap();
        assert_eq!(ok.exercises, ["00-welcome", "05-lines"]);
        assert_eq!(ok.stuck_minutes, 10);
        assert!(ok.is_loopback());
        assert!(parse("--token short --exercises 00-welcome").is_err());
        assert!(parse(&format!("--token {} --exercises 00-welcome", "x".repeat(129))).is_err());
        assert!(parse("--exercises 00-welcome").is_err());
        assert!(parse("--token 0123456789abcdef --exercises ../etc").is_err());
        assert!(!parse("--token 0123456789abcdef --exercises 00-a --listen 0.0.0.0:0").unwrap().is_loopback());
    }
}
