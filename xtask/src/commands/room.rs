//! `cargo xtask room [--listen ADDR] [--no-bundle] [--no-book]` (instructors): the
//! live view of every attendee's progress.
//!
//! Keeps the room's token, builds the book and the offline bundle, then runs the room
//! server (`cargo run -p untwisted-room`: built only here, the runner never depends
//! on it), relays what it prints, and prints the command attendees join with.

pub mod bundle;
pub mod token;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, UdpSocket};
use std::process::{ExitCode, Stdio};

use colored::Colorize;

use crate::cargo;
use crate::error::{Error, Result};
use crate::ui::{self, Mark};
use crate::workspace::Workspace;

/// What the server prints first, before `http://ADDR/?token=T`.
const LISTENING: &str = "room listening on ";

/// The room's options.
pub struct Options<'a> {
    /// Where to listen (the server's default: loopback, a free port).
    pub listen: Option<&'a str>,
    /// Do not make or serve the offline bundle.
    pub no_bundle: bool,
    /// Do not build or serve the book.
    pub no_book: bool,
}

/// Prepares, then runs the room until it stops (Ctrl-C).
pub fn run(ws: &Workspace, options: &Options<'_>) -> Result<ExitCode> {
    let dir = ws.path(bundle::DIR);
    let token = token::load_or_create(&dir.join("token"))?;

    let book = if options.no_book {
        None
    } else {
        // A book that cannot be built (no mdBook, no network to install it) is no
        // reason to keep the room closed.
        let built = match crate::commands::book::run(ws, false) {
            Ok(code) => code == ExitCode::SUCCESS,
            Err(error) => {
                ui::warning(&error);
                false
            }
        };
        let index = ws.path("book/book/index.html");
        match (built, index.is_file()) {
            (true, _) => Some(ws.path("book/book")),
            (false, true) => {
                ui::warning("the book built with problems (above); the room serves it anyway");
                Some(ws.path("book/book"))
            }
            (false, false) => {
                ui::warning("the book did not build (above); the room serves no book");
                None
            }
        }
    };

    let bundle = if options.no_bundle {
        None
    } else {
        println!("{}", "Making the offline bundle (every crate Cargo.lock names)".bold());
        let (path, cached) = bundle::ensure(&ws.root)?;
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        let how = if cached { "ready, Cargo.lock unchanged" } else { "made" };
        println!("  {} {} ({how}, {:.0} MB)", Mark::Pass, shown(ws, &path), size as f64 / 1e6);
        Some(path)
    };

    let exercises: Vec<&str> = ws.manifest.exercises.iter().map(|e| e.id.as_str()).collect();
    let mut command = cargo::cargo();
    command.current_dir(&ws.root).args(["run", "--quiet", "--package", "untwisted-room", "--"]);
    command.args(["--listen", options.listen.unwrap_or("127.0.0.1:0"), "--token", &token]);
    command.arg("--state").arg(dir.join("state.json"));
    command.args(["--exercises", &exercises.join(",")]);
    if let Some(book) = &book {
        command.arg("--book").arg(book);
    }
    if let Some(bundle) = &bundle {
        command.arg("--bundle").arg(bundle);
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped());

    println!("{}", "Starting the room (the first start builds it)".bold());
    // `cargo run` becomes the server (on Unix it execs it): the server ends with the runner.
    let mut running = cargo::spawn(&mut command)?;
    let stdout = running.child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    if let Some(Ok(first)) = lines.next() {
        println!("{first}");
        if let Some(page) = first.strip_prefix(LISTENING) {
            announce(page, &token, bundle.is_some());
        }
    }
    for line in lines.map_while(std::result::Result::ok) {
        println!("{line}");
    }
    let status = running.child.wait().map_err(cargo::could_not_run)?;
    if status.success() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Error::setup("the room stopped with an error (its message is above)"))
    }
}

