//! Tests of the whole for the book: it agrees with the manifest and the runner, every
//! include and link resolves, both tracks add up, it builds without a warning
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

/// How long one snippet's `--selftest` may take.
const SNIPPET_TIMEOUT: Duration = Duration::from_secs(30);

#[path = "../support/mod.rs"]
mod support;

// How the pages teach, and the commands they show; the two tracks' timing.
mod commands;
mod teaching;
mod tracks;

// The demos' shared contract, and the chapters' real peers, one module each: a
// chapter's Twisted server and its Rust solution answer one scripted client alike,
// and the real clients (curl, openssl, dig, ssh, a browser...) talk to the demos.
mod capstone;
mod demos;
mod deploy;
mod dns;
mod finger;
mod lines_protocols;
mod processes;
mod room;
mod ssh;
mod tls;
mod web;
mod websocket;

// Shared with later modules: code spans, and the 04/05 scripted-client comparison.
use commands::code_in;
use lines_protocols::{Conversation, same_answers, say, twisted_server};

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
// Building the book

/// The slow tests share what they install; this keeps two of them from installing
/// the same thing at once.
static INSTALLING: Mutex<()> = Mutex::new(());

#[test]
fn the_book_builds_without_warnings_and_can_be_searched() {
    let mdbook = ensure_mdbook();
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

/// The pinned mdBook, installed under .untwisted/tools the first time (one test at a
/// time: see [`INSTALLING`]).
fn ensure_mdbook() -> PathBuf {
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
    mdbook::ensure(&root()).unwrap_or_else(|e| panic!("{e}"))
}

/// A virtual environment under target/ with exactly book/requirements.txt installed,
/// made once and reused while the requirements stay the same; its Python. One test
/// makes it while the others wait (see [`INSTALLING`]).
fn twisted_venv() -> PathBuf {
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
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
    let python = twisted_venv();
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
        let mut child = Demo::spawn(package);
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
    /// Builds `package`'s demo binary and starts it with `--listen 127.0.0.1:0`, its
    /// stdout piped for the caller to read (what it prints first says where it is).
    fn spawn(package: &str) -> std::process::Child {
        Command::new(Demo::build(package))
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {package}'s demo: {e}"))
    }

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
    let python = twisted_venv();
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
