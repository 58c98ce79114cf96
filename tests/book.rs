//! Tests of the whole for the book: it agrees with the manifest and the runner, every
//! include and link resolves, the short track adds up, it builds without a warning
//! with the pinned mdBook, and every Twisted snippet in it really runs (the Rust
//! it shows is compiled and tested in book/examples and the exercise crates).
//!
//! The slow ones install what they need once (mdBook into `.untwisted/tools`, a
//! virtual environment with Twisted under `target/`) and reuse it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

// The runner's own code: the tests judge the book with exactly the manifest reader,
// the exercise box and the mdBook the runner uses.
use xtask::commands::book::{exercise_box, mdbook};
use xtask::manifest::Manifest;

/// The minutes of the short track, across every chapter's speaker notes.
const SHORT_TRACK_MINUTES: u32 = 150;

/// How long one snippet's `--selftest` may take.
const SNIPPET_TIMEOUT: Duration = Duration::from_secs(30);

mod support;

fn root() -> PathBuf {
    support::workspace_root()
}

fn src() -> PathBuf {
    root().join("book/src")
}

fn manifest() -> Manifest {
    Manifest::load(&root()).unwrap_or_else(|e| panic!("{e}"))
}

/// `path` from the workspace root, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", shown(path)))
}

/// Every file under `dir` (recursively) for which `keep` holds, sorted.
fn files(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    xtask::files::under(dir).into_iter().filter(|path| keep(path)).collect()
}

fn markdown_files() -> Vec<PathBuf> {
    files(&src(), &|p| p.extension().is_some_and(|e| e == "md"))
}

/// The chapter files SUMMARY.md lists, from the workspace root (`book/src/…`), in order.
fn summary_chapters() -> Vec<String> {
    let summary = read(&src().join("SUMMARY.md"));
    summary
        .lines()
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            Some(format!("book/src/{}", &line[start..end]))
        })
        .collect()
}

/// Fails with every problem at once, so one run shows all there is to fix.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------------------------
// The book and the manifest

#[test]
fn every_exercise_chapter_is_in_the_summary_once_and_shows_its_box() {
    let chapters = summary_chapters();
    let mut problems = Vec::new();
    for exercise in &manifest().exercises {
        let listed = chapters.iter().filter(|c| **c == exercise.chapter).count();
        if listed != 1 {
            problems.push(format!(
                "{}: {} is listed {listed} times in SUMMARY.md, not once",
                exercise.id, exercise.chapter
            ));
        }
        match std::fs::read_to_string(root().join(&exercise.chapter)) {
            Err(_) => problems.push(format!("{}: its chapter {} does not exist", exercise.id, exercise.chapter)),
            Ok(text) if !text.contains("{{#include exercise.md}}") => problems.push(format!(
                "{}: {} does not include its box (`{{{{#include exercise.md}}}}` under `## Exercise`)",
                exercise.id, exercise.chapter
            )),
            Ok(_) => {}
        }
    }
    assert_no_problems("the manifest and the book disagree", &problems);
}

#[test]
fn every_summary_entry_exists_once() {
    let chapters = summary_chapters();
    let mut problems = Vec::new();
    let mut seen = HashMap::new();
    for chapter in &chapters {
        if !root().join(chapter).is_file() {
            problems.push(format!("SUMMARY.md lists {chapter}, which does not exist"));
        }
        *seen.entry(chapter).or_insert(0) += 1;
    }
    problems.extend(seen.into_iter().filter(|(_, n)| *n > 1).map(|(c, n)| format!("{c} is listed {n} times")));
    assert_no_problems("SUMMARY.md", &problems);
}

