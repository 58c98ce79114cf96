//! Given: the legacy inventory shell, as it ran on the old terminal server. It knows
//! nothing about SSH: it turns a command line into output and an exit status, and
//! typed bytes into lines. Your SSH server (server.rs) puts it on a session channel.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The longest line the shell keeps; longer lines are refused, never buffered.
pub const MAX_LINE: usize = 256;

/// What the shell says before its first prompt.
pub const GREETING: &str =
    "ERP inventory shell. Commands: list, stock SKU, move SKU QTY, quit";

/// The prompt, printed after the greeting and after every answer.
pub const PROMPT: &str = "inventory> ";

/// Exit status of a command that worked.
pub const EXIT_OK: u32 = 0;
/// Exit status of a command that was understood but failed (unknown SKU, stock below 0).
pub const EXIT_FAILED: u32 = 1;
/// Exit status of a command used wrongly (missing or bad argument, line too long).
pub const EXIT_USAGE: u32 = 2;
/// Exit status of a command the shell does not know (what a Unix shell answers).
pub const EXIT_UNKNOWN: u32 = 127;

/// The stock levels every session shares: SKU to quantity on hand.
#[derive(Clone, Default)]
pub struct Inventory(Arc<Mutex<BTreeMap<String, u64>>>);

impl Inventory {
    /// The warehouse the demo and the tests start from.
    pub fn sample() -> Inventory {
        let items = [("GADGET", 3), ("SPROCKET", 12), ("WIDGET-1", 40)];
        Inventory(Arc::new(Mutex::new(
            items.iter().map(|(sku, qty)| (sku.to_string(), *qty)).collect(),
        )))
    }

    /// Runs one command line; returns what it prints (each line ending in `\n`) and
    /// its exit status. `quit` is not a command here: the shell handles it.
    pub fn run(&self, line: &str) -> (String, u32) {
        let mut stock = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => (String::new(), EXIT_OK),
            ["list"] => {
                let lines = stock.iter().map(|(sku, qty)| format!("{sku} {qty}\n"));
                (lines.collect(), EXIT_OK)
            }
            ["stock", sku] => match stock.get(*sku) {
                Some(qty) => (format!("{sku} {qty}\n"), EXIT_OK),
                None => (format!("no such SKU: {sku}\n"), EXIT_FAILED),
            },
            ["move", sku, delta] => {
                let Ok(delta) = delta.parse::<i64>() else {
                    return (format!("not a quantity: {delta}\n"), EXIT_USAGE);
                };
                let Some(qty) = stock.get_mut(*sku) else {
                    return (format!("no such SKU: {sku}\n"), EXIT_FAILED);
                };
                match qty.checked_add_signed(delta) {
                    Some(new) => {
                        *qty = new;
                        (format!("{sku} {new}\n"), EXIT_OK)
                    }
                    None => (format!("{sku} has only {qty}\n"), EXIT_FAILED),
                }
            }
            ["list" | "stock" | "move", ..] => {
                (String::from("usage: list | stock SKU | move SKU QTY\n"), EXIT_USAGE)
            }
            [command, ..] => (format!("unknown command: {command}\n"), EXIT_UNKNOWN),
        }
    }
}

// ANCHOR: reply
/// What the shell wants sent back after some typed bytes.
#[derive(Debug, Default, PartialEq)]
pub struct Reply {
    /// Bytes for the client's screen: echo, answers, prompts.
    pub output: Vec<u8>,
    /// `Some(status)` when the session is over (`quit`, Ctrl-D): send the status,
    /// then end the channel.
    pub exit: Option<u32>,
}
// ANCHOR_END: reply

/// One interactive session of the shell: it gathers typed bytes into lines and
/// answers each line. Lines end in `\r` (a terminal's Enter), `\n` or `\r\n`.
pub struct Shell {
    inventory: Inventory,
    line: Vec<u8>,
    /// Echo typed bytes and end output lines in `\r\n`: the client asked for a
    /// terminal (a pty), so nothing else will show what the user types.
    terminal: bool,
    /// Skipping the rest of a line that was too long.
    discarding: bool,
    /// The last byte was `\r`, so a `\n` right after it ends no second line.
    after_cr: bool,
}

impl Shell {
    /// A new session on `inventory`.
    pub fn new(inventory: Inventory) -> Shell {
        Shell {
            inventory,
            line: Vec::new(),
            terminal: false,
            discarding: false,
            after_cr: false,
        }
    }

    /// The client asked for a terminal: echo what it types and end lines in `\r\n`.
    pub fn use_terminal(&mut self) {
        self.terminal = true;
    }

    /// The greeting and the first prompt: what a `shell` request is answered with.
    pub fn greeting(&self) -> Vec<u8> {
        self.text(&format!("{GREETING}\n{PROMPT}"))
    }

    /// Takes bytes the client typed; answers every complete line.
    pub fn feed(&mut self, data: &[u8]) -> Reply {
        let mut reply = Reply::default();
        for &byte in data {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    if self.terminal {
                        reply.output.extend_from_slice(b"\r\n");
                    }
                    if let Some(status) = self.end_line(&mut reply.output) {
                        reply.exit = Some(status);
                        return reply;
                    }
                }
                // Ctrl-D on an empty line: the user is done, as in any Unix shell.
                0x04 if self.line.is_empty() => {
                    reply.exit = Some(EXIT_OK);
                    return reply;
                }
                // Backspace and DEL, as terminals send them.
                0x08 | 0x7f => {
                    if self.line.pop().is_some() && self.terminal {
                        reply.output.extend_from_slice(b"\x08 \x08");
                    }
                }
                _ if self.discarding => {}
                _ if self.line.len() == MAX_LINE => {
                    self.discarding = true;
                    self.line.clear();
                }
                _ => {
                    self.line.push(byte);
                    if self.terminal {
                        reply.output.push(byte);
                    }
                }
            }
        }
        reply
    }

    /// The client sent EOF: a shell reading from a pipe is done when its input is.
    pub fn end_of_input(&mut self) -> Reply {
        Reply { output: Vec::new(), exit: Some(EXIT_OK) }
    }

    fn end_line(&mut self, output: &mut Vec<u8>) -> Option<u32> {
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        let answer = if std::mem::take(&mut self.discarding) {
            format!("line too long (max {MAX_LINE} bytes)\n")
        } else if matches!(line.trim(), "quit" | "exit") {
            output.extend(self.text("bye\n"));
            return Some(EXIT_OK);
        } else {
            self.inventory.run(&line).0
        };
        output.extend(self.text(&format!("{answer}{PROMPT}")));
        None
    }

    /// `text` with `\n` made `\r\n` on a terminal.
    fn text(&self, text: &str) -> Vec<u8> {
        if self.terminal {
            text.replace('\n', "\r\n").into_bytes()
        } else {
            text.as_bytes().to_vec()
        }
    }
}
