//! The untwisted workshop runner: `cargo xtask <command>`.
//!
//! Learners use `check`, `hint`, `watch`, `reset` and `solution`; instructors use
//! `demo`, `verify`, `seal`, `bench` and `room`; attendees of a room, `join` and `leave`. Exit codes: 0 pass, 1 fail, 2 usage or setup error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use xtask::error::Error;
use xtask::workspace::Workspace;
use xtask::{commands, process, ui};

/// The untwisted workshop runner.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List every exercise with your progress.
    List,
    /// Check an exercise (default: the one you are on) and show the verdict.
    Check {
        /// Exercise id (`05-lines`), number (`5`) or topic (`lines`).
        exercise: Option<String>,
        /// Check every exercise.
        #[arg(long, conflicts_with = "exercise")]
        all: bool,
        /// Print the verdict as JSON, for tools.
        #[arg(long)]
        json: bool,
    },
    /// Re-check an exercise every time you save a file.
    Watch {
        /// Exercise id (default: the one you are on).
        exercise: Option<String>,
    },
    /// Show the next hint for an exercise.
    Hint {
        /// Exercise id.
        exercise: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Put an exercise back as it was (your version is backed up first).
    Reset {
        /// Exercise id.
        exercise: String,
        /// Restore the teacher's files (tests, snapshots, Cargo.toml, given modules) instead of your code.
        #[arg(long)]
        tests: bool,
    },
    /// Show how the solution differs from your code.
    Solution {
        /// Exercise id.
        exercise: String,
        /// Do not ask before revealing the solution of an unfinished exercise.
        #[arg(long, short)]
        yes: bool,
    },
    /// Run an exercise's solution as a live server (instructors).
    Demo {
        /// Exercise id.
        exercise: String,
        /// Address to listen on (default: loopback, a free port).
        #[arg(long)]
        listen: Option<String>,
        /// Run a scripted client beside the server and print the transcript.
        #[arg(long)]
        script: bool,
    },
    /// Prove every solution passes and every stub fails, then run the runner's own tests.
    Verify {
        /// Only the exercises, not the tests of the whole (the runner's own tests use this).
        #[arg(long, hide = true)]
        exercises_only: bool,
    },
    /// Pre-fetch and pre-build everything, so the workshop works offline afterwards.
    Setup,
    /// Record the hashes of every exercise's teacher's files: tests, snapshots, Cargo.toml, given modules.
    Seal,
    /// Build the workshop book (or serve it on localhost).
    Book {
        /// Serve it on http://127.0.0.1:3000 and rebuild on every save.
        #[arg(long)]
        serve: bool,
    },
    /// Measure the runner, the event loops, and Part II's servers beside Twisted's.
    Bench {
        #[command(subcommand)]
        which: commands::bench::Which,
    },
    /// Run the room: a live page of every attendee's progress, and the offline bundle (instructors).
    Room {
        /// Address to listen on (default: loopback, a free port; 0.0.0.0:PORT opens it to the LAN).
        #[arg(long)]
        listen: Option<String>,
        /// Do not make or serve the offline bundle of crates.
        #[arg(long)]
        no_bundle: bool,
        /// Do not build or serve the book.
        #[arg(long)]
        no_book: bool,
    },
    /// Join the instructor's room: your checks show on its page (scores only, never your code).
    Join {
        /// The room's address, as `cargo xtask room` printed it: http://HOST:PORT.
        #[arg(required_unless_present = "status")]
        url: Option<String>,
        /// Your name on the instructor's page.
        #[arg(long, required_unless_present = "status")]
        name: Option<String>,
        /// The room's token, as `cargo xtask room` printed it.
        #[arg(long, required_unless_present = "status")]
        token: Option<String>,
        /// Also take every crate from the room, for setup without the internet.
        #[arg(long)]
        bundle: bool,
        /// Show the room you joined, the last check sent, and whether it answers.
        #[arg(long, conflicts_with_all = ["url", "name", "token", "bundle"])]
        status: bool,
    },
    /// Leave the room, and give cargo back its registry after `join --bundle`.
    Leave,
    /// Post a verdict's summary to the room (the detached process a check starts).
    #[command(name = "post-verdict", hide = true)]
    PostVerdict,
}

fn main() -> ExitCode {
    restore_sigpipe();
    process::kill_children_on_signals();
    // Only `check` takes --json; seen before parsing, so that even a usage error
    // answers a tool in JSON.
    let json = std::env::args_os().skip(1).any(|arg| arg == "--json");
    ui::configure_colour(json);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print and succeed; a usage error under --json is JSON.
        Err(error) if json && error.use_stderr() => {
            let text = error.to_string();
            return fail(json, Error::usage(text.trim_end().strip_prefix("error: ").unwrap_or(text.trim_end())));
        }
        Err(error) => error.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => fail(json, error),
    }
}

/// Reports an error: on stderr for a person, and as one JSON object on stdout under
/// `--json`.
fn fail(json: bool, error: Error) -> ExitCode {
    if json {
        println!("{}", error.to_json());
    }
    ui::error(&error);
    error.exit_code()
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let ws = Workspace::discover()?;
    match cli.command {
        None => commands::status::run(&ws),
        Some(Command::List) => commands::list::run(&ws),
        Some(Command::Check { exercise, all, json }) => commands::check::run(&ws, exercise.as_deref(), all, json),
        Some(Command::Watch { exercise }) => commands::watch::run(&ws, exercise.as_deref()),
        Some(Command::Hint { exercise, all }) => commands::hint::run(&ws, &exercise, all),
        Some(Command::Reset { exercise, tests }) => commands::reset::run(&ws, &exercise, tests),
        Some(Command::Solution { exercise, yes }) => commands::solution::run(&ws, &exercise, yes),
        Some(Command::Demo { exercise, listen, script }) => {
            commands::demo::run(&ws, &exercise, listen.as_deref(), script)
        }
        Some(Command::Verify { exercises_only }) => commands::verify::run(&ws, exercises_only),
        Some(Command::Setup) => commands::setup::run(&ws),
        Some(Command::Seal) => commands::seal::run(&ws),
        Some(Command::Book { serve }) => commands::book::run(&ws, serve),
        Some(Command::Bench { which }) => commands::bench::run(&ws, which),
        Some(Command::Room { listen, no_bundle, no_book }) => {
            commands::room::run(&ws, &commands::room::Options { listen: listen.as_deref(), no_bundle, no_book })
        }
        Some(Command::Join { status: true, .. }) => commands::join::run_status(&ws),
        Some(Command::Join { url, name, token, bundle, .. }) => {
            let (url, name, token) = (url.unwrap_or_default(), name.unwrap_or_default(), token.unwrap_or_default());
            commands::join::run(&ws, &url, &name, &token, bundle)
        }
        Some(Command::Leave) => commands::leave::run(&ws),
        Some(Command::PostVerdict) => {
            xtask::report::post_from_stdin(&ws);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cargo xtask list | head` should end quietly, as Unix tools do, not panic with
/// "failed printing to stdout": Rust ignores SIGPIPE by default, so restore it.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: resetting a signal to its default disposition, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
