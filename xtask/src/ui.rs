//! Terminal output: colour only for a person at a terminal.

use std::io::IsTerminal;

/// Turns colour off when stdout is not a terminal, when `NO_COLOR` is set (any
/// value, see no-color.org), or when the output is JSON for a machine.
pub fn configure_colour(json: bool) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if json || no_color || !std::io::stdout().is_terminal() {
        colored::control::set_override(false);
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
