//! The exercise box: the `exercise.md` beside each chapter, written from the manifest.
//!
//! A chapter says `{{#include exercise.md}}` under `## Exercise`; this module writes
//! that file, so the check command, the steps and the hint command in the book are
//! always the ones the runner uses. The files are committed, and the book's tests
//! call [`stale`] to prove they match the manifest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::{Exercise, Manifest};

/// The box's file name, beside the chapter's `index.md`.
pub const FILE_NAME: &str = "exercise.md";

/// Every box the manifest asks for: its path under `root`, and what it must say.
///
/// Exercises that share a chapter share its box, one after the other in manifest order.
pub fn expected(root: &Path, manifest: &Manifest) -> BTreeMap<PathBuf, String> {
    let mut boxes: BTreeMap<PathBuf, String> = BTreeMap::new();
    for exercise in &manifest.exercises {
        let path = root.join(&exercise.chapter).with_file_name(FILE_NAME);
        match boxes.get_mut(&path) {
            Some(text) => {
                text.push('\n');
                text.push_str(&render_one(exercise));
            }
            None => {
                boxes.insert(path, format!("{HEADER}\n{}", render_one(exercise)));
            }
        }
    }
    boxes
}

/// The boxes whose file is missing or says something else than the manifest.
pub fn stale(root: &Path, manifest: &Manifest) -> Vec<(PathBuf, String)> {
    expected(root, manifest)
        .into_iter()
        .filter(|(path, text)| std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()))
        .collect()
}

/// Writes every stale box and returns the paths it wrote.
pub fn write(root: &Path, manifest: &Manifest) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (path, text) in stale(root, manifest) {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// The first line of every box: a reader of the source learns not to edit it.
const HEADER: &str =
    "<!-- Written by `cargo xtask book` from exercises/exercises.toml: edit the manifest, not this file. -->\n";

/// One exercise's box, in Markdown inside a `<div class="exercise">` (styled by
/// book/css/untwisted.css). The blank lines around the Markdown are what let
/// CommonMark read it as Markdown inside the HTML block.
fn render_one(exercise: &Exercise) -> String {
    let id = &exercise.id;
    let mut out = String::new();
    out.push_str("<div class=\"exercise\">\n\n");
    out.push_str(&format!("**Exercise `{id}`: {}**\n\n", escape(&exercise.title)));
    out.push_str(&format!(
        "Edit the code in `{}/src/`, then check it (or run `cargo xtask watch {id}` to \
         check again on every save):\n\n",
        exercise.exercise_dir()
    ));
    out.push_str(&format!("```console\n$ cargo xtask check {id}\n```\n\n"));
    out.push_str("The checker runs these steps in order, and explains the first one that fails:\n\n");
    for (number, step) in exercise.steps.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", number + 1, escape(step)));
    }
    let hints = exercise.hints.len();
    out.push_str(&format!(
        "\nStuck on a step? `{}` shows one more hint each time ({hints} in all).\n\n",
        exercise.hint_command()
    ));
    out.push_str(&format!("Still stuck? `cargo xtask solution {id}` shows how the solution differs from your code.\n"));
    out.push_str("\n</div>\n");
    out
}

/// Escapes what Markdown would misread in manifest text, outside its `code spans`:
/// `<` would open an HTML tag, `*` emphasis.
fn escape(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { part.to_owned() } else { part.replace('<', "&lt;").replace('*', "\\*") })
        .collect::<Vec<_>>()
        .join("`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_outside_code() {
        assert_eq!(escape("a <b> `Vec<u8>` *c*"), "a &lt;b> `Vec<u8>` \\*c\\*");
    }
}
