//! `cargo xtask join URL --name NAME --token T [--bundle]` and `join --status`
//! (attendees): tell the instructor's room who you are, so every check shows on its
//! page (a summary only: the exercise, steps passed, the failing step's name and
//! kind; never your code).
//!
//! `--bundle` also takes every crate from the room (setup without the internet): it
//! downloads `/bundle.tar`, unpacks it under `.untwisted/vendor`, and points cargo at
//! it (see [`crate::vendor_source`]); `cargo xtask setup` then needs no registry.

use std::fs::File;
use std::io::BufWriter;
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use colored::Colorize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::http::{self, Request, Url};
use crate::joined::{self, Joined, LastPost};
use crate::ui::Mark;
use crate::vendor_source::{self, VENDOR_DIR};
use crate::workspace::Workspace;

/// The largest bundle `join --bundle` accepts: the workshop's crates are a few
/// hundred MB; a room announcing more is wrong, and would fill the disk.
const MAX_BUNDLE: u64 = 4 << 30;
/// The least limit on each read of the bundle (a room serving thirty laptops at
/// once is slow, not down).
const BUNDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Joins the room at `url` as `name`, and takes its bundle with `bundle`.
pub fn run(ws: &Workspace, url: &str, name: &str, token: &str, bundle: bool) -> Result<ExitCode> {
    let parsed = Url::parse(url).map_err(Error::usage)?;
    let name = joined::valid_name(name).map_err(Error::usage)?;
    joined::valid_token(token).map_err(Error::usage)?;
    let room = Joined { url: parsed.to_string(), name, token: token.to_owned() };
    room.save(ws)?;

    match room.post("/api/join", &json!({ "name": room.name })) {
        Ok(answer) if answer.status == 204 => {
            println!("{} joined the room at {} as {}", Mark::Pass, room.url.cyan(), room.name.bold());
            println!(
                "  Every check now shows on the instructor's page: the score and the failing step, never your code."
            );
        }
        Ok(answer) if matches!(answer.status, 401 | 422) => {
            Joined::remove(ws)?;
            let why = if answer.status == 401 { "refused the token" } else { "refused the name" };
            return Err(Error::usage(format!(
                "the room at {} {why} ({}: {}); check the command the instructor gave",
                room.url,
                answer.status,
                answer.text()
            )));
        }
        Ok(answer) => println!(
            "{} the room at {} answered {} ({}); your checks will be sent anyway",
            Mark::Warn,
            room.url,
            answer.status,
            answer.text()
        ),
        Err(e) => println!(
            "{} the room at {} does not answer ({e}); you are joined, and your checks are sent when it is up",
            Mark::Warn,
            room.url
        ),
    }
    if bundle {
        take_bundle(ws, &room, &parsed)?;
        println!(
            "{} cargo now takes every crate from the room's bundle ({VENDOR_DIR}).\n  Next: {}  (it needs no internet now)",
            Mark::Pass,
            "cargo xtask setup".cyan()
        );
        // mdBook is installed from crates.io, and is not one of the workspace's crates.
        println!(
            "  Setup cannot build the book offline (mdBook is not in the bundle): read it from the room,\n  \
             {}/book/index.html?token={}",
            room.url, room.token
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Downloads the bundle, unpacks it, and adds the source replacement.
fn take_bundle(ws: &Workspace, room: &Joined, url: &Url) -> Result<()> {
    let state = ws.state_dir();
    let download = state.join("bundle.tar.download");
    let fail = |what: &str, e: &dyn std::fmt::Display| Error::setup(format!("{what}: {e}"));
    println!("Downloading the room's bundle (every crate the workshop uses)…");
    let file = File::create(&download).map_err(|e| fail(&format!("cannot write {}", download.display()), &e))?;
    let request = Request {
        method: "GET",
        path: "/bundle.tar",
        token: &room.token,
        json: None,
        timeout: joined::timeout().max(BUNDLE_TIMEOUT),
    };
    let status = http::exchange(url, &request, &mut BufWriter::new(file), MAX_BUNDLE)
        .map_err(|e| fail(&format!("could not download {}/bundle.tar", room.url), &e))?;
    if status != 200 {
        let _ = std::fs::remove_file(&download);
        let why = if status == 404 { " (the room was started with --no-bundle)" } else { "" };
        return Err(Error::setup(format!("the room answered {status} for its bundle{why}")));
    }

    // Unpacked beside the old one, then swapped in: a failed unpack leaves the old.
    let unpacked = state.join("vendor.unpacking");
    let _ = std::fs::remove_dir_all(&unpacked);
    std::fs::create_dir_all(&unpacked).map_err(|e| fail("cannot create a folder to unpack into", &e))?;
    // GNU and BSD tar both refuse members with `..` or a leading `/`: a hostile tar
    // stays inside `unpacked`.
    let mut tar = Command::new("tar");
    tar.arg("-xf").arg(&download).arg("-C").arg(&unpacked);
    let status = crate::process::status(&mut tar).map_err(|e| fail("could not run tar", &e))?;
    let _ = std::fs::remove_file(&download);
    if !status.success() || !unpacked.join("vendor").is_dir() {
        let _ = std::fs::remove_dir_all(&unpacked);
        return Err(Error::setup("the room's bundle is not a tar of vendor/: ask the instructor"));
    }
    let vendor = ws.path(VENDOR_DIR);
    let _ = std::fs::remove_dir_all(&vendor);
    std::fs::rename(unpacked.join("vendor"), &vendor).map_err(|e| fail("cannot move the bundle in place", &e))?;
    let _ = std::fs::remove_dir_all(&unpacked);
    vendor_source::add(&ws.root)
}

/// `join --status`: the room, the last verdict sent, and whether the room answers now.
pub fn run_status(ws: &Workspace) -> Result<ExitCode> {
    let bundle = vendor_source::present(&ws.root);
    let Some(room) = Joined::load(ws) else {
        println!("{} not in a room. Join with: cargo xtask join URL --name YOUR-NAME --token T", Mark::Todo);
        if bundle {
            println!("  cargo still takes crates from the bundle in {VENDOR_DIR}: `cargo xtask leave` undoes that");
        }
        return Ok(ExitCode::SUCCESS);
    };
    println!("{} joined the room at {} as {}", Mark::Pass, room.url.cyan(), room.name.bold());
    if bundle {
        println!("  cargo takes every crate from the room's bundle ({VENDOR_DIR})");
    }
    match LastPost::load(ws) {
        Some(last) => {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            println!("  last check sent: {} ({} s ago): {}", last.exercise, now.saturating_sub(last.at), last.outcome);
        }
        None => println!("  no check sent yet"),
    }
    match room.get("/api/room") {
        Ok(answer) if answer.status == 200 => println!("  {} the room answers", Mark::Pass),
        Ok(answer) => println!("  {} the room answers {}: {}", Mark::Warn, answer.status, answer.text()),
        Err(e) => println!("  {} the room does not answer: {e}", Mark::Warn),
    }
    Ok(ExitCode::SUCCESS)
}
