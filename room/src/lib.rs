//! untwisted's room: the instructor's live view of every attendee's progress, fed
//! by the verdicts `cargo xtask check` posts, and the book and offline bundle
//! served on the workshop's LAN. ROOM-CONTRACT.md (in the issue) is the contract
//! with the runner's side (`cargo xtask room`, `join`, `leave`).
//!
//! - [`args`]: the command line.
//! - [`token`]: the one secret, checked in constant time.
//! - [`verdict`]: what attendees may post, validated.
//! - [`limit`]: per-name rate limit.
//! - [`state`]: the room, and the view the page draws.
//! - [`persist`]: the state file, written atomically.
//! - [`routes`], [`reply`], [`files`], [`page`]: answering requests.
//! - [`push`]: the live page's WebSocket, coalesced.
//! - [`server`]: the port, with its limits and timeouts.

pub mod app;
pub mod args;
pub mod files;
pub mod limit;
pub mod page;
pub mod persist;
pub mod push;
pub mod reply;
pub mod routes;
pub mod server;
pub mod state;
pub mod token;
pub mod verdict;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use app::{App, Limits};
pub use args::Args;
pub use server::Server;

use persist::Loaded;
use state::Room;
use token::Token;

/// How often, at most, the state file is rewritten.
pub const SAVE_EVERY: Duration = Duration::from_secs(1);

/// A room ready to serve: bound, its state loaded, with what it has to say.
pub struct Started {
    /// The bound server; `run` it.
    pub server: Server,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The shared state (tests read it).
    pub app: App,
    /// Warnings for the operator (open to the LAN, a state file moved aside).
    pub warnings: Vec<String>,
}

/// The runtime the room runs on: two worker threads (a room is a few hundred
/// attendees; more threads would only contend with their builds).
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
}

/// Loads the state, binds, and starts the pusher and the saver.
pub async fn start(args: &Args) -> io::Result<Started> {
    start_with(args, Limits::default()).await
}

/// [`start`], with other bounds and timeouts than the defaults.
pub async fn start_with(args: &Args, limits: Limits) -> io::Result<Started> {
    let mut warnings = Vec::new();
    let mut room = Room::new(args.exercises.clone(), args.stuck_minutes);
    if let Some(path) = &args.state {
        match persist::load(path, app::unix_now())? {
            Loaded::Missing => {}
            Loaded::Attendees(attendees) => room.restore(attendees),
            Loaded::MovedAside(aside, why) => warnings.push(format!(
                "warning: the state file {} was not a room ({why}); moved aside to {}, starting empty",
                path.display(),
                aside.display()
            )),
        }
    }
    if !args.is_loopback() {
        warnings.push(format!(
            "warning: listening on {}: the room is open to the LAN (anyone with the token can see it)",
            args.listen
        ));
    }
    let app = App::new(Token::new(args.token.clone()), room, limits, args.book.clone(), args.bundle.clone());
    let server = Server::bind(args.listen, app.clone()).await?;
    let addr = server.local_addr()?;
    tokio::spawn(push::publish_changes(app.clone()));
    if let Some(path) = &args.state {
        tokio::spawn(save_changes(app.clone(), path.clone()));
    }
    Ok(Started { server, addr, app, warnings })
}

/// Writes the state file after changes, at most once per [`SAVE_EVERY`].
async fn save_changes(app: App, path: PathBuf) {
    let mut changes = app.changes();
    while changes.changed().await.is_ok() {
        save_now(&app, &path).await;
        tokio::time::sleep(SAVE_EVERY).await;
    }
}

/// Writes the state file now (off the runtime's threads: it syncs to disk).
pub async fn save_now(app: &App, path: &std::path::Path) {
    let attendees: Vec<state::Attendee> = app.room().attendees().cloned().collect();
    let path = path.to_path_buf();
    let saved = tokio::task::spawn_blocking(move || persist::save(&path, attendees.iter())).await;
    if let Ok(Err(e)) = saved {
        eprintln!("room: cannot write the state file: {e}");
    }
}
