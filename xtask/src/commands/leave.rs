//! `cargo xtask leave`: tell the room you left, forget it, and give cargo back its
//! registry (the bundle's block leaves `.cargo/config.toml` as it was).

use std::process::ExitCode;

use serde_json::json;

use crate::error::Result;
use crate::joined::Joined;
use crate::ui::Mark;
use crate::vendor_source::{self, VENDOR_DIR};
use crate::workspace::Workspace;

/// Leaves the room (a room that does not answer is no reason to stay).
pub fn run(ws: &Workspace) -> Result<ExitCode> {
    match Joined::load(ws) {
        Some(room) => {
            match room.post("/api/leave", &json!({ "name": room.name })) {
                Ok(answer) if answer.status == 204 => println!("{} left the room at {}", Mark::Pass, room.url),
                Ok(answer) => println!(
                    "{} the room at {} answered {} ({}); forgotten anyway",
                    Mark::Warn,
                    room.url,
                    answer.status,
                    answer.text()
                ),
                Err(e) => println!("{} the room at {} does not answer ({e}); forgotten anyway", Mark::Warn, room.url),
            }
            Joined::remove(ws)?;
        }
        None => println!("{} not in a room", Mark::Todo),
    }
    if vendor_source::remove(&ws.root)? {
        println!(
            "{} cargo takes crates from the registry again ({} is as it was); the bundle stays in {VENDOR_DIR}, \
             delete it when you like",
            Mark::Pass,
            vendor_source::CONFIG
        );
    }
    Ok(ExitCode::SUCCESS)
}
