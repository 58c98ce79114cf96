//! Terminal output: colour only for a person at a terminal, the same marks everywhere.
//!
//! stdout and stderr are judged apart: `cargo xtask check > log` still colours the
//! warnings a person sees on stderr, and `2> err.txt` keeps the file plain.

use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use colored::Colorize;

/// Whether stderr gets colour; decided once by [`configure_colour`].
static STDERR_COLOUR: AtomicBool = AtomicBool::new(false);

/// Turns colour off on stdout when it is not a terminal, when `NO_COLOR` is set (any
/// value, see no-color.org), or when the output is JSON for a machine; colours stderr
/// only when stderr itself is a terminal and `NO_COLOR` is not set.
pub fn configure_colour(json: bool) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (stdout, stderr) = colour(no_color, json, std::io::stdout().is_terminal(), std::io::stderr().is_terminal());
    if !stdout {
        colored::control::set_override(false);
    }
    STDERR_COLOUR.store(stderr, Ordering::Relaxed);
}

/// (stdout, stderr) colour from the environment and where each stream goes.
fn colour(no_color: bool, json: bool, stdout_terminal: bool, stderr_terminal: bool) -> (bool, bool) {
    (!no_color && !json && stdout_terminal, !no_color && stderr_terminal)
}

/// Prints `error: message` on stderr.
pub fn error(message: impl fmt::Display) {
    eprintln!("{} {message}", label("error:", "1;31"));
}

/// Prints `warning: message` on stderr.
pub fn warning(message: impl fmt::Display) {
    eprintln!("{} {message}", label("warning:", "1;33"));
}

/// `text` in the ANSI style `sgr` when stderr takes colour.
fn label(text: &str, sgr: &str) -> String {
    if STDERR_COLOUR.load(Ordering::Relaxed) { format!("\x1b[{sgr}m{text}\x1b[0m") } else { text.to_owned() }
}

/// Clears the terminal so a fresh verdict stands alone (watch). Nothing when stdout
/// is not a terminal: a log or a pipe gets no control codes.
pub fn clear_screen() {
    if std::io::stdout().is_terminal() {
        print!("\x1b[2J\x1b[H");
    }
}

/// The one-character marks in front of a line, the same in every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// ✔ passes, done.
    Pass,
    /// ✘ fails.
    Fail,
    /// ! worth a look (passed before, fails now; a warning).
    Warn,
    /// · not run or not checked yet.
    Todo,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self {
            Mark::Pass => "✔".green(),
            Mark::Fail => "✘".red(),
            Mark::Warn => "!".yellow().bold(),
            Mark::Todo => "·".dimmed(),
        };
        write!(f, "{mark}")
    }
}

impl Mark {
    /// ✔ or ✘.
    pub fn of(ok: bool) -> Self {
        if ok { Mark::Pass } else { Mark::Fail }
    }
}

/// Whether a person is at the terminal (to ask before revealing a solution).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Indents every line of `text` by `by` spaces, for messages under a heading.
pub fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines().map(|line| format!("{pad}{line}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::colour;

    #[test]
    fn each_stream_follows_its_own_terminal() {
        // (no_color, json, stdout_terminal, stderr_terminal) → (stdout, stderr)
        assert_eq!(colour(false, false, true, false), (true, false));
        assert_eq!(colour(false, false, false, true), (false, true));
        assert_eq!(colour(false, true, true, true), (false, true), "JSON on stdout, a person on stderr");
        assert_eq!(colour(true, false, true, true), (false, false));
    }
}
