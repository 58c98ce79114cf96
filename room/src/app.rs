//! What every connection shares: the token, the room, the rate limiter, the
//! served files, and the signal that the room changed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{Semaphore, watch};

use crate::limit::RateLimiter;
use crate::state::Room;
use crate::token::Token;

/// At most this many live pages (WebSocket viewers) at once.
pub const MAX_VIEWERS: usize = 64;

/// How much a room lets clients hold and how long it waits for them (the
/// defaults are the constants; tests shrink them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections at once ([`crate::server::MAX_CONNECTIONS`]).
    pub max_connections: usize,
    /// Live pages at once ([`MAX_VIEWERS`]).
    pub max_viewers: usize,
    /// For a request's head, and a kept-alive connection's idling
    /// ([`crate::server::HEADER_READ_TIMEOUT`]).
    pub header_read_timeout: Duration,
    /// For a body once its head is in ([`crate::routes::BODY_READ_TIMEOUT`]).
    pub body_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: crate::server::MAX_CONNECTIONS,
            max_viewers: MAX_VIEWERS,
            header_read_timeout: crate::server::HEADER_READ_TIMEOUT,
            body_read_timeout: crate::routes::BODY_READ_TIMEOUT,
        }
    }
}

/// The server's shared state; cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Inner>);

/// The parts of [`App`].
pub struct Inner {
    /// The room's secret.
    pub token: Token,
    /// Who is here and where.
    room: Mutex<Room>,
    /// Requests per name.
    limiter: Mutex<RateLimiter>,
    /// Bumped on every change; the pusher and the saver watch it.
    changed: watch::Sender<u64>,
    /// The latest room object as JSON, for the live pages.
    frames: watch::Sender<Arc<str>>,
    /// One permit per live page.
    pub viewers: Arc<Semaphore>,
    /// Its bounds and timeouts.
    pub limits: Limits,
    /// A built book, served under /book/.
    pub book: Option<PathBuf>,
    /// The offline bundle, served at /bundle.tar.
    pub bundle: Option<PathBuf>,
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    /// The shared state of a room.
    pub fn new(token: Token, room: Room, limits: Limits, book: Option<PathBuf>, bundle: Option<PathBuf>) -> Self {
        let first = view_json(&room);
        App(Arc::new(Inner {
            token,
            room: Mutex::new(room),
            limiter: Mutex::new(RateLimiter::default()),
            changed: watch::Sender::new(0),
            frames: watch::Sender::new(first),
            viewers: Arc::new(Semaphore::new(limits.max_viewers)),
            limits,
            book,
            bundle,
        }))
    }

    /// The room, locked (briefly: never across an await).
    pub fn room(&self) -> MutexGuard<'_, Room> {
        // A panic while holding the lock cannot leave the room half-changed in a
        // way worse than refusing every request after: carry on with it.
        self.room.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `name` may make one more request now.
    pub fn allow(&self, name: &str) -> bool {
        self.limiter.lock().unwrap_or_else(|e| e.into_inner()).allow(name, std::time::Instant::now())
    }

    /// Says the room changed: the pages and the state file follow.
    pub fn touch(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Watches for changes.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The room object as JSON, now.
    pub fn view_json(&self) -> Arc<str> {
        view_json(&self.room())
    }

    /// Publishes a frame to every live page.
    pub fn publish(&self, frame: Arc<str>) {
        self.frames.send_replace(frame);
    }

    /// Watches the frames the live pages get (the newest only: a slow page skips).
    pub fn frames(&self) -> watch::Receiver<Arc<str>> {
        self.frames.subscribe()
    }
}

fn view_json(room: &Room) -> Arc<str> {
    // A view is strings, numbers and maps with string keys: it always serializes.
    serde_json::to_string(&room.view(unix_now())).unwrap_or_else(|_| "{}".into()).into()
}

/// Seconds since 1970 on the server's clock (the only clock the room trusts).
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
