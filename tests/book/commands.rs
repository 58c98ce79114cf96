//! Runner commands shown in the book are real: every `cargo xtask …` the book shows is
//! checked against the runner's own `--help` and the manifest.

use super::*;

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
pub(crate) fn code_in(markdown: &str) -> Vec<(usize, String)> {
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
