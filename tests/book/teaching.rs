//! Teach, don't tell: no page but a solution walkthrough shows a learner's function;
//! and how included code reads: width, fences that hold, no Run button that fails,
//! every API a chapter introduces linked to its reference.

use super::*;

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
    let mdbook = ensure_mdbook();
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
