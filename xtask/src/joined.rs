//! The room this checkout has joined: `.untwisted/room.json` ({url, name, token},
//! written atomically by `join`, removed by `leave`), and the requests made to it.
//!
//! Every request has a short limit on connecting and on each read and write
//! ([`timeout`]): the room is a convenience for the instructor, and a room that is
//! down or slow must cost a learner a few seconds at most, and a `check` nothing
//! (checks post from a detached process, see [`crate::report`]).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::files;
use crate::http::{self, Request, Response, Url};
use crate::workspace::Workspace;

/// The room's file, under the runner's state folder.
const ROOM_FILE: &str = "room.json";
/// What the last verdict post did, for `join --status`.
const LAST_POST_FILE: &str = "room-post.json";
/// Overrides [`DEFAULT_TIMEOUT`], in whole seconds (the tests make it long, to
/// prove a check never waits for the room).
pub const TIMEOUT_ENV: &str = "UNTWISTED_ROOM_TIMEOUT";
/// The limit on connecting to the room, and on each read and write.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// The most an answer to an API request may hold (the room's JSON is small).
const MAX_ANSWER: u64 = 1 << 20;

/// The room as `join` stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    /// `http://HOST:PORT`, as given to `join` (normalised).
    pub url: String,
    /// The attendee's name on the instructor's page.
    pub name: String,
    /// The room's token, sent with every request.
    pub token: String,
}

impl Joined {
    /// The room this checkout has joined, if any (an unreadable file counts as none:
    /// a check must never fail because of the room).
    pub fn load(ws: &Workspace) -> Option<Joined> {
        let text = std::fs::read(path(ws)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Stores the room atomically (a temporary file, then a rename).
    pub fn save(&self, ws: &Workspace) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("the room serialises");
        files::write_atomically(&path(ws), &json)
    }

    /// Forgets the room; true when there was one.
    pub fn remove(ws: &Workspace) -> Result<bool> {
        let _ = std::fs::remove_file(ws.state_dir().join(LAST_POST_FILE));
        match std::fs::remove_file(path(ws)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::setup(format!("cannot remove {}: {e}", path(ws).display()))),
        }
    }

    /// The parsed address.
    pub fn url(&self) -> Result<Url> {
        Url::parse(&self.url).map_err(Error::usage)
    }

    /// POSTs `json` to `path` (`/api/join`, …) with the token.
    pub fn post(&self, path: &str, json: &serde_json::Value) -> io::Result<Response> {
        let body = serde_json::to_vec(json).expect("JSON serialises");
        self.send(&Request { method: "POST", path, token: &self.token, json: Some(&body), timeout: timeout() })
    }

    /// GETs `path` with the token.
    pub fn get(&self, path: &str) -> io::Result<Response> {
        self.send(&Request { method: "GET", path, token: &self.token, json: None, timeout: timeout() })
    }

    fn send(&self, request: &Request<'_>) -> io::Result<Response> {
        let url = Url::parse(&self.url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        http::send(&url, request, MAX_ANSWER)
    }
}

/// The limit on each step of a request to the room.
pub fn timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT)
}

fn path(ws: &Workspace) -> PathBuf {
    ws.state_dir().join(ROOM_FILE)
}

/// What happened to the last verdict posted in the background.
#[derive(Debug, Serialize, Deserialize)]
pub struct LastPost {
    /// When the post ended (Unix seconds, this machine's clock).
    pub at: u64,
    /// The exercise whose verdict it was.
    pub exercise: String,
    /// `answered 204`, `answered 401: wrong or missing token`, or why it failed.
    pub outcome: String,
}

impl LastPost {
    /// Records the outcome (best effort: the poster has no one to tell).
    pub fn save(&self, ws: &Workspace) {
        let json = serde_json::to_vec_pretty(self).expect("the record serialises");
        let _ = files::write_atomically(&ws.state_dir().join(LAST_POST_FILE), &json);
    }

    /// The last outcome recorded, if any.
    pub fn load(ws: &Workspace) -> Option<LastPost> {
        serde_json::from_slice(&std::fs::read(ws.state_dir().join(LAST_POST_FILE)).ok()?).ok()
    }
}

/// Checks a name the way the room will (1 to 40 characters after trimming, no
/// control characters), so `join` can say what is wrong before asking the room.
pub fn valid_name(name: &str) -> std::result::Result<String, String> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > 40 {
        return Err(format!("a name has 1 to 40 characters; `{name}` has {count}"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot hold control characters".into());
    }
    Ok(name.to_owned())
}

/// Checks a token: printable ASCII without spaces (it goes into a header line).
pub fn valid_token(token: &str) -> std::result::Result<(), String> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("the token is the string `cargo xtask room` printed (letters and digits, no spaces)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tokens_are_checked_before_they_reach_the_room() {
        assert_eq!(valid_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        assert_eq!(valid_name("Zoë 🦀").unwrap(), "Zoë 🦀");
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"x".repeat(41)).is_err());
        assert!(valid_name("a\u{7}b").is_err());
        assert!(valid_token("abcDEF123").is_ok());
        assert!(valid_token("abc\r\nX-Evil: 1").is_err());
        assert!(valid_token("").is_err());
    }
}
