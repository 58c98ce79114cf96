//! `cargo xtask book [--serve]`: write every chapter's exercise box from the manifest,
//! then build the book with the pinned mdBook (or serve it on 127.0.0.1).
//!
//! The build must be clean: a warning from mdBook (a broken include, bad HTML in a
//! chapter) fails the command, so it is fixed before the room sees it.

pub mod exercise_box;
pub mod mdbook;

use std::process::ExitCode;

use colored::Colorize;

use crate::error::{self, Error, Result};
use crate::ui::Mark;
use crate::workspace::Workspace;

/// Writes the boxes, then builds (or serves) the book.
pub fn run(ws: &Workspace, serve: bool) -> Result<ExitCode> {
    println!("{}", "Writing the exercise boxes from the manifest".bold());
    write_boxes(ws)?;

    let mdbook = mdbook::ensure(&ws.root).map_err(Error::setup)?;
    println!("{} mdBook {}", "Building the book with".bold(), mdbook::VERSION);
    let clean = build(ws, &mdbook)?;

    if serve {
        // Serve even after a warning: the author fixes it with the page open.
        println!(
            "\n{} on {} (rebuilds on every save; Ctrl-C to stop)",
            "Serving the book".bold(),
            "http://127.0.0.1:3000".cyan()
        );
        let ok = mdbook::serve(&ws.root, &mdbook).map_err(Error::setup)?;
        return Ok(error::exit(ok));
    }
    if clean {
        println!(
            "\n{} Open {} in a browser, or run `cargo xtask book --serve`.",
            "Built.".green().bold(),
            ws.path("book/book/index.html").display()
        );
    }
    Ok(error::exit(clean))
}

/// For `cargo xtask setup`: installs the pinned mdBook and builds the book once, so
/// the book is there to read offline. A failure here is a warning, not the end of
/// setup: the exercises work without the book.
pub fn prepare(ws: &Workspace) {
    println!("{}", "Installing the book's mdBook and building the book".bold());
    let outcome = mdbook::ensure(&ws.root).map_err(Error::setup).and_then(|mdbook| build(ws, &mdbook));
    match outcome {
        Ok(true) => println!("  {} the book: {}", Mark::Pass, ws.path("book/book/index.html").display()),
        Ok(false) => println!("  {} the book built with problems (above); the exercises are not affected", Mark::Warn),
        Err(error) => println!(
            "  {} the book is not ready: {error}\n    the exercises work without it; try again with `cargo xtask book`",
            Mark::Warn
        ),
    }
}

/// Rewrites the boxes that differ from the manifest, naming each one.
fn write_boxes(ws: &Workspace) -> Result<()> {
    let written = exercise_box::write(&ws.root, &ws.manifest)
        .map_err(|e| Error::setup(format!("cannot write an exercise box: {e}")))?;
    if written.is_empty() {
        println!("  {} every box matches exercises/exercises.toml", Mark::Pass);
    }
    for path in written {
        let shown = path.strip_prefix(&ws.root).unwrap_or(&path);
        println!("  {} wrote {}", Mark::Pass, shown.display());
    }
    Ok(())
}

/// Runs one build and reports it; true when it succeeded without a warning.
fn build(ws: &Workspace, mdbook: &std::path::Path) -> Result<bool> {
    let build = mdbook::build(&ws.root, mdbook).map_err(Error::setup)?;
    if build.success && build.problems.is_empty() {
        println!("  {} no warnings", Mark::Pass);
        return Ok(true);
    }
    // The whole log: an error's "Caused by" lines say which file and why.
    println!("{}", crate::ui::indent(&build.log.join("\n"), 4));
    let what = if build.success { "mdBook warned" } else { "mdBook failed" };
    println!("  {} {what}: the book must build without warnings", Mark::Fail);
    Ok(false)
}
