//! Pointing cargo at the room's offline bundle: a marked block in the checkout's
//! `.cargo/config.toml` that replaces crates.io with `.untwisted/vendor` (cargo's
//! "source replacement" with a directory source).
//!
//! Why that file: cargo reads source replacement only from its config files (cargo
//! 1.95 has no stable `include` to pull in an untracked one), and of those:
//! - `$CARGO_HOME/config.toml` would send *every* project of the user to a folder
//!   holding only the workshop's crates;
//! - a `.cargo/config.toml` in the folder above the checkout would reach its sibling
//!   projects too, and lives outside the checkout;
//! - `cargo --config …` on the command line would reach only the cargo the runner
//!   starts, not the learner's own `cargo test`, nor `cargo xtask` rebuilding itself.
//!
//! The checkout's own file reaches exactly this workspace, for every cargo command
//! run in it. The consequences, said in the README too: while joined with a bundle,
//! `git status` shows `.cargo/config.toml` modified (do not commit it); a dependency
//! the bundle lacks (`cargo add`, a changed version) cannot be fetched until
//! `cargo xtask leave`. Leave removes exactly the block, so the file is back byte for
//! byte, whatever else the learner changed in it meanwhile; a file `join` created is
//! removed again.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::files;

/// Where the block goes, from the workspace root.
pub const CONFIG: &str = ".cargo/config.toml";
/// Where the bundle is unpacked, from the workspace root (cargo reads a relative
/// `directory` from the folder above `.cargo/`, so this works wherever the checkout is).
pub const VENDOR_DIR: &str = ".untwisted/vendor";

const BEGIN: &str = "# >>> untwisted room bundle: `cargo xtask leave` removes this block >>>";
const END: &str = "# <<< untwisted room bundle <<<";
/// Inside the block when `join` created the file, so `leave` removes the file too.
const CREATED: &str = "# (cargo xtask join --bundle created this file)";

/// The block, opening with a newline of its own: appended to a file with or
/// without a final newline, it comes off again leaving the bytes as they were.
fn block(created: bool) -> String {
    let created = if created { format!("{CREATED}\n") } else { String::new() };
    format!(
        "\n{BEGIN}\n{created}# Crates come from the room's bundle, not the network (cargo xtask join --bundle).\n\
         [source.crates-io]\nreplace-with = \"untwisted-room-bundle\"\n\n\
         [source.untwisted-room-bundle]\ndirectory = \"{VENDOR_DIR}\"\n{END}\n"
    )
}

fn config(root: &Path) -> PathBuf {
    root.join(CONFIG)
}

/// Adds the block (replacing an earlier one). Refuses when the file already replaces
/// crates.io itself: two `[source.crates-io]` tables would break every cargo command.
pub fn add(root: &Path) -> Result<()> {
    let path = config(root);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::setup(format!("cannot read {}: {e}", path.display()))),
    };
    // `created`: this file did not exist before the first `join --bundle`.
    let (without, created) = match &existing {
        Some(text) => strip(text).unwrap_or_else(|| (text.clone(), false)),
        None => (String::new(), true),
    };
    if without.contains("[source.crates-io]") {
        return Err(Error::setup(format!(
            "{} already replaces crates.io ([source.crates-io]); remove that table to use the room's bundle",
            path.display()
        )));
    }
    files::write_atomically(&path, format!("{without}{}", block(created)).as_bytes())
}

/// Removes the block, leaving the rest of the file byte for byte (and the file
/// itself, when `join` created it and nothing else is in it); true when there was one.
pub fn remove(root: &Path) -> Result<bool> {
    let path = config(root);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(false) };
    let Some((rest, created)) = strip(&text) else { return Ok(false) };
    if created && rest.is_empty() {
        std::fs::remove_file(&path).map_err(|e| Error::setup(format!("cannot remove {}: {e}", path.display())))?;
        // And `.cargo/` if join made that too (only an empty folder is removed).
        let _ = std::fs::remove_dir(root.join(".cargo"));
    } else {
        files::write_atomically(&path, rest.as_bytes())?;
    }
    Ok(true)
}

/// Whether the block is in place.
pub fn present(root: &Path) -> bool {
    std::fs::read_to_string(config(root)).is_ok_and(|text| strip(&text).is_some())
}

/// The text without the block, and whether the block said it created the file.
fn strip(text: &str) -> Option<(String, bool)> {
    let start = text.find(&format!("\n{BEGIN}\n"))?;
    let end_at = start + text[start..].find(&format!("{END}\n"))? + END.len() + 1;
    let created = text[start..end_at].contains(CREATED);
    Some((format!("{}{}", &text[..start], &text[end_at..]), created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_puts_the_config_back_byte_for_byte() {
        for original in ["[alias]\nxtask = \"run\"\n", "[alias]\nxtask = \"run\"", "", "\r\n# crlf\r\n"] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir(dir.path().join(".cargo")).unwrap();
            std::fs::write(config(dir.path()), original).unwrap();
            add(dir.path()).unwrap();
            add(dir.path()).unwrap(); // twice: still one block
            let joined = std::fs::read_to_string(config(dir.path())).unwrap();
            assert_eq!(joined.matches("[source.crates-io]").count(), 1, "{joined}");
            assert!(present(dir.path()));
            assert!(remove(dir.path()).unwrap());
            assert_eq!(std::fs::read_to_string(config(dir.path())).unwrap(), original);
            assert!(!remove(dir.path()).unwrap());
        }
    }

    #[test]
    fn a_config_join_created_goes_away_and_a_foreign_replacement_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        add(dir.path()).unwrap();
        add(dir.path()).unwrap();
        assert!(remove(dir.path()).unwrap());
        assert!(!config(dir.path()).exists());
        std::fs::create_dir(dir.path().join(".cargo")).unwrap();
        std::fs::write(config(dir.path()), "[source.crates-io]\nreplace-with = \"mirror\"\n").unwrap();
        assert!(add(dir.path()).is_err());
    }
}