#[test]
fn exercise_boxes_match_the_manifest() {
    let stale = exercise_box::stale(&root(), &manifest());
    let names: Vec<String> = stale.iter().map(|(path, _)| shown(path)).collect();
    assert!(
        names.is_empty(),
        "these exercise boxes are missing or out of date with exercises/exercises.toml:\n  {}\n\
         run `cargo xtask book` to write them, and commit them",
        names.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------
// Runner commands shown in the book

/// What the runner's `--help` says about one subcommand.
struct Subcommand {
    /// It takes an exercise as its first positional argument.
    takes_exercise: bool,
    /// Its own subcommands (`bench check-latency`), if any.
    subcommands: Vec<String>,
    /// Its flags (`--all`, `-y`), and whether each takes a value.
    flags: HashMap<String, bool>,
}

/// Runs the runner's binary with `args` and returns its stdout.
fn runner_help(args: &[&str]) -> String {
    let output =
        Command::new(support::runner()).args(args).env("NO_COLOR", "1").output().expect("running the xtask binary");
    assert!(output.status.success(), "xtask {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The names in a clap help's `Commands:` section.
fn help_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect()
}

/// Every runner subcommand, from the real binary's help.
fn runner_subcommands() -> BTreeMap<String, Subcommand> {
    let mut commands = BTreeMap::new();
    for name in help_commands(&runner_help(&["--help"])) {
        let help = runner_help(&[&name, "--help"]);
        let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap_or_default().to_owned();
        let takes_exercise = usage.contains("<EXERCISE>") || usage.contains("[EXERCISE]");
        let mut flags = HashMap::new();
        for line in help.lines().map(str::trim_start).filter(|l| l.starts_with('-')) {
            // `-y, --yes  Do not ask…` or `--listen <LISTEN>  Address…`
            let takes_value = line.split("  ").next().unwrap_or_default().contains('<');
            for word in line.split("  ").next().unwrap_or_default().split([',', ' ']) {
                if word.starts_with('-') {
                    flags.insert(word.to_owned(), takes_value);
                }
            }
        }
        commands.insert(name, Subcommand { takes_exercise, subcommands: help_commands(&help), flags });
    }
    commands
}

/// The text of every `code span` and fenced code line in `markdown`, with its line number.
fn code_in(markdown: &str) -> Vec<(usize, String)> {
    let mut code = Vec::new();
    let mut fenced = false;
    for (number, line) in markdown.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            code.push((number + 1, line.to_owned()));
        } else {
            code.extend(line.split('`').skip(1).step_by(2).map(|span| (number + 1, span.to_owned())));
        }
    }
    code
}

/// A placeholder a reader replaces: `<exercise>`, `[EX]`, `EX`, `ID`, `NN-name`, `…`.
fn is_placeholder(word: &str) -> bool {
    word.starts_with('<')
        || word.starts_with('[')
        || word.contains('…')
        || word.contains("...")
        || word == "NN-name"
        || word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// What is wrong with the command line `cargo xtask <rest>`, if anything.
fn judge_command(rest: &str, commands: &BTreeMap<String, Subcommand>, manifest: &Manifest) -> Option<String> {
    // The command ends where the shell or the prose takes over.
    let end = rest.find(['`', '|', ';', '&', '#', ')', '"', '\'', '>']).unwrap_or(rest.len());
    let words: Vec<&str> = rest[..end]
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', ':', ';']))
        .filter(|w| !w.is_empty())
        .collect();
    let (&name, args) = words.split_first()?;
    if name.starts_with('-') {
        return (!["--help", "-h", "--version", "-V"].contains(&name)).then(|| format!("unknown option {name}"));
    }
    let Some(command) = commands.get(name) else {
        return Some(format!(
            "`{name}` is not a runner command (they are: {})",
            commands.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    };
    let mut positional = None;
    let mut words = args.iter();
    while let Some(&word) = words.next() {
        if word.starts_with('-') {
            let flag = word.split('=').next().unwrap_or(word);
            match command.flags.get(flag) {
                None if !["--help", "-h"].contains(&flag) => return Some(format!("`{name}` has no option {flag}")),
                Some(true) if !word.contains('=') => {
                    words.next(); // the flag's value
                }
                _ => {}
            }
        } else if positional.is_none() {
            positional = Some(word);
            // What follows a nested subcommand (`bench echo --repeat 3`) is its own.
            if !command.subcommands.is_empty() {
                break;
            }
        }
    }
    let argument = positional.filter(|w| !is_placeholder(w))?;
    if command.takes_exercise && manifest.find(argument).is_err() {
        return Some(format!("there is no exercise {argument:?}"));
    }
    if !command.subcommands.is_empty() && !command.subcommands.iter().any(|s| s == argument) {
        return Some(format!("`{name}` has no subcommand {argument:?}"));
    }
    None
}

#[test]
fn runner_commands_in_the_book_are_real() {
    let commands = runner_subcommands();
    assert!(commands.contains_key("check") && commands.contains_key("book"), "the runner's help lists no commands");
    let manifest = manifest();
    let mut problems = Vec::new();
    let mut seen = 0;
    // Markdown: its code spans and blocks. Snippets (.py, .rs): every line.
    let snippets = files(&src(), &|p| p.extension().is_some_and(|e| e == "py" || e == "rs"));
    for file in markdown_files().into_iter().chain(snippets) {
        let text = read(&file);
        let code = if file.extension().is_some_and(|e| e == "md") {
            code_in(&text)
        } else {
            text.lines().enumerate().map(|(n, l)| (n + 1, l.to_owned())).collect()
        };
        for (line, code) in code {
            for (at, _) in code.match_indices("cargo xtask") {
                let rest = &code[at + "cargo xtask".len()..];
                // `cargo xtask-foo` is another word.
                if rest.starts_with(|c: char| !c.is_whitespace()) {
                    continue;
                }
                seen += 1;
                if let Some(problem) = judge_command(rest, &commands, &manifest) {
                    problems.push(format!("{}:{line}: `cargo xtask{}`: {problem}", shown(&file), rest.trim_end()));
                }
            }
        }
    }
    assert!(seen > 0, "no `cargo xtask` command found in the book: is book/src there?");
    assert_no_problems("commands in the book that the runner would refuse", &problems);
}

#[test]
fn the_command_judge_knows_good_from_bad() {
    let commands = runner_subcommands();
    let manifest = manifest();
    let id = &manifest.exercises[0].id;
    for good in [
        String::new(),
        " list".into(),
        format!(" check {id}"),
        " check --all".into(),
        " hint <exercise>".into(),
        " book --serve".into(),
        " bench echo --repeat 3".into(),
    ] {
        assert_eq!(judge_command(&good, &commands, &manifest), None, "cargo xtask{good}");
    }
    for bad in [" chek".to_owned(), " check 99-nothing".into(), " book --serv".into()] {
        assert!(judge_command(&bad, &commands, &manifest).is_some(), "cargo xtask{bad} should be refused");
    }
}

// ---------------------------------------------------------------------------------
// Includes and links

/// `{{#include path}}`, `{{#include path:anchor}}`, `{{#include path:10:20}}`,
/// `{{#rustdoc_include …}}`: (path, anchor) of each, except escaped `\{{#include`.
fn includes(markdown: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        for (at, _) in markdown.match_indices(directive) {
            if markdown[..at].ends_with('\\') {
                continue;
            }
            let body = &markdown[at + directive.len()..];
            let Some(end) = body.find("}}") else { continue };
            let target = body[..end].trim();
            let (path, selector) = match target.split_once(':') {
                Some((path, selector)) => (path, Some(selector)),
                None => (target, None),
            };
            // A selector of line numbers is no anchor.
            let anchor = selector.filter(|s| !s.chars().all(|c| c.is_ascii_digit() || c == ':')).map(str::to_owned);
            found.push((path.to_owned(), anchor));
        }
    }
    found
}

/// The names mdBook's `ANCHOR: name` / `ANCHOR_END: name` comments give in `text`.
fn anchors(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .map(|(at, _)| {
            text[at + marker.len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .collect()
}

#[test]
fn every_include_and_anchor_resolves() {
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in markdown_files() {
        let folder = file.parent().unwrap();
        for (path, anchor) in includes(&read(&file)) {
            seen += 1;
            let target = folder.join(&path);
            let Ok(text) = std::fs::read_to_string(&target) else {
                problems.push(format!("{}: includes {path}, which does not exist", shown(&file)));
                continue;
            };
            if let Some(anchor) = anchor {
                let starts = anchors(&text, "ANCHOR:").contains(&anchor);
                let ends = anchors(&text, "ANCHOR_END:").contains(&anchor);
                if !(starts && ends) {
                    problems.push(format!(
                        "{}: includes {path}:{anchor}, but {} has no `ANCHOR: {anchor}` … `ANCHOR_END: {anchor}`",
                        shown(&file),
                        shown(&target)
                    ));
                }
            }
        }
    }
    assert!(seen > 0, "no {{{{#include}}}} found in the book");
    assert_no_problems("includes that do not resolve", &problems);
}

// ---------------------------------------------------------------------------------
// Teach, don't tell: no page but a solution walkthrough shows a learner's function

/// The text an include shows: the whole file, one anchored region, or a line range.
fn included_region(text: &str, selector: Option<&str>) -> String {
    let Some(selector) = selector else { return text.to_owned() };
    if selector.chars().all(|c| c.is_ascii_digit() || c == ':') {
        let mut bounds = selector.split(':').map(|n| n.parse::<usize>().ok());
        let start = bounds.next().flatten().unwrap_or(1).max(1);
        let end = bounds.next().flatten().unwrap_or(usize::MAX);
        return text.lines().skip(start - 1).take(end.saturating_sub(start - 1)).collect::<Vec<_>>().join("\n");
    }
    let mut inside = false;
    let mut region = Vec::new();
    for line in text.lines() {
        if anchors(line, "ANCHOR_END:").iter().any(|a| a == selector) {
            inside = false;
        } else if anchors(line, "ANCHOR:").iter().any(|a| a == selector) {
            inside = true;
        } else if inside {
            region.push(line);
        }
    }
    region.join("\n")
}

/// The functions `source` defines with a body, as (name, body).
fn function_bodies(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices("fn ") {
        // `fn` as a word, not the end of another identifier.
        if source[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &source[at + 3..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        // The body opens at the first `{` unless a `;` ends a declaration first.
        let Some(open) = rest.find(['{', ';']) else { continue };
        if rest.as_bytes()[open] == b';' {
            continue;
        }
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        found.push((name, rest[open..end].to_owned()));
    }
    found
}

/// For each exercise folder name, the functions its stub leaves to the learner: those
/// whose body in `exercises/<id>/src` is a `todo!()`.
fn learner_functions(manifest: &Manifest) -> BTreeMap<String, Vec<String>> {
    manifest
        .exercises
        .iter()
        .map(|exercise| {
            let dir = root().join("exercises").join(&exercise.id).join("src");
            let mut names: Vec<String> = files(&dir, &|p| p.extension().is_some_and(|e| e == "rs"))
                .iter()
                .flat_map(|file| function_bodies(&read(file)))
                .filter(|(_, body)| body.contains("todo!("))
                .map(|(name, _)| name)
                .collect();
            names.sort();
            names.dedup();
            (exercise.id.clone(), names)
        })
        .collect()
}

/// Every (page, function) where a page other than a solution walkthrough includes,
/// from `solutions/`, a region that defines a function the learner writes.
fn leaked_learner_functions() -> Vec<String> {
    let manifest = manifest();
    let learner = learner_functions(&manifest);
    let mut leaks = Vec::new();
    for page in markdown_files() {
        if page.file_name().is_some_and(|n| n == "solution.md") {
            continue;
        }
        let folder = page.parent().unwrap();
        let markdown = read(&page);
        for directive in ["{{#include ", "{{#rustdoc_include "] {
            for (at, _) in markdown.match_indices(directive) {
                let body = &markdown[at + directive.len()..];
                let Some(end) = body.find("}}") else { continue };
                let target = body[..end].trim();
                let (path, selector) = match target.split_once(':') {
                    Some((path, selector)) => (path, Some(selector)),
                    None => (target, None),
                };
                let Ok(file) = folder.join(path).canonicalize() else { continue };
                let Ok(inside) = file.strip_prefix(root().join("solutions")) else { continue };
                let Some(id) = inside.iter().next().and_then(|c| c.to_str()) else { continue };
                let Some(names) = learner.get(id) else { continue };
                let region = included_region(&read(&file), selector);
                for (name, _) in function_bodies(&region) {
                    if names.contains(&name) {
                        leaks.push(format!("{} shows {id}'s `{name}` (from {target})", shown(&page)));
                    }
                }
            }
        }
    }
    leaks
}

#[test]
fn the_leak_finder_sees_a_learners_function_and_ignores_declarations() {
    let source = "trait T { fn declared(&self); }\nimpl T for X {\n    fn declared(&self) { todo!(\"x\") }\n}\nfn given() -> u8 { 1 }\n";
    let bodies = function_bodies(source);
    let names: Vec<&str> = bodies.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["declared", "given"]);
    assert!(bodies[0].1.contains("todo!("));
    let text = "a\n// ANCHOR: r\nfn shown() {}\n// ANCHOR_END: r\nfn hidden() {}\n";
    assert_eq!(included_region(text, Some("r")), "fn shown() {}");
    assert_eq!(included_region(text, Some("3:3")), "fn shown() {}");
}

#[test]
fn no_chapter_page_shows_the_body_of_a_function_the_learner_writes() {
    let leaks = leaked_learner_functions();
    assert_no_problems(
        &format!(
            "{} learner functions shown outside a solution walkthrough (teach on a neighbouring \
             problem instead; the answer belongs in <chapter>/solution.md)",
            leaks.len()
        ),
        &leaks,
    );
}

// ---------------------------------------------------------------------------------
// How included code reads: width, fences that hold, no Run button that fails

/// The widest line a page may include: wider code scrolls sideways in the book.
const INCLUDED_CODE_COLUMNS: usize = 90;

/// (page, included file, region text) for every include on every page.
fn included_regions() -> Vec<(PathBuf, PathBuf, String)> {
    let mut found = Vec::new();
    for page in markdown_files() {
        let folder = page.parent().unwrap();
        let markdown = read(&page);
        for (at, _) in markdown.match_indices("{{#include ") {
            if markdown[..at].ends_with('\\') {
                continue;
            }
            let body = &markdown[at + "{{#include ".len()..];
            let Some(end) = body.find("}}") else { continue };
            let target = body[..end].trim();
            let (path, selector) = match target.split_once(':') {
                Some((path, selector)) => (path, Some(selector)),
                None => (target, None),
            };
            let file = folder.join(path);
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let region = included_region(&text, selector);
            found.push((page.clone(), file, region));
        }
    }
    found
}

#[test]
fn included_code_fits_the_page() {
    let mut problems = Vec::new();
    for (page, file, region) in included_regions() {
        if file.extension().is_some_and(|e| e == "md") {
            continue;
        }
        for line in region.lines().filter(|l| !l.contains("ANCHOR")) {
            let width = line.chars().count();
            if width > INCLUDED_CODE_COLUMNS {
                problems.push(format!(
                    "{} includes a {width}-column line from {}: {}",
                    shown(&page),
                    shown(&file),
                    line.trim()
                ));
            }
        }
    }
    assert_no_problems(&format!("included code wider than {INCLUDED_CODE_COLUMNS} columns"), &problems);
}

#[test]
fn no_include_sits_in_an_indented_fence() {
    // mdBook pastes an included file as it is, without the list item's indentation, so
    // every line after the first breaks out of the list and the fence: the page shows
    // loose text and a stray code block. Includes belong in fences at column 0.
    let mut problems = Vec::new();
    for page in markdown_files() {
        let mut fence_indent: Option<usize> = None;
        for (number, line) in read(&page).lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") {
                fence_indent = match fence_indent {
                    Some(_) => None,
                    None => Some(line.len() - trimmed.len()),
                };
                continue;
            }
            if fence_indent.is_some_and(|indent| indent > 0) && line.contains("{{#include") {
                problems.push(format!("{}:{}: {}", shown(&page), number + 1, line.trim()));
            }
        }
    }
    assert_no_problems("includes inside an indented (list item) fence", &problems);
}

/// `html` with the contents of every `<code>` element removed: what renders as prose.
fn prose_of_html(html: &str) -> String {
    let mut prose = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code") {
        prose.push_str(&rest[..start]);
        match rest[start..].find("</code>") {
            Some(end) => rest = &rest[start + end + "</code>".len()..],
            None => return prose,
        }
    }
    prose.push_str(rest);
    prose
}

#[test]
fn the_built_pages_have_no_broken_fences_and_no_run_buttons() {
    let mdbook = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        mdbook::ensure(&root()).unwrap_or_else(|e| panic!("{e}"))
    };
    // A build of its own, in a temporary folder, so it never races the other book test.
    let out = tempfile::tempdir().expect("temp dir");
    let built = Command::new(&mdbook)
        .arg("build")
        .arg(root().join("book"))
        .arg("--dest-dir")
        .arg(out.path())
        .output()
        .expect("run mdbook");
    assert!(built.status.success(), "mdbook build failed:\n{}", String::from_utf8_lossy(&built.stderr));
    let mut problems = Vec::new();
    let pages = files(out.path(), &|p| p.extension().is_some_and(|e| e == "html"));
    for page in &pages {
        let html = read(page);
        let name = page.strip_prefix(out.path()).unwrap_or(page).display().to_string();
        let prose = prose_of_html(&html);
        if prose.contains("```") {
            problems
                .push(format!("{name}: a code fence shows as text (a fence broke, e.g. an include in a list item)"));
        }
        if prose.contains("{{#") {
            problems.push(format!("{name}: an mdBook directive shows as text"));
        }
        // mdBook wraps Rust blocks in `pre.playground` to give them a Run button; this
        // workspace's code (tokio, mio, the exercises) cannot run on the public playground.
        if html.contains("class=\"playground\"") {
            problems.push(format!("{name}: a Rust block offers a Run button that cannot work"));
        }
    }
    assert!(pages.len() > 10, "mdbook built only {} pages", pages.len());
    assert_no_problems("pages that render wrong", &problems);
}

/// The imported names in a comma-separated import list: `(A, B as C)` gives (A, B).
fn first_words(list: &str) -> Vec<String> {
    list.split(',')
        .filter_map(|item| item.split(|c: char| c.is_whitespace() || "(){};".contains(c)).find(|w| !w.is_empty()))
        .filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// The names a code file brings in from Twisted or from a Rust crate: `from twisted.x
/// import A, B` gives (A, B); `use tokio::time::{interval, Duration}` gives (interval,
/// Duration). These are the APIs a chapter introduces when it shows that file.
fn imported_api_names(code: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim().strip_prefix("from twisted") else { continue };
        let Some((_, imported)) = rest.split_once(" import ") else { continue };
        let mut imported = imported.to_owned();
        // `from x import (\n    A,\n    B,\n)` spans lines.
        while imported.contains('(') && !imported.contains(')') {
            let Some(next) = lines.next() else { break };
            imported.push(' ');
            imported.push_str(next);
        }
        names.extend(first_words(&imported));
    }
    for line in code.lines() {
        let line = line.trim();
        let Some(path) = line.strip_prefix("use ") else { continue };
        let crate_root = path.split("::").next().unwrap_or_default();
        if !["tokio", "tokio_util", "mio", "bytes", "futures_util", "std"].contains(&crate_root) {
            continue;
        }
        let last = path.rsplit("::").next().unwrap_or_default();
        names.extend(first_words(last).into_iter().filter(|n| n != "self"));
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_api_finder_reads_python_and_rust_imports() {
    let code = "from twisted.internet import reactor, task\nfrom twisted.internet import reactor as clock\nfrom twisted.protocols.basic import (\n    LineReceiver,\n)\nuse tokio::time::{interval, MissedTickBehavior};\nuse std::collections::BinaryHeap;\nuse crate::mine::Thing;\n";
    assert_eq!(
        imported_api_names(code),
        ["BinaryHeap", "LineReceiver", "MissedTickBehavior", "interval", "reactor", "task"]
    );
}

#[test]
fn every_api_a_chapter_introduces_links_to_its_reference() {
    // A name counts as introduced when the chapter's included code imports it and the
    // prose names it in a code span; the chapter must then link its reference page
    // (docs.rs, doc.rust-lang.org or docs.twisted.org), a URL that contains the name.
    let generic = ["reactor", "task", "defer", "protocol", "Duration", "Arc", "Mutex", "HashMap", "Instant"];
    let mut problems = Vec::new();
    for chapter in manifest().exercises.iter().map(|e| root().join(&e.chapter)) {
        let markdown = read(&chapter);
        let links: Vec<String> = links(&markdown)
            .into_iter()
            .filter(|l| ["docs.rs/", "doc.rust-lang.org/", "docs.twisted.org/"].iter().any(|d| l.contains(d)))
            .collect();
        let spans: Vec<String> = code_in(&markdown)
            .into_iter()
            .filter(|(number, _)| {
                // Only prose code spans: a fenced line is never a single word's mention.
                let line = markdown.lines().nth(number - 1).unwrap_or_default();
                line.contains('`') && !line.trim_start().starts_with("```")
            })
            .map(|(_, span)| span)
            .collect();
        let regions = included_regions();
        let introduced: Vec<String> = regions
            .iter()
            .filter(|(page, _, _)| *page == chapter)
            .flat_map(|(_, _, region)| imported_api_names(region))
            .filter(|name| !generic.contains(&name.as_str()))
            .collect();
        for name in introduced {
            let mentioned = spans
                .iter()
                .any(|span| span.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|word| word == name));
            if mentioned && !links.iter().any(|l| l.contains(&name)) {
                problems.push(format!("{} names `{name}` but links no reference page for it", shown(&chapter)));
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert_no_problems("APIs introduced without a link to their reference", &problems);
}

/// The targets of the Markdown links in `markdown` outside code: `[text](target)` and
/// `[label]: target`.
fn links(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop code spans: `[a](b)` inside backticks is not a link.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        for (at, _) in prose.match_indices("](") {
            let rest = &prose[at + 2..];
            if let Some(end) = rest.find(')') {
                found.push(rest[..end].split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
        let trimmed = prose.trim_start();
        if trimmed.starts_with('[')
            && let Some((_, target)) = trimmed.split_once("]: ")
        {
            found.push(target.split_whitespace().next().unwrap_or_default().to_owned());
        }
    }
    found
}

#[test]
fn every_relative_markdown_link_resolves() {
    let mut problems = Vec::new();
    for file in markdown_files() {
        let folder = file.parent().unwrap();
        for target in links(&read(&file)) {
            let path = target.split('#').next().unwrap_or_default();
            if target.contains("://") || target.starts_with("mailto:") || !path.ends_with(".md") {
                continue;
            }
            if !folder.join(path).is_file() {
                problems.push(format!("{}: links to {target}, which does not exist", shown(&file)));
            }
        }
    }
    assert_no_problems("links that lead nowhere", &problems);
}

// ---------------------------------------------------------------------------------
// The short track

/// `Short track: 20 min` (anywhere in the line, bold or not) → 20.
fn short_track_minutes(line: &str) -> Option<u32> {
    let rest = line[line.find("Short track:")? + "Short track:".len()..].trim_start_matches(['*', ' ']);
    let mut words = rest.split_whitespace();
    let minutes = words.next()?.parse().ok()?;
    words.next()?.trim_start_matches('*').starts_with("min").then_some(minutes)
}

#[test]
fn the_short_track_adds_up_to_150_minutes() {
    let mut problems = Vec::new();
    let mut total = 0;
    let mut breakdown = Vec::new();
    for chapter in summary_chapters() {
        let Ok(text) = std::fs::read_to_string(root().join(&chapter)) else {
            problems.push(format!("{chapter} does not exist yet"));
            continue;
        };
        let minutes: Vec<u32> = text.lines().filter_map(short_track_minutes).collect();
        match minutes[..] {
            [] if text.contains("speaker-notes") => {
                problems.push(format!("{chapter} has speaker notes without a `Short track: N min` line"))
            }
            [] => {}
            [n] => {
                total += n;
                breakdown.push(format!("{chapter}: {n}"));
            }
            _ => problems.push(format!("{chapter} says `Short track: N min` {} times", minutes.len())),
        }
    }
    if total != SHORT_TRACK_MINUTES {
        problems.push(format!(
            "the short track is {total} min, not {SHORT_TRACK_MINUTES}:\n    {}",
            breakdown.join("\n    ")
        ));
    }
    assert_no_problems("the short track's timing", &problems);
}

// ---------------------------------------------------------------------------------
// Building the book

/// The slow tests share what they install; this keeps two of them from installing
/// the same thing at once.
static INSTALLING: Mutex<()> = Mutex::new(());

#[test]
fn the_book_builds_without_warnings_and_can_be_searched() {
    let mdbook = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        mdbook::ensure(&root()).unwrap_or_else(|e| panic!("{e}"))
    };
    let build = mdbook::build(&root(), &mdbook).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        build.success && build.problems.is_empty(),
        "mdBook {} did not build the book cleanly:\n{}",
        mdbook::VERSION,
        build.log.join("\n")
    );
    let out = root().join("book/book");
    let index = files(&out, &|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        name.starts_with("searchindex") && (name.ends_with(".js") || name.ends_with(".json"))
    });
    assert!(!index.is_empty(), "no searchindex*.js in {}: is search enabled in book.toml?", shown(&out));
    for file in index {
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is nearly empty ({size} bytes)", shown(&file));
    }
}

// ---------------------------------------------------------------------------------
// Snippets that really run

/// Runs `command` with a time limit; returns whether it succeeded, and its output.
fn run_with_timeout(mut command: Command, limit: Duration) -> (bool, String) {
    let log = tempfile::tempfile().expect("temp file");
    command.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log.try_clone().unwrap());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = log;
    let mut output = String::new();
    use std::io::{Read, Seek};
    log.rewind().unwrap();
    log.read_to_string(&mut output).unwrap_or_default();
    match status {
        Some(status) => (status.success(), output),
        None => (false, format!("{output}\n(timed out after {} s)", limit.as_secs())),
    }
}

/// Runs every snippet, four at a time, and returns the failures.
fn run_all(snippets: &[PathBuf], command: &(dyn Fn(&Path) -> Command + Sync)) -> Vec<String> {
    let queue = Mutex::new(snippets.iter());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                // The lock is let go as soon as a snippet is taken, not held while it runs.
                let take = || queue.lock().unwrap().next();
                while let Some(snippet) = take() {
                    let (ok, output) = run_with_timeout(command(snippet), SNIPPET_TIMEOUT);
                    if !ok {
                        failures.lock().unwrap().push(format!(
                            "{} --selftest failed:\n{}",
                            shown(snippet),
                            output.trim_end()
                        ));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    failures
}

/// The folder cargo builds into, found from this test's own runner binary
/// (`<target>/debug/xtask`): it honours CARGO_TARGET_DIR without reading it.
fn target_dir() -> PathBuf {
    Path::new(support::runner()).parent().unwrap().parent().unwrap().to_path_buf()
}

/// A Python 3 on PATH, or a failure that says how to get one.
fn python3() -> String {
    for candidate in ["python3", "python"] {
        let works = Command::new(candidate)
            .args(["-c", "import sys; assert sys.version_info >= (3, 9)"])
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return candidate.to_owned();
        }
    }
    panic!(
        "python3 is missing: the book's Twisted snippets are real programs, and this test runs \
         each one. Install Python 3.9 or newer (https://www.python.org/downloads/, or your \
         package manager's python3 and python3-venv), then run the tests again."
    );
}

/// A virtual environment under target/ with exactly book/requirements.txt installed,
/// made once and reused while the requirements stay the same.
fn twisted_venv() -> PathBuf {
    let venv = target_dir().join("book-twisted-venv");
    let python = if cfg!(windows) { venv.join("Scripts/python.exe") } else { venv.join("bin/python") };
    let requirements = root().join("book/requirements.txt");
    let wanted = read(&requirements);
    let stamp = venv.join("untwisted-requirements.txt");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|have| have == wanted) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let status = Command::new(python3()).args(["-m", "venv"]).arg(&venv).status().expect("python3 -m venv");
    assert!(
        status.success(),
        "`python3 -m venv {}` failed (on Debian and Ubuntu, install python3-venv)",
        venv.display()
    );
    let (ok, output) = run_with_timeout(
        {
            let mut pip = Command::new(&python);
            pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r"]).arg(&requirements);
            pip
        },
        Duration::from_secs(600),
    );
    assert!(
        ok,
        "installing book/requirements.txt into {} failed (it needs the network once):\n{output}",
        venv.display()
    );
    std::fs::write(&stamp, wanted).unwrap();
    python
}

#[test]
fn every_twisted_snippet_passes_its_selftest() {
    let snippets = files(&src(), &|p| {
        p.extension().is_some_and(|e| e == "py") && p.parent().is_some_and(|d| d.ends_with("twisted"))
    });
    assert!(!snippets.is_empty(), "no book/src/*/twisted/*.py found");
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let failures = run_all(&snippets, &|snippet| {
        let mut command = Command::new(&python);
        command
            .arg(snippet)
            .arg("--selftest")
            .current_dir(snippet.parent().unwrap())
            // No __pycache__ in book/src (mdBook would copy it into the book).
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1");
        command
    });
    assert_no_problems(&format!("Twisted snippets ({} run)", snippets.len()), &failures);
}

/// A solution's demo server, started on a free loopback port; killed when dropped.
struct Demo {
    child: std::process::Child,
    addr: String,
}

impl Demo {
    /// Builds `package`'s demo binary and starts it with `--listen 127.0.0.1:0`,
    /// reading the address it prints (`… listening on 127.0.0.1:PORT …`).
    fn start(package: &str) -> Demo {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(Demo::build(package))
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.split("listening on ").nth(1)?;
                Some(rest.split(|c: char| c.is_whitespace() || c == ';').next()?.to_owned())
            })
            .unwrap_or_else(|| panic!("{package}'s demo never said where it listens"));
        // Keep draining what the demo prints so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Demo { child, addr }
    }
}

impl Demo {
    /// Builds `package`'s demo binary; returns its path.
    fn build(package: &str) -> PathBuf {
        let output = xtask::cargo::cargo()
            .current_dir(root())
            .args(["build", "--quiet", "--message-format=json", "--package", package, "--bin", package])
            .output()
            .unwrap();
        assert!(output.status.success(), "cannot build {package}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| panic!("{package} has no demo binary"))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn twisted_clients_talk_to_the_rust_demos() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    // The chapters say these Twisted clients interoperate with the Rust solutions.
    let cases: [(&str, &str, &[&str], &str); 2] = [
        (
            "sol05-lines",
            "lines/twisted/feed_client.py",
            &["WIDGET-1 5", "WIDGET-1 -2", "WIDGET-1 five"],
            "< WIDGET-1 3",
        ),
        ("sol04-protocols", "protocols/twisted/qotd.py", &[], ""),
    ];
    let mut failures = Vec::new();
    for (package, snippet, extra, expected) in cases {
        let demo = Demo::start(package);
        let snippet = src().join(snippet);
        let mut command = Command::new(&python);
        command
            .arg(&snippet)
            .args(["--connect", &demo.addr])
            .args(extra)
            .current_dir(snippet.parent().unwrap())
            .env("PYTHONDONTWRITEBYTECODE", "1");
        let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
        if !ok || !output.contains(expected) {
            failures.push(format!("{} --connect {} ({package}):\n{}", shown(&snippet), demo.addr, output.trim_end()));
        }
    }
    assert_no_problems("Twisted clients against the Rust demos", &failures);
}

#[test]
fn every_demo_runs_its_scripted_client() {
    let mut failures = Vec::new();
    for exercise in manifest().exercises.iter().filter(|e| e.demo) {
        let mut command = Command::new(Demo::build(&exercise.solution_package()));
        command.arg("--script");
        let (ok, output) = run_with_timeout(command, Duration::from_secs(60));
        // A transcript has at least one line sent and one received.
        if !ok || !output.contains(" > ") || !output.contains(" < ") {
            failures.push(format!("cargo xtask demo {} --script:\n{}", exercise.id, output.trim_end()));
        }
    }
    assert_no_problems("demo scripts", &failures);
}

// ---------------------------------------------------------------------------------
// Issue 7 (teach, don't tell), chapters 04 and 05: a chapter's Twisted server and its
// Rust server answer the same bytes with the same bytes

/// A server process that printed `… listening on HOST:PORT …`; killed when dropped.
fn listening(mut command: Command, what: &str) -> Demo {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines.by_ref().map_while(Result::ok).find_map(|line| {
        let rest = line.split("listening on ").nth(1)?;
        Some(rest.split(|c: char| c.is_whitespace() || c == ';').next()?.to_owned())
    });
    std::thread::spawn(move || lines.for_each(drop));
    let demo = Demo { child, addr: addr.unwrap_or_default() };
    assert!(!demo.addr.is_empty(), "{what} never said where it listens");
    demo
}

/// A chapter's Twisted server (`book/src/<snippet>`, run with no arguments: a free port).
fn twisted_server(python: &Path, snippet: &str) -> Demo {
    let snippet = src().join(snippet);
    let mut command = Command::new(python);
    command
        .arg(&snippet)
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");
    listening(command, &shown(&snippet))
}

/// One connection of a scripted client: each exchange is some writes (sent one by one)
/// and how many lines to read back; `closes` says the server hangs up at the end.
struct Conversation {
    exchanges: Vec<(Vec<Vec<u8>>, usize)>,
    closes: bool,
}

/// Plays `conversations` against `addr`, one connection each, and returns every line
/// read (escaped, `\r\n` shown) and every close, in order.
fn play(addr: &str, conversations: &[Conversation]) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut heard = Vec::new();
    for (number, conversation) in conversations.iter().enumerate() {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut read_line = |heard: &mut Vec<String>| {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => false,
                Ok(_) => {
                    heard.push(format!("#{number} < {}", String::from_utf8_lossy(&line).escape_debug()));
                    true
                }
                Err(e) => {
                    heard.push(format!("#{number} !! {e}"));
                    false
                }
            }
        };
        for (writes, answers) in &conversation.exchanges {
            for write in writes {
                writer.write_all(write).unwrap();
                writer.flush().unwrap();
            }
            for _ in 0..*answers {
                read_line(&mut heard);
            }
        }
        if conversation.closes {
            while read_line(&mut heard) {}
            heard.push(format!("#{number} -- closed by server"));
        }
    }
    heard
}

/// Plays one script against a chapter's Rust demo and its Twisted server, and fails
/// unless both heard exactly the same bytes; returns what they said.
fn same_answers(package: &str, snippet: &str, script: &[Conversation]) -> Vec<String> {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let rust = play(&Demo::start(package).addr, script);
    let twisted = play(&twisted_server(&python, snippet).addr, script);
    let differences: Vec<String> = rust
        .iter()
        .zip(&twisted)
        .filter(|(r, t)| r != t)
        .map(|(r, t)| format!("rust {r:?} / twisted {t:?}"))
        .chain((rust.len() != twisted.len()).then(|| format!("rust:\n{rust:#?}\ntwisted:\n{twisted:#?}")))
        .collect();
    assert_no_problems(&format!("{package} and {snippet} answer differently"), &differences);
    rust
}

fn say(writes: &[&[u8]], answers: usize) -> (Vec<Vec<u8>>, usize) {
    (writes.iter().map(|w| w.to_vec()).collect(), answers)
}

#[test]
fn the_feed_answers_alike_in_twisted_and_rust() {
    let long = [vec![b'x'; 2000], b"\r\n".to_vec()].concat();
    let script = [Conversation {
        exchanges: vec![
            say(&[b"WIDGET-1 5\r\n"], 1),
            say(&[b"WIDGET-1 -2\r\nGAD", b"GET 3\r\n"], 2),
            say(&[b"WIDGET-1 five\r\n"], 1),
            say(&[b"WIDGET-1\r\n"], 1),
            say(&[b"\r\n", b" \t \r\n"], 2),
            say(&[b"WIDGET-1 5 boxes\r\n", b"WIDGET/1 5\r\n"], 2),
            say(&[b"WIDGET-1 +1\r\n", "WIDGET-1 \u{665}\r\n".as_bytes(), b"WIDGET-1 1_000\r\n"], 3),
            say(&[b"WIDGET-\xff 5\r\n", b"WIDGET-1 99999999999999999999\r\n"], 2),
            say(&[b"BOLT 9223372036854775807\r\n", b"BOLT 1\r\n", b"BOLT -1\r\n"], 3),
            say(&[b"one\ntwo 1\r\n"], 1),
            (vec![long], 1),
        ],
        closes: true,
    }];
    let heard = same_answers("sol05-lines", "lines/twisted/feed_server.py", &script);
    // The chapter's protocol table quotes these answers.
    for answer in [
        r#"#0 < WIDGET-1 3\r\n"#,
        r#"#0 < ERR qty must be a whole number, got \"five\"\r\n"#,
        r#"#0 < ERR missing qty, expected: SKU qty\r\n"#,
        r#"#0 < ERR empty line, expected: SKU qty\r\n"#,
        r#"#0 < ERR line too long (max 1024 bytes)\r\n"#,
        "#0 -- closed by server",
    ] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

#[test]
fn qotd_answers_alike_in_twisted_and_rust() {
    let script = [
        Conversation {
            exchanges: vec![
                say(&[], 1),
                say(&[b"hello\r\n"], 1),
                say(&[b"split ", b"line\r\n"], 1),
                say(&[b"bare\n", b"\r\n", b"cr\r\r\n"], 3),
                say(&[b"quit\r\nnot echoed\r\n"], 1),
            ],
            closes: true,
        },
        Conversation {
            exchanges: vec![say(&[], 1), (vec![[vec![b'x'; 2000], b"\r\n".to_vec()].concat()], 1)],
            closes: true,
        },
        Conversation { exchanges: vec![say(&[], 1), (vec![vec![b'x'; 1025]], 1)], closes: true },
    ];
    let heard = same_answers("sol04-protocols", "protocols/twisted/qotd.py", &script);
    for answer in [r#"#0 < Bye!\r\n"#, r#"#1 < ERR line longer than 1024 bytes\r\n"#] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

// ---------------------------------------------------------------------------
// Issue 8, "Demo servers: a room of `nc` users cannot kill them": every demo takes
// the one command line (test-kit's `DemoArgs`, parsed by clap), and every demo has
// its hostile-room tests (solutions/NN-name/tests/demo.rs), run here so that
// `cargo xtask verify` runs them too.

#[test]
fn every_demo_takes_the_shared_command_line() {
    let mut failures = Vec::new();
    for exercise in manifest().exercises.iter().filter(|e| e.demo) {
        let exe = Demo::build(&exercise.solution_package());
        let help = Command::new(&exe).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        let promised = ["Usage: ", "--listen <ADDR>", "[default: 127.0.0.1:0]", "--script", "--help"];
        if help.status.code() != Some(0) || !promised.iter().all(|word| text.contains(word)) {
            failures.push(format!("{} --help ({}):\n{text}", exercise.id, help.status));
        }
        // clap's own shape: an `error:` line, the usage for a flag it does not know
        // (not for a bad value of one it does), and where to learn more.
        for (bad, expected) in [(&["--no-such-flag"][..], "Usage: "), (&["--listen", "nowhere"], "'nowhere'")] {
            let out = Command::new(&exe).args(bad).output().unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            let clap_like = said.starts_with("error: ")
                && said.contains(expected)
                && said.contains("For more information, try '--help'.");
            if out.status.code() != Some(2) || !clap_like {
                failures.push(format!("{} {} ({}):\n{said}", exercise.id, bad.join(" "), out.status));
            }
        }
    }
    assert_no_problems("demo command lines", &failures);
}

#[test]
fn every_demo_survives_its_hostile_room_tests() {
    let mut failures = Vec::new();
    for exercise in manifest().exercises.iter().filter(|e| e.demo) {
        let tests = root().join(exercise.solution_dir()).join("tests/demo.rs");
        if !tests.is_file() {
            failures.push(format!("{} has no hostile-room tests: {}", exercise.id, shown(&tests)));
            continue;
        }
        let mut command = xtask::cargo::cargo();
        command.current_dir(root()).args([
            "test",
            "--quiet",
            "--package",
            &exercise.solution_package(),
            "--test",
            "demo",
        ]);
        let (ok, output) = run_with_timeout(command, Duration::from_secs(300));
        if !ok {
            failures.push(format!("cargo test -p {} --test demo:\n{}", exercise.solution_package(), output.trim_end()));
        }
    }
    assert_no_problems("demo servers against a hostile room", &failures);
}

// ---------------------------------------------------------------------------------
// 08-web: the chapter's Twisted site and the Rust solution answer alike

/// One answer as curl printed it (`--include`): the status line, the headers that
/// matter (names lower-cased; Date and Server differ by nature) and the body.
fn curl_answer(printed: &str) -> String {
    let (head, body) = printed.split_once("\r\n\r\n").unwrap_or((printed, ""));
    let mut lines = head.lines();
    // The code, not the reason phrase, which clients ignore (RFC 9110 section 15): for
    // 413 Twisted still says RFC 2616's "Request Entity Too Large", hyper "Payload Too Large".
    let status: Vec<&str> = lines.next().unwrap_or_default().splitn(3, ' ').take(2).collect();
    let mut shown = vec![status.join(" ")];
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = name.to_ascii_lowercase();
        if ["allow", "content-type", "content-length"].contains(&name.as_str()) {
            shown.push(format!("{name}: {}", value.trim()));
        }
    }
    shown[1..].sort(); // the two servers write headers in different orders
    shown.push(body.to_owned());
    shown.join("\n")
}

/// Sends `args` with curl to `base` and returns the answer as [`curl_answer`] shows it.
fn curl(base: &str, args: &[&str], path: &str) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--include", "--max-time", "5"])
        .args(args)
        .arg(format!("http://{base}{path}"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run curl ({e}): this test compares two HTTP servers through a real \
                 client. Install curl (Debian/Ubuntu: apt-get install curl) and run again."
            )
        });
    assert!(output.status.success(), "curl {args:?} {path}: {}", String::from_utf8_lossy(&output.stderr));
    curl_answer(&String::from_utf8_lossy(&output.stdout))
}

#[test]
fn the_twisted_inventory_site_and_the_rust_solution_answer_curl_alike() {
    use std::io::{BufRead, BufReader};
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let snippet = src().join("web/twisted/inventory_site.py");
    let mut twisted = Command::new(&python)
        .arg(&snippet)
        .args(["--listen", "127.0.0.1:0"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(twisted.stdout.take().unwrap()).lines();
    let twisted_addr = lines
        .next()
        .and_then(Result::ok)
        .and_then(|line| Some(line.split("listening on ").nth(1)?.split_whitespace().next()?.to_owned()));
    let rust = Demo::start("sol08-web");
    let Some(twisted_addr) = twisted_addr else {
        let _ = twisted.kill();
        panic!("{} --listen never said where it listens", shown(&snippet));
    };

    let json = ["-H", "Content-Type: application/json"];
    // Over the 4096-byte limit. curl sends it whole; Twisted reads it all first.
    let oversized = "1".repeat(5000);
    let script: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "/inventory"),
        (vec![], "/inventory/WIDGET-1"),
        (vec!["--head"], "/inventory/WIDGET-1"),
        ([&json[..], &["--data", r#"{"delta": -4}"#]].concat(), "/inventory/WIDGET-1"),
        ([&json[..], &["--data", r#"{"delta": -99}"#]].concat(), "/inventory/GADGET"),
        ([&json[..], &["--data", r#"{"delta": "x"}"#]].concat(), "/inventory/GADGET"),
        ([&json[..], &["--data", "[1]"]].concat(), "/inventory/GADGET"),
        (vec!["-H", "Content-Type: text/plain", "--data", "5"], "/inventory/GADGET"),
        ([&json[..], &["--data", &oversized]].concat(), "/inventory/GADGET"),
        (vec![], "/inventory/NOPE"),
        ([&json[..], &["--data", r#"{"delta": 1}"#]].concat(), "/inventory/NOPE"),
        (vec![], "/inventory/"),
        (vec![], "/inventory/WIDGET-1/history"),
        (vec![], "/"),
        (vec!["-X", "POST"], "/inventory"),
        (vec!["--head"], "/inventory"),
        (vec!["-X", "PUT"], "/inventory/WIDGET-1"),
        (vec!["-X", "BREW"], "/inventory"),
        (vec![], "/inventory"),
    ];
    let mut differences = Vec::new();
    for (args, path) in &script {
        let from_twisted = curl(&twisted_addr, args, path);
        let from_rust = curl(&rust.addr, args, path);
        if from_twisted != from_rust {
            differences.push(format!(
                "curl {} {path}:\n--- Twisted\n{from_twisted}\n--- Rust\n{from_rust}",
                args.iter().map(|a| if a.len() > 40 { "<a long body>" } else { a }).collect::<Vec<_>>().join(" ")
            ));
        }
    }
    let _ = twisted.kill();
    let _ = twisted.wait();
    assert_no_problems("answers that differ between web/twisted/inventory_site.py and sol08-web", &differences);
}

// ---------------------------------------------------------------------------------
// 11-finger: the chapter's Twisted finger server and the Rust solution answer the
// same queries with the same bytes, and the chapter's Twisted client talks to the
// Rust demo

#[test]
fn finger_answers_alike_in_twisted_and_rust() {
    // One connection per query: finger answers once, then the server closes.
    let query = |writes: &[&[u8]]| Conversation { exchanges: vec![say(writes, 0)], closes: true };
    let longest = [vec![b'a'; 255], b"\r\n".to_vec()].concat();
    let too_long = [vec![b'a'; 256], b"\r\n".to_vec()].concat();
    let flood = vec![b'x'; 2000];
    let script = [
        query(&[b"alice\r\n"]),
        query(&[b"/W moshez\r\n"]),
        query(&[b"/w alice\r\n"]),
        query(&[b"carol\r\n"]),
        query(&[b"\r\n"]),
        query(&[b"/W\r\n"]),
        query(&[b" \t \r\n"]),
        query(&[b"bob@example.com\r\n"]),
        query(&[b"/W @example.com\r\n"]),
        query(&[b"alice bob\r\n"]),
        query(&[b"/W a b\r\n"]),
        query(&[b"bob\ncarol\r\n"]),
        query(&[b"mos", b"hez\r", b"\n"]),
        query(&["al\u{ef}ce\r\n".as_bytes()]),
        query(&[b"\xff\r\n"]),
        query(&[b"ali\x00ce\r\n"]),
        query(&[b"a\rb\r\n"]),
        query(&[&longest]),
        query(&[&too_long]),
        query(&[&flood]),
    ];
    let heard = same_answers("sol11-finger", "finger/twisted/finger_server.py", &script);
    // The chapter's protocol table quotes these answers.
    for answer in [
        r#"#0 < alice: Counting widgets in aisle 7\r\n"#,
        r#"#1 < Login: moshez\r\n"#,
        r#"#3 < No such user\r\n"#,
        r#"#7 < Finger forwarding service denied\r\n"#,
        r#"#9 < Usage: [/W] [user]\r\n"#,
        r#"#11 < bob: Out to lunch\r\n"#,
        r#"#13 < Query must be ASCII\r\n"#,
        r#"#15 < Query has a control character\r\n"#,
        r#"#19 < Query too long (max 256 bytes)\r\n"#,
        "#19 -- closed by server",
    ] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

#[test]
fn the_twisted_finger_client_talks_to_the_rust_demo() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let demo = Demo::start("sol11-finger");
    let snippet = src().join("finger/twisted/finger_server.py");
    let mut command = Command::new(&python);
    command
        .arg(&snippet)
        .args(["--connect", &demo.addr, "/W moshez"])
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(
        ok && output == "Login: moshez\r\nStatus: Happy and well\r\n",
        "{} --connect {} '/W moshez' printed:\n{output:?}",
        shown(&snippet),
        demo.addr
    );
}

// ---------------------------------------------------------------------------------
// 12-dns (Legacy protocols: DNS): the chapter's Twisted names server and the Rust
// solution give dnspython and dig equivalent answers

/// The questions both DNS servers are asked, as dig spells them.
const DNS_QUESTIONS: [(&str, &str); 9] = [
    ("warehouse-1.erp.test", "A"),
    ("WAREHOUSE-1.erp.test", "AAAA"),
    ("feed.erp.test", "TXT"),
    ("_feed._tcp.erp.test", "SRV"),
    ("nowhere.erp.test", "A"),
    ("feed.erp.test", "AAAA"),
    ("example.com", "A"),
    ("xerp.test", "A"),
    ("catalog.erp.test", "TXT"),
];

/// Asks `addr` every question with dnspython over UDP without EDNS (and again over
/// TCP when the answer is truncated); one line per answer: code, TC, records.
fn dnspython_answers(python: &Path, addr: &str) -> Vec<String> {
    let script = r#"
import sys
import dns.message, dns.query, dns.rcode, dns.flags
host, port = sys.argv[1].rsplit(":", 1)
for name, rdtype in zip(sys.argv[2::2], sys.argv[3::2]):
    query = dns.message.make_query(name, rdtype)
    reply = dns.query.udp(query, host, port=int(port), timeout=5)
    truncated = bool(reply.flags & dns.flags.TC)
    if truncated:
        reply = dns.query.tcp(query, host, port=int(port), timeout=5)
    # Names compare without regard to case; Twisted echoes the query's case.
    records = sorted(f"{rrset.name} {rrset.ttl} {rd.to_text()}".lower()
                     for rrset in reply.answer for rd in rrset)
    print(name, rdtype, dns.rcode.to_text(reply.rcode()), "TC" if truncated else "-",
          "|".join(records))
"#;
    let mut command = Command::new(python);
    command.args(["-c", script, addr]);
    for (name, record_type) in DNS_QUESTIONS {
        command.args([name, record_type]);
    }
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(ok, "dnspython could not ask {addr}:\n{output}");
    output.lines().map(str::to_owned).collect()
}

/// dig, or a failure that says how to get it.
fn dig() -> &'static str {
    let works = Command::new("dig").arg("-v").output().is_ok_and(|o| o.status.success());
    assert!(
        works,
        "dig is missing: the DNS chapter's servers are tested against it. Install it \
         (Debian and Ubuntu: apt-get install dnsutils; Fedora: bind-utils; macOS has it)."
    );
    "dig"
}

/// Asks `addr` every question with dig (UDP, no EDNS: a truncated answer makes dig
/// ask again over TCP); per question the status, whether dig retried, the answers.
fn dig_answers(addr: &str) -> Vec<String> {
    let (host, port) = addr.rsplit_once(':').unwrap();
    DNS_QUESTIONS
        .iter()
        .map(|(name, record_type)| {
            let mut command = Command::new(dig());
            command.args([&format!("@{host}"), "-p", port, "+noedns", "+tries=1", "+time=5", name, record_type]);
            let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
            assert!(ok, "dig {name} {record_type} failed:\n{output}");
            let status = output.split("status: ").nth(1).and_then(|s| s.split(',').next()).unwrap_or("?");
            let retried = output.contains("Truncated, retrying in TCP mode");
            let mut answers: Vec<String> = output
                .split(";; ANSWER SECTION:")
                .nth(1)
                .unwrap_or("")
                .lines()
                .skip(1)
                .take_while(|line| !line.is_empty() && !line.starts_with(";;"))
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
                .collect();
            answers.sort();
            format!("{name} {record_type} {status} retried={retried} {}", answers.join("|"))
        })
        .collect()
}

#[test]
fn the_dns_servers_answer_alike_in_twisted_and_rust() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let rust = Demo::start("sol12-dns");
    let twisted = twisted_server(&python, "dns/twisted/zone_server.py");
    for (peer, ask) in [
        ("dnspython", &(|addr: &str| dnspython_answers(&python, addr)) as &dyn Fn(&str) -> Vec<String>),
        ("dig", &dig_answers),
    ] {
        let (from_rust, from_twisted) = (ask(&rust.addr), ask(&twisted.addr));
        let differences: Vec<String> = from_rust
            .iter()
            .zip(&from_twisted)
            .filter(|(r, t)| r != t)
            .map(|(r, t)| format!("rust    {r}\ntwisted {t}"))
            .collect();
        assert_no_problems(&format!("{peer} hears the two DNS servers differently"), &differences);
        assert_eq!(from_rust.len(), DNS_QUESTIONS.len(), "{peer}: {from_rust:#?}");
        // The chapter's table of answers quotes these.
        let expected: [&[&str]; 4] = [
            &["warehouse-1.erp.test A NOERROR", "192.0.2.10"],
            &["nowhere.erp.test A NXDOMAIN"],
            &["example.com A REFUSED"],
            &["catalog.erp.test TXT NOERROR", "WIDGET-12"],
        ];
        for parts in expected {
            assert!(
                from_rust
                    .iter()
                    .any(|line| parts.iter().all(|part| line.to_lowercase().contains(&part.to_lowercase()))),
                "{peer}: no answer with {parts:?} in {from_rust:#?}"
            );
        }
        let catalog = from_rust.last().unwrap();
        assert!(
            catalog.contains("TC") || catalog.contains("retried=true"),
            "{peer}: the catalog must come truncated over UDP: {catalog}"
        );
    }
}

#[test]
fn the_twisted_names_client_asks_the_rust_dns_server() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let demo = Demo::start("sol12-dns");
    let snippet = src().join("dns/twisted/lookup.py");
    let mut command = Command::new(&python);
    command
        .arg(&snippet)
        .args(["--connect", &demo.addr, "catalog.erp.test", "TXT", "feed.erp.test", "AAAA"])
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(
        ok && output.contains("WIDGET-12") && output.contains("feed.erp.test AAAA: NOERROR, no answer"),
        "{} --connect {} (after TC over UDP, Twisted's client asks again over TCP):\n{output}",
        shown(&snippet),
        demo.addr
    );
}

// ---------------------------------------------------------------------------------
// 10-websocket: real peers for the dashboard server (Python websockets, autobahn's
// Twisted server, kosoku's Autobahn fuzzing cases, headless Chromium)

/// A dashboard server (the Rust demo or the chapter's Twisted snippet) on free
/// loopback ports; killed when dropped.
struct Dashboards {
    child: std::process::Child,
    web: String,
    feed: String,
}

impl Dashboards {
    /// Starts `command` and reads the line both servers print:
    /// `dashboard listening on 127.0.0.1:P; stock feed on 127.0.0.1:Q`.
    fn start(mut command: Command, what: &str) -> Dashboards {
        use std::io::{BufRead, BufReader};
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line.contains("dashboard listening on "))
            .unwrap_or_else(|| panic!("{what} never said where it listens"));
        std::thread::spawn(move || lines.for_each(drop));
        let word_after = |marker: &str| {
            let rest = line.split(marker).nth(1).unwrap_or_else(|| panic!("{what}: no {marker:?} in {line:?}"));
            rest.split(|c: char| c.is_whitespace() || c == ';').next().unwrap().to_owned()
        };
        Dashboards { web: word_after("listening on "), feed: word_after("stock feed on "), child }
    }

    /// The Rust solution's demo.
    fn rust() -> Dashboards {
        let mut command = Command::new(Demo::build("sol10-websocket"));
        command.args(["--listen", "127.0.0.1:0"]);
        Dashboards::start(command, "sol10-websocket")
    }

    /// The chapter's Twisted snippet, in the book's venv.
    fn twisted(python: &Path) -> Dashboards {
        let snippet = src().join("websocket/twisted/dashboard.py");
        let mut command = Command::new(python);
        command.arg(&snippet).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
        Dashboards::start(command, "websocket/twisted/dashboard.py")
    }
}

impl Drop for Dashboards {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn book_venv_python() -> PathBuf {
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    twisted_venv()
}

/// Runs one of the chapter's client scripts (book/src/websocket/clients/) against
/// `server`; returns whether it succeeded and its output.
fn websocket_client(python: &Path, script: &str, server: &Dashboards, extra: &[&str]) -> (bool, String) {
    let mut command = Command::new(python);
    command
        .arg(src().join("websocket/clients").join(script))
        .args([&server.web, &server.feed])
        .args(extra)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    run_with_timeout(command, SNIPPET_TIMEOUT)
}

#[test]
fn websocket_twisted_snippet_and_rust_solution_answer_one_scripted_client_alike() {
    let python = book_venv_python();
    let (rust_ok, rust) = websocket_client(&python, "script.py", &Dashboards::rust(), &[]);
    let (twisted_ok, twisted) = websocket_client(&python, "script.py", &Dashboards::twisted(&python), &[]);
    assert!(rust_ok && twisted_ok, "the script failed:\n--- Rust\n{rust}\n--- Twisted\n{twisted}");
    assert!(rust.contains("big -- closed with 1009"), "the script did not run to its end:\n{rust}");
    assert_eq!(rust, twisted, "the Rust solution and the Twisted snippet answer differently");
}

#[test]
fn websocket_echo_passes_the_autobahn_fuzzing_cases_1_to_10_with_kosoku() {
    let python = book_venv_python();
    let server = Dashboards::rust();
    let reports = tempfile::tempdir().unwrap();
    let mut kosoku = Command::new(&python);
    kosoku
        .args(["-c", "from kosoku._cli import main; main()"])
        .arg(format!("ws://{}/echo", server.web))
        // 12.* and 13.* are permessage-deflate, which the server does not offer.
        .args(["-x", "12.*", "-x", "13.*", "--parallelism", "2", "--outdir"])
        .arg(reports.path());
    let (ok, output) = run_with_timeout(kosoku, Duration::from_secs(300));
    assert!(ok && output.contains("cases passed"), "kosoku (Autobahn cases 1-10) against /echo failed:\n{output}");
}

#[test]
fn websocket_dashboard_page_shows_live_totals_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!(
                "chromium is missing: this test loads the websocket chapter's dashboard page in a \
                 real headless browser. Install it (Debian/Ubuntu: apt-get install chromium), \
                 then run the tests again."
            )
        });
    let python = book_venv_python();
    let (ok, output) = websocket_client(&python, "browser.py", &Dashboards::rust(), &[chromium]);
    assert!(ok && output.contains("page shows GADGET=3 WIDGET-1=3"), "headless Chromium:\n{output}");
}

// ---------------------------------------------------------------------------------
// 09-tls (the TLS chapter): the chapter's Twisted server and the Rust solution answer
// one scripted Twisted TLS client the same way, over TLS and over STARTTLS.

/// Starts a server that prints `listening on 127.0.0.1:PORT…` and writes its test
/// CA to `pem_dir/ca.pem`; killed when dropped.
fn start_tls_server(mut command: Command, what: &str) -> Demo {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("listening on ").nth(1)?;
            Some(rest.split(|c: char| c.is_whitespace() || c == ';').next()?.to_owned())
        })
        .unwrap_or_else(|| panic!("{what} never said where it listens"));
    std::thread::spawn(move || lines.for_each(drop));
    Demo { child, addr }
}

#[test]
fn the_twisted_tls_server_and_the_rust_solution_answer_the_twisted_client_alike() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let snippets = src().join("tls/twisted");
    let rust_demo = Demo::build("sol09-tls");
    let moves = ["WIDGET-1 5", "WIDGET-1 -2", "GADGET 3", "WIDGET-1 10"];
    let mut failures = Vec::new();
    for mode in [None, Some("--starttls")] {
        let mut answers = Vec::new();
        for server in ["twisted", "rust"] {
            let pem_dir = target_dir().join(format!("book-tls-{server}-{}", mode.unwrap_or("tls")));
            std::fs::create_dir_all(&pem_dir).unwrap();
            let mut command = if server == "twisted" {
                let mut c = Command::new(&python);
                c.arg(snippets.join("feed_server.py")).args(["--listen", "0"]).current_dir(&snippets);
                c.env("PYTHONDONTWRITEBYTECODE", "1");
                c
            } else {
                let mut c = Command::new(&rust_demo);
                c.args(["--listen", "127.0.0.1:0"]);
                c
            };
            command.arg("--pem-dir").arg(&pem_dir).args(mode);
            let running = start_tls_server(command, server);
            let mut client = Command::new(&python);
            client
                .arg(snippets.join("feed_client.py"))
                .args(["--connect", &running.addr, "--ca"])
                .arg(pem_dir.join("ca.pem"))
                .args(mode)
                .args(moves)
                .current_dir(&snippets)
                .env("PYTHONDONTWRITEBYTECODE", "1");
            let (ok, output) = run_with_timeout(client, SNIPPET_TIMEOUT);
            if !ok {
                failures.push(format!("feed_client.py against the {server} server {mode:?}:\n{output}"));
            }
            answers.push(output);
            drop(running);
            let _ = std::fs::remove_dir_all(&pem_dir);
        }
        let expected = "> WIDGET-1 5\n< WIDGET-1 5\n> WIDGET-1 -2\n< WIDGET-1 3\n> GADGET 3\n< GADGET 3\n> WIDGET-1 10\n< WIDGET-1 13";
        for (server, output) in ["twisted", "rust"].iter().zip(&answers) {
            if output.trim_end() != expected {
                failures.push(format!("the {server} server {mode:?} answered the Twisted client:\n{output}"));
            }
        }
    }
    assert_no_problems("the TLS chapter's servers, Twisted and Rust, side by side", &failures);
}

// ---------------------------------------------------------------------------------
// 14-processes (Part II, "Legacy protocols: processes and bridges"): the chapter's
// Twisted FakeTelnet and the Rust bridge answer one scripted client alike, and the
// real peers the chapter names (nc, telnet) drive them.

/// One connection to a bridge: the writes, in order, then (if `end_of_input`) a
/// half-close; returns every byte heard until the bridge hangs up, escaped.
fn bridge_conversation(addr: &str, writes: &[&[u8]], end_of_input: bool) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Read on a thread of its own: a big write to `cat` comes back while it is sent.
    let mut reader = stream.try_clone().unwrap();
    let heard = std::thread::spawn(move || {
        let mut heard = Vec::new();
        let outcome = reader.read_to_end(&mut heard);
        let mut text = String::from_utf8_lossy(&heard).escape_debug().to_string();
        if let Err(e) = outcome {
            text.push_str(&format!(" !! {e}"));
        }
        text
    });
    for write in writes {
        stream.write_all(write).unwrap();
    }
    if end_of_input {
        stream.shutdown(std::net::Shutdown::Write).unwrap();
    }
    heard.join().unwrap()
}

/// A tool on PATH that a test needs, or a failure that says how to install it.
fn require_tool(tool: &str, check: &[&str], install: &str) {
    let found = Command::new(tool).args(check).stdin(Stdio::null()).output().is_ok();
    assert!(
        found,
        "`{tool}` is missing: this test drives the bridge with it. Install it ({install}), then run the tests again."
    );
}

#[test]
fn fake_telnet_answers_alike_in_twisted_and_rust() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let big: Vec<u8> = (0..256 << 10).map(|i| b"widget-1 low\n"[i % 13]).collect();
    let long = [b'x'; 100];
    let cat = [&b"cat\r\n"[..], &big];
    // (writes, end of input): one connection each.
    let script: [(&[&[u8]], bool); 12] = [
        (&[b"upper\r\n", b"widget-1 low\r\n", b"bolt-2 "], true),
        (&[b"sort\nwidget-9\nbolt-2\n", b"gadget-5\n"], true),
        (&[b"count\r\n", b"a\nb\nc\n"], true),
        (&[b"broken\r\n"], true),
        (&[b"broken\r\n"], false),
        (&cat, true),
        (&[b"sh -c id\r\n"], true),
        (&[b"cat; rm -rf /\r\n"], true),
        (&[b"UPPER\r\n"], true),
        (&[b"\r\n"], true),
        (&[&long], true),
        (&[], true),
    ];
    let rust = Demo::start("sol14-processes");
    let twisted = twisted_server(&python, "processes/twisted/fake_telnet.py");
    let mut differences = Vec::new();
    let mut heard = Vec::new();
    for (number, (writes, end_of_input)) in script.iter().enumerate() {
        let from_rust = bridge_conversation(&rust.addr, writes, *end_of_input);
        let from_twisted = bridge_conversation(&twisted.addr, writes, *end_of_input);
        if from_rust != from_twisted {
            let cut = |s: &str| s.chars().take(300).collect::<String>();
            differences.push(format!("#{number}: rust {:?} / twisted {:?}", cut(&from_rust), cut(&from_twisted)));
        }
        heard.push(from_rust);
    }
    assert_no_problems("sol14-processes and processes/twisted/fake_telnet.py answer differently", &differences);
    // What the chapter quotes, and the echo of 256 KiB through cat, whole.
    assert_eq!(heard[0], r"WIDGET-1 LOW\r\nBOLT-2 ! exited with code 0\r\n");
    assert!(heard[3].ends_with(r"No such file or directory\r\n! exited with code 1\r\n"), "{}", heard[3]);
    let echoed = String::from_utf8_lossy(&big).escape_debug().to_string() + r"! exited with code 0\r\n";
    assert!(heard[5] == echoed, "256 KiB through cat came back as {} other characters", heard[5].len());
    assert_eq!(heard[6], r"! unknown command (allowed: broken, cat, count, flood, nap, sort, upper)\r\n");
}

/// A solution's demo whose log (its stdout) the test reads; killed when dropped.
struct LoggingDemo {
    child: std::process::Child,
    addr: String,
    log: std::sync::mpsc::Receiver<String>,
}

impl LoggingDemo {
    fn start(package: &str) -> LoggingDemo {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(Demo::build(package))
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (lines, log) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let addr = log
            .iter()
            .find_map(|line| Some(line.split("listening on ").nth(1)?.split(' ').next()?.to_owned()))
            .unwrap_or_else(|| panic!("{package}'s demo never said where it listens"));
        LoggingDemo { child, addr, log }
    }

    /// The next log line that contains `text`, within a few seconds.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!("the demo never logged {text:?}"),
            }
        }
    }
}

impl Drop for LoggingDemo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn nc_and_telnet_drive_the_bridge() {
    use std::io::{BufRead, BufReader, Write};
    require_tool("nc", &["-h"], "Debian/Ubuntu: apt-get install netcat-openbsd; macOS has it");
    require_tool("telnet", &["--version"], "Debian/Ubuntu: apt-get install telnet; macOS: brew install telnet");
    let demo = LoggingDemo::start("sol14-processes");
    let (host, port) = demo.addr.rsplit_once(':').unwrap();

    // nc -N: its end of input (stdin's end) becomes the child's.
    let mut nc = Command::new("nc");
    nc.args(["-N", host, port]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut nc = nc.spawn().unwrap();
    nc.stdin.take().unwrap().write_all(b"sort\nwidget-9\nbolt-2\n").unwrap();
    let out = nc.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "bolt-2\nwidget-9\n! exited with code 0\r\n",
        "nc -N: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // telnet: a user starts `flood`, watches the y's, and closes the window. (From a
    // pipe, telnet sends each \n as \r\n, as Enter does.)
    let mut telnet = Command::new("telnet")
        .args([host, port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    telnet.stdin.as_mut().unwrap().write_all(b"flood\n").unwrap();
    let mut screen = BufReader::new(telnet.stdout.take().unwrap());
    let mut seen = Vec::new();
    while seen.len() < 20 {
        let mut line = String::new();
        if screen.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if line == "y\n" || line == "y\r\n" {
            seen.push(line);
        }
    }
    assert_eq!(seen.len(), 20, "telnet saw no flood of y's");
    let started = demo.wait_for(": started flood");
    let pid = started.trim_start_matches("pid ").split(':').next().unwrap().to_owned();
    let _ = telnet.kill();
    let _ = telnet.wait();
    demo.wait_for(&format!("pid {pid}: killed by signal 9, reaped"));
}

// ---------------------------------------------------------------------------------
// 15-deploy (Deployment): the chapter's systemd unit says what the chapter explains,
// for the binary the exercise builds

/// The `Key=value` lines of a unit file's `[section]`, comments left out.
fn unit_section(unit: &str, section: &str) -> Vec<(String, String)> {
    let header = format!("[{section}]");
    unit.lines()
        .map(str::trim)
        .skip_while(|line| *line != header)
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

#[test]
fn the_deployment_unit_file_runs_the_exercise_binary_as_the_chapter_explains() {
    let path = src().join("deployment/untwisted-inventory.service");
    let unit = read(&path);
    let service = unit_section(&unit, "Service");
    let value = |key: &str| service.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let mut problems = Vec::new();
    let mut expect = |key: &str, ok: bool, why: &str| {
        if !ok {
            problems.push(format!("{}: {key}={:?}: {why}", shown(&path), value(key)));
        }
    };
    // The binary the exercise builds (its [[bin]] name), in the foreground.
    let manifest_toml = read(&root().join("exercises/15-deploy/Cargo.toml"));
    expect(
        "ExecStart",
        value("ExecStart").is_some_and(|v| {
            v.ends_with("/untwisted-inventory") && manifest_toml.contains("name = \"untwisted-inventory\"")
        }),
        "runs the exercise's binary, untwisted-inventory",
    );
    expect("Type", value("Type").is_none_or(|v| v == "simple" || v == "exec"), "a foreground process");
    expect("PIDFile", value("PIDFile").is_none(), "no pid file: systemd tracks the process");
    // Every Environment= names a variable the service reads (the exercise's config.rs
    // documents them; the solution's declares them with clap's `env`).
    let config = read(&root().join("solutions/15-deploy/src/config.rs"));
    let variables: Vec<&str> = service
        .iter()
        .filter(|(k, _)| k == "Environment")
        .filter_map(|(_, v)| v.split_once('=').map(|(name, _)| name))
        .collect();
    expect("Environment", !variables.is_empty(), "the settings come from the environment");
    for variable in &variables {
        expect("Environment", config.contains(&format!("env = \"{variable}\"")), &format!("{variable} is not read"));
    }
    // The stop: SIGTERM, and a timeout above the longest drain the service accepts.
    expect("KillSignal", value("KillSignal").is_none_or(|v| v == "SIGTERM"), "systemctl stop sends SIGTERM");
    let max_drain: u64 = config
        .lines()
        .find_map(|l| l.strip_prefix("pub const MAX_DRAIN_SECS: u64 = ")?.strip_suffix(';')?.parse().ok())
        .expect("MAX_DRAIN_SECS in solutions/15-deploy/src/config.rs");
    let drain: u64 = variables
        .iter()
        .find(|v| **v == "INVENTORY_DRAIN_SECS")
        .and_then(|_| service.iter().find_map(|(_, v)| v.strip_prefix("INVENTORY_DRAIN_SECS=")?.parse().ok()))
        .unwrap_or(10);
    let stop_timeout: Option<u64> = value("TimeoutStopSec").and_then(|v| v.parse().ok());
    expect(
        "TimeoutStopSec",
        stop_timeout.is_some_and(|t| t > drain && drain <= max_drain),
        "seconds, longer than the drain (INVENTORY_DRAIN_SECS), or SIGKILL cuts it",
    );
    expect("Restart", value("Restart") == Some("on-failure"), "restart a crash, not a stop (exit 0)");
    expect("RestartPreventExitStatus", value("RestartPreventExitStatus") == Some("2"), "bad settings exit 2");
    expect("DynamicUser", value("DynamicUser") == Some("yes"), "no root");
    let install = unit_section(&unit, "Install");
    if !install.iter().any(|(k, v)| k == "WantedBy" && v == "multi-user.target") {
        problems.push(format!("{}: [Install] WantedBy=multi-user.target is missing", shown(&path)));
    }
    // A bonus where systemd is installed: its own checker (it needs the binary to exist
    // at ExecStart's path, so only its syntax complaints count).
    if let Ok(out) = Command::new("systemd-analyze").arg("verify").arg(&path).output() {
        let said = String::from_utf8_lossy(&out.stderr);
        for line in
            said.lines().filter(|l| l.contains("Unknown") || l.contains("Invalid") || l.contains("Failed to parse"))
        {
            problems.push(format!("systemd-analyze verify: {line}"));
        }
    }
    assert_no_problems("the deployment chapter's unit file", &problems);
}

// 15-deploy, continued: the chapter's Twisted service and the Rust service answer
// and drain alike, and curl reads the Rust service's health check

#[test]
fn the_inventory_service_answers_alike_in_twisted_and_rust() {
    let conversation = |exchanges: Vec<(Vec<Vec<u8>>, usize)>, closes| Conversation { exchanges, closes };
    let longest = [vec![b'x'; 1024], b"\r\n".to_vec()].concat();
    let too_long = [vec![b'x'; 1025], b"\r\n".to_vec()].concat();
    let script = [
        conversation(
            vec![
                say(&[b"BOLT-M8 +40\r\n"], 1),
                say(&[b"NUT", b"-M8 -3\r\n"], 1),
                say(&[b"\r\n"], 1),
                say(&[b"END\r\n"], 1),
                say(&[b"BEGIN\r\n", b"BOLT-M8 40\r\nNUT-M8 12\r\n"], 1),
                say(&[b"BEGIN\r\n"], 1),
                say(&[b"END\r\n"], 1),
                say(&[&longest], 1),
            ],
            false,
        ),
        conversation(vec![say(&[&too_long], 1)], true),
        conversation(vec![say(&[&[b'x'; 4096]], 1)], true),
        conversation(vec![say(&[b"\xff\xfe\r\n"], 1)], true),
    ];
    let heard = same_answers("sol15-deploy", "deployment/twisted/inventory_service.py", &script);
    for answer in [r"#0 < ok counting\r\n", r"#0 < ok counted 2\r\n", r"#1 < error: line too long\r\n"] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

/// The drain as a client sees it: an idle clerk and a counting clerk, SIGTERM to the
/// server, a latecomer, the count's end; every line heard, every close, and the exit.
fn drain_heard(mut server: Demo) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    let connect = || {
        let stream = std::net::TcpStream::connect(&server.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        BufReader::new(stream)
    };
    let mut heard = Vec::new();
    let hear = |heard: &mut Vec<String>, who: &str, clerk: &mut BufReader<std::net::TcpStream>| {
        let mut line = String::new();
        match clerk.read_line(&mut line) {
            Ok(0) => heard.push(format!("{who} -- closed")),
            Ok(_) => heard.push(format!("{who} < {}", line.escape_debug())),
            Err(e) => heard.push(format!("{who} !! {:?}", e.kind())),
        }
    };
    let (mut alice, mut bob) = (connect(), connect());
    alice.get_mut().write_all(b"BOLT-M8 +40\r\n").unwrap();
    hear(&mut heard, "alice", &mut alice);
    bob.get_mut().write_all(b"BEGIN\r\nBOLT-M8 40\r\n").unwrap();
    hear(&mut heard, "bob", &mut bob);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success(), "kill -TERM");
    hear(&mut heard, "alice", &mut alice);
    hear(&mut heard, "alice", &mut alice);
    let carol = std::net::TcpStream::connect(&server.addr);
    heard.push(format!("carol: {}", if carol.is_ok() { "let in" } else { "refused" }));
    bob.get_mut().write_all(b"END\r\n").unwrap();
    for _ in 0..3 {
        hear(&mut heard, "bob", &mut bob);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        match server.child.try_wait().unwrap() {
            Some(status) => break format!("exit {:?}", status.code()),
            None if Instant::now() > deadline => break "still running".to_owned(),
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    heard.push(status);
    heard
}

#[cfg(unix)]
#[test]
fn sigterm_drains_the_twisted_and_the_rust_service_alike() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let rust = drain_heard(Demo::start("sol15-deploy"));
    let twisted = drain_heard(twisted_server(&python, "deployment/twisted/inventory_service.py"));
    let expected = [
        r"alice < ok BOLT-M8 +40\r\n",
        r"bob < ok counting\r\n",
        r"alice < bye: shutting down\r\n",
        "alice -- closed",
        "carol: refused",
        r"bob < ok counted 1\r\n",
        r"bob < bye: shutting down\r\n",
        "bob -- closed",
        "exit Some(0)",
    ];
    assert_eq!(rust, expected, "the Rust service (sol15-deploy)");
    assert_eq!(twisted, expected, "the Twisted service (deployment/twisted/inventory_service.py)");
}

#[test]
fn curl_reads_the_rust_services_health_check() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(Demo::build("sol15-deploy"))
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let health = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| Some(line.split("health on ").nth(1)?.trim().to_owned()))
        .expect("sol15-deploy says where its health check is");
    let server = Demo { child, addr: String::new() }; // killed when dropped
    let curl = |url: &str| {
        let out = Command::new("curl").args(["--silent", "--show-error", "--include", "--max-time", "5", url]).output();
        let out = out.unwrap_or_else(|e| panic!("curl is missing ({e}): install curl (apt-get install curl)"));
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
    };
    let ready = curl(&health);
    assert!(ready.starts_with("HTTP/1.1 200 OK\n") && ready.ends_with("\n\nready\n"), "{health}:\n{ready}");
    let live = curl(&health.replace("/ready", "/live"));
    assert!(live.starts_with("HTTP/1.1 200 OK\n") && live.ends_with("\n\nalive\n"), "/live:\n{live}");
    let nothing = curl(&health.replace("/ready", "/metrics"));
    assert!(nothing.starts_with("HTTP/1.1 404 Not Found\n"), "/metrics:\n{nothing}");
    drop(server);
}

// ---------------------------------------------------------------------------------
// 13-ssh (Legacy protocols: SSH): OpenSSH's `ssh`, with `sshpass` for the password,
// gets the same answers and exit statuses from the chapter's conch server and from
// the Rust solution; conch's client runs commands on the Rust demo

/// `sshpass`, or a failure that says how to get it (and OpenSSH's client).
fn sshpass() -> &'static str {
    let works = |tool: &str, flag: &str| Command::new(tool).arg(flag).output().is_ok();
    assert!(
        works("sshpass", "-V") && works("ssh", "-V"),
        "sshpass or ssh is missing: the SSH chapter's servers are tested with OpenSSH's \
         client and sshpass. Install them (Debian and Ubuntu: apt-get install \
         openssh-client sshpass; macOS: brew install sshpass)."
    );
    "sshpass"
}

/// Logs in to `addr` as clerk with `password` (sshpass), runs `command` (or a shell
/// fed `input` through a pipe when `command` is empty); returns the exit code and
/// what was printed on stdout.
fn ssh_as_clerk(addr: &str, password: &str, command: &str, input: &str) -> (Option<i32>, String) {
    use std::io::Write;
    let port = addr.rsplit_once(':').unwrap().1;
    let mut ssh = Command::new(sshpass());
    ssh.args(["-p", password, "ssh", "-T", "-F", "/dev/null", "-p", port])
        .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"])
        .args(["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2", "clerk@127.0.0.1"]);
    if !command.is_empty() {
        ssh.arg(command);
    }
    let mut child = ssh.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn openssh_gets_the_same_answers_from_the_conch_server_and_the_rust_solution() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let rust = Demo::start("sol13-ssh");
    let twisted = twisted_server(&python, "ssh/twisted/conch_shell.py");
    // (password, command, what a piped shell reads)
    let script = [
        ("widgets", "list", ""),
        ("widgets", "stock WIDGET-1", ""),
        ("widgets", "move WIDGET-1 -5", ""),
        ("widgets", "stock NOPE", ""),
        ("widgets", "move GADGET -4", ""),
        ("widgets", "move GADGET lots", ""),
        ("widgets", "frobnicate now", ""),
        ("widgets", "", "stock WIDGET-1\nmove GADGET 2\nquit\n"),
        ("widgets", "", "list\n"),
        ("gadgets", "list", ""),
    ];
    let run = |addr: &str| -> Vec<String> {
        script
            .iter()
            .map(|(password, command, input)| {
                let (code, stdout) = ssh_as_clerk(addr, password, command, input);
                format!("{command:?} {input:?} -> exit {code:?}: {stdout:?}")
            })
            .collect()
    };
    let (from_rust, from_twisted) = (run(&rust.addr), run(&twisted.addr));
    let differences: Vec<String> = from_rust
        .iter()
        .zip(&from_twisted)
        .filter(|(r, t)| r != t)
        .map(|(r, t)| format!("rust    {r}\ntwisted {t}"))
        .collect();
    assert_no_problems("OpenSSH hears the two SSH servers differently", &differences);
    // The chapter's table quotes these.
    for expected in [
        r#""stock WIDGET-1" "" -> exit Some(0): "WIDGET-1 40\n""#,
        r#""stock NOPE" "" -> exit Some(1): "no such SKU: NOPE\n""#,
        r#""move GADGET lots" "" -> exit Some(2): "not a quantity: lots\n""#,
        r#""frobnicate now" "" -> exit Some(127): "unknown command: frobnicate\n""#,
        // A wrong password: ssh asks again, and sshpass gives up with its code 5.
        r#""list" "" -> exit Some(5): """#,
    ] {
        assert!(from_rust.iter().any(|line| line == expected), "no {expected} in {from_rust:#?}");
    }
}

#[test]
fn the_conch_client_runs_commands_on_the_rust_demo() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let demo = Demo::start("sol13-ssh");
    let snippet = src().join("ssh/twisted/conch_shell.py");
    for (command, ok, printed) in
        [("stock WIDGET-1", true, "WIDGET-1 40\n"), ("stock NOPE", false, "no such SKU: NOPE\n")]
    {
        let mut client = Command::new(&python);
        client
            .arg(&snippet)
            .args(["--connect", &demo.addr, command])
            .current_dir(snippet.parent().unwrap())
            .env("PYTHONDONTWRITEBYTECODE", "1");
        let (succeeded, output) = run_with_timeout(client, SNIPPET_TIMEOUT);
        assert!(
            succeeded == ok && output == printed,
            "{} --connect {} {command:?} (exit status 0: {succeeded}) printed:\n{output:?}",
            shown(&snippet),
            demo.addr
        );
    }
}

/// Runs `command` on `addr` as clerk with OpenSSH alone: an `SSH_ASKPASS` program
/// types `answers` at the password prompts, one per prompt. Returns ssh's exit code,
/// its stdout, and how many prompts it showed.
fn ssh_typing(addr: &str, answers: &[&str], command: &str) -> (Option<i32>, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let askpass = dir.path().join("askpass");
    std::fs::write(dir.path().join("answers"), answers.join("\n") + "\n").unwrap();
    // Each run prints the next answer and counts itself.
    let script = "#!/bin/sh\nd=$(dirname \"$0\")\necho x >> \"$d/asked\"\n\
                  sed -n \"$(wc -l < \"$d/asked\")p\" \"$d/answers\"\n";
    std::fs::write(&askpass, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&askpass, std::fs::Permissions::from_mode(0o700)).unwrap();
    let port = addr.rsplit_once(':').unwrap().1;
    let output = Command::new("ssh")
        .args(["-T", "-F", "/dev/null", "-p", port])
        .args(["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "PubkeyAuthentication=no", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"])
        .args(["clerk@127.0.0.1", command])
        .env("SSH_ASKPASS", &askpass)
        .env("SSH_ASKPASS_REQUIRE", "force")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let asked = std::fs::read_to_string(dir.path().join("asked")).unwrap_or_default().lines().count();
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned(), asked)
}

#[test]
fn a_mistyped_password_gets_another_prompt_until_the_attempt_limit() {
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    sshpass(); // says what to install when OpenSSH is missing
    let rust = Demo::start("sol13-ssh");
    let twisted = twisted_server(&python, "ssh/twisted/conch_shell.py");
    for (server, addr) in [("rust", &rust.addr), ("twisted", &twisted.addr)] {
        let typo = ssh_typing(addr, &["gadgets", "widgets"], "stock WIDGET-1");
        assert_eq!(typo, (Some(0), "WIDGET-1 40\n".to_owned(), 2), "{server}: a typo, then the password");
        // OpenSSH asks three times; the third wrong try is the last one both allow.
        let guesser = ssh_typing(addr, &["a", "b", "c", "d", "e"], "list");
        assert_eq!(guesser, (Some(255), String::new(), 3), "{server}: a guesser");
    }
}