/// Where the room listens, read from the page address it printed.
#[derive(Debug, PartialEq, Eq)]
struct Address {
    /// `http://HOST:PORT`, as the room listens.
    base: String,
    /// What attendees join: `base`, with this machine's LAN address for 0.0.0.0.
    join: String,
    /// Whether only this machine can reach it.
    loopback: bool,
}

impl Address {
    fn of(page: &str, lan: impl FnOnce() -> Option<IpAddr>) -> Address {
        let base = page.split("/?").next().unwrap_or(page).trim_end_matches('/').to_owned();
        let authority = base.trim_start_matches("http://");
        let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
        let ip: Option<IpAddr> = host.trim_start_matches('[').trim_end_matches(']').parse().ok();
        let mut join = base.clone();
        // 0.0.0.0 is where the room listens, not an address attendees can reach.
        if ip.is_some_and(|ip| ip.is_unspecified())
            && let Some(lan) = lan()
        {
            let lan = if lan.is_ipv6() { format!("[{lan}]") } else { lan.to_string() };
            join = base.replacen(host, &lan, 1);
        }
        let loopback = host == "localhost" || ip.is_some_and(|ip| ip.is_loopback());
        Address { base, join, loopback }
    }
}

/// Prints the page to open and the command attendees join with; warns loudly when the
/// room is open to the network.
fn announce(page: &str, token: &str, bundle: bool) {
    let Address { base, join: join_base, loopback } = Address::of(page, lan_address);
    println!("\n{} open {}", "Instructor:".bold(), page.cyan());
    println!(
        "{} cargo xtask join {join_base} --name YOUR-NAME --token {token}{}",
        "Attendees: ".bold(),
        if bundle { " [--bundle]" } else { "" }
    );
    if bundle {
        println!("  (--bundle: take every crate from the room, for laptops without the internet)");
        println!("{}", first_runner_build(&join_base, token));
    }
    if !loopback {
        ui::warning(format!(
            "{}: anyone on this network who has the token can see the room and post to it. \
             Share the token with the room only, and stop the room (Ctrl-C) after the workshop.",
            format!("THE ROOM IS OPEN TO THE NETWORK at {base}").bold()
        ));
    } else {
        println!("  (loopback only: attendees on other machines need `--listen 0.0.0.0:PORT`)");
    }
}

/// The recipe for a laptop without a single crate: the runner itself cannot build
/// yet, so the bundle is fetched by hand and handed to that one cargo command.
fn first_runner_build(base: &str, token: &str) -> String {
    format!(
        "  A laptop that has never built the runner starts with (in the checkout):\n    \
         curl -fo bundle.tar '{base}/bundle.tar?token={token}' && mkdir -p .untwisted && \
         tar -xf bundle.tar -C .untwisted && rm bundle.tar\n    \
         cargo --config 'source.crates-io.replace-with=\"untwisted-room-bundle\"' \
         --config 'source.untwisted-room-bundle.directory=\".untwisted/vendor\"' \
         xtask join {base} --name YOUR-NAME --token {token} --bundle"
    )
}

/// This machine's address on the LAN: the one a UDP socket "connected" towards a
/// documentation address picks (no packet is sent).
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    Some(socket.local_addr().ok()?.ip()).filter(|ip| !ip.is_unspecified())
}

fn shown(ws: &Workspace, path: &std::path::Path) -> String {
    path.strip_prefix(&ws.root).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_join_address_is_reachable_and_an_open_room_is_noticed() {
        let lan = || Some(IpAddr::from([192, 168, 1, 20]));
        let local = Address::of("http://127.0.0.1:4000/?token=T", lan);
        assert_eq!((local.join.as_str(), local.loopback), ("http://127.0.0.1:4000", true));
        let open = Address::of("http://0.0.0.0:4000/?token=T", lan);
        assert_eq!((open.base.as_str(), open.join.as_str()), ("http://0.0.0.0:4000", "http://192.168.1.20:4000"));
        assert!(!open.loopback);
        assert!(Address::of("http://[::1]:4000/?token=T", lan).loopback);
        assert!(!Address::of("http://10.0.0.5:4000/?token=T", lan).loopback);
    }
}
