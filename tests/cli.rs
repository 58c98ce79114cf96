//! Tests of the runner's command line, against a fixture exercise in a temporary
//! workspace: every verdict a learner can meet, and `verify` itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use tempfile::TempDir;

mod support;
use support::{runner, workspace_root};

// The room (`join`, `leave`, verdicts posted while joined, the offline bundle).
#[path = "cli/room.rs"]
mod room;

/// A throwaway copy of `tests/fixture`: two exercises (01 synchronous, 02 async with
/// a given module), their stubs and solutions, a git history and a seal.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
        copy_tree(&source, dir.path());
        let test_kit = workspace_root().join("test-kit");
        let manifest = std::fs::read_to_string(source.join("Cargo.toml.in"))
            .unwrap()
            .replace("@TEST_KIT@", &test_kit.canonicalize().unwrap().to_string_lossy().replace('\\', "/"));
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        std::fs::remove_file(dir.path().join("Cargo.toml.in")).unwrap();
        // Cargo names build artifacts after the package and its path *relative to the
        // workspace*, so every copy of the fixture would share one set of artifacts in
        // the shared target folder, and a parallel test could run another's binary. A
        // version of its own per copy keeps them apart.
        static COPIES: AtomicUsize = AtomicUsize::new(0);
        let version = format!("0.1.0-p{}-c{}", std::process::id(), COPIES.fetch_add(1, Ordering::SeqCst));
        for path in packages(dir.path()) {
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("version = \"0.1.0\"", &format!("version = \"{version}\""));
            std::fs::write(path, text).unwrap();
        }
        // The real lock file: the fixture then builds the same dependency versions
        // as the workspace, into a shared target folder, so they compile once.
        std::fs::copy(workspace_root().join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        std::fs::write(dir.path().join(".gitignore"), "/.untwisted\n").unwrap();
        let fixture = Fixture { dir };
        let seal = fixture.xtask(&["seal"]).output().unwrap();
        assert!(seal.status.success(), "seal: {}", String::from_utf8_lossy(&seal.stderr));
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"],
        ] {
            let status = Command::new("git").args(args).current_dir(fixture.path()).status().unwrap();
            assert!(status.success(), "git {args:?}");
        }
        fixture
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path().join(rel), text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// Replaces the stub's body of `double`.
    fn solve_with(&self, body: &str) {
        self.write(
            "exercises/01-fixture/src/lib.rs",
            &format!("/// Doubles `x`.\npub fn double(x: u32) -> u32 {{\n    {body}\n}}\n"),
        );
    }

    /// Replaces the body of 02's `fetch` (an async fn), keeping the given module.
    fn solve_two_with(&self, body: &str) {
        self.write(
            "exercises/02-fixture/src/lib.rs",
            &format!("pub mod given;\n\n/// Resolves.\npub async fn fetch() -> u32 {{\n    {body}\n}}\n"),
        );
    }

    /// Runs `args` with `--json`; returns the exit code, stdout parsed as JSON, stderr.
    fn json(&self, args: &[&str]) -> (i32, serde_json::Value, String) {
        let output = self.xtask(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let json = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}):\n{stdout}\nstderr:\n{stderr}"));
        (output.status.code().unwrap_or(-1), json, stderr)
    }

    fn progress(&self) -> serde_json::Value {
        serde_json::from_str(&self.read(".untwisted/progress.json")).unwrap()
    }

    fn xtask(&self, args: &[&str]) -> Command {
        let mut command = Command::new(runner());
        command
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", workspace_root().join("target/fixture"))
            .env("NO_COLOR", "1")
            .env("UNTWISTED_STEP_TIMEOUT", "2")
            .env("UNTWISTED_RUN_TIMEOUT", "30")
            .env_remove("CARGO_BUILD_TARGET_DIR");
        command
    }

    /// Runs the runner; returns exit code and stdout+stderr.
    fn run(&self, args: &[&str]) -> (i32, String) {
        let output = self.xtask(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.code().unwrap_or(-1), text)
    }
}

/// The Cargo.toml of every crate in the fixture.
fn packages(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for folder in ["exercises", "solutions"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let manifest = entry.unwrap().path().join("Cargo.toml");
            if manifest.is_file() {
                found.push(manifest);
            }
        }
    }
    found
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_solved_exercise_passes_and_points_to_the_next() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 2");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Score:   2/2 steps"), "{out}");
    assert!(out.contains("Next: 02-fixture"), "{out}");
    let (_, list) = fixture.run(&["list"]);
    assert!(list.contains("Progress: 1/2 exercises"), "{list}");
    fixture.solve_two_with("given::STOCK");
    let (code, out) = fixture.run(&["check", "02-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Every exercise passes"), "{out}");
}

#[test]
fn a_todo_is_named_with_its_place() {
    let fixture = Fixture::new();
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Step 1 fails:"), "{out}");
    assert!(out.contains("not implemented yet: double(2)"), "{out}");
    assert!(out.contains("01-fixture/src/lib.rs:3:5"), "{out}");
    assert!(out.contains("Score:   0/2 steps"), "{out}");
    assert!(out.contains("Hint:    cargo xtask hint 01-fixture"), "{out}");
    assert!(out.contains("Chapter: book/src/fixture/index.md"), "{out}");
}

#[test]
fn a_failed_assertion_is_shown() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 3");
    let (code, out) = fixture.run(&["check", "1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("assertion `left == right` failed"), "{out}");
    assert!(out.contains("left: 6"), "{out}");
}

#[test]
fn a_snapshot_mismatch_shows_the_diff() {
    let fixture = Fixture::new();
    fixture.solve_with("if x == 21 { 43 } else { x * 2 }");
    let (code, out) = fixture.run(&["check", "fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Step 2 fails:"), "{out}");
    assert!(out.contains("differs from the expected snapshot"), "{out}");
    assert!(out.contains("-42") && out.contains("+43"), "{out}");
    assert!(out.contains("Score:   1/2 steps"), "{out}");
    // A check never writes snapshots.
    let snapshots = std::fs::read_dir(fixture.path().join("exercises/01-fixture/tests/snapshots")).unwrap().count();
    assert_eq!(snapshots, 1);
}

#[test]
fn a_compile_error_shows_only_the_first() {
    let fixture = Fixture::new();
    fixture.solve_with("let a: u32 = \"two\"; let b: u32 = \"three\"; a + b");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not compile yet"), "{out}");
    assert!(out.contains("mismatched types"), "{out}");
    assert!(out.contains("1 more error after this one"), "{out}");
    assert_eq!(out.matches("error[E0308]").count(), 1, "{out}");
}

#[test]
fn a_hang_times_out_instead_of_freezing() {
    let fixture = Fixture::new();
    fixture.solve_with("loop { std::hint::spin_loop() }");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("timed out after 2 s"), "{out}");
    // Step 1 awaits nothing: no talk of wakers.
    assert!(!out.contains("woke"), "{out}");
}

#[test]
fn changed_snapshots_are_refused_and_restorable() {
    let fixture = Fixture::new();
    fixture.solve_with("if x == 21 { 43 } else { x * 2 }");
    // What `cargo insta accept` would do: make the snapshot agree with wrong code.
    let snap = "exercises/01-fixture/tests/snapshots/steps__step_2_matches_the_snapshot.snap";
    fixture.write(snap, &fixture.read(snap).replace("42", "43"));
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("You changed files the checks depend on"), "{out}");
    assert!(out.contains("modified  exercises/01-fixture/tests/snapshots/steps__step_2"), "{out}");
    assert!(out.contains("cargo xtask reset 01-fixture --tests"), "{out}");

    let (code, out) = fixture.run(&["reset", "01-fixture", "--tests"]);
    assert_eq!(code, 0, "{out}");
    assert!(fixture.read(snap).contains("42"));
    // The learner's code was not touched.
    assert!(fixture.read("exercises/01-fixture/src/lib.rs").contains("43"));
}

#[test]
fn reset_keeps_a_backup_of_the_learners_code() {
    let fixture = Fixture::new();
    fixture.solve_with("x + x // my precious work");
    fixture.write("exercises/01-fixture/src/extra.rs", "// a file I added\n");
    let (code, out) = fixture.run(&["reset", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(fixture.read("exercises/01-fixture/src/lib.rs").contains("todo!"));
    assert!(!fixture.path().join("exercises/01-fixture/src/extra.rs").exists());
    let backup = out.lines().find_map(|l| l.strip_prefix("Your previous version is saved in ")).expect(&out);
    let saved = std::fs::read_to_string(Path::new(backup.trim()).join("src/lib.rs")).unwrap();
    assert!(saved.contains("my precious work"));
    assert!(Path::new(backup.trim()).join("src/extra.rs").exists());
}

#[test]
fn unknown_names_get_did_you_mean() {
    let fixture = Fixture::new();
    let (code, out) = fixture.run(&["check", "01-fixtur"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("did you mean 01-fixture"), "{out}");
    let (code, _) = fixture.run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn outside_a_workspace_says_where_to_go() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(runner()).arg("list").current_dir(empty.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("is not inside an untwisted checkout"), "{err}");
}

#[test]
fn a_corrupt_progress_file_is_moved_aside() {
    let fixture = Fixture::new();
    std::fs::create_dir_all(fixture.path().join(".untwisted")).unwrap();
    fixture.write(".untwisted/progress.json", "{ this is not json");
    let (code, out) = fixture.run(&["list"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("could not be read"), "{out}");
    assert_eq!(fixture.read(".untwisted/progress.json.corrupt"), "{ this is not json");
    fixture.solve_with("x * 2");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(fixture.read(".untwisted/progress.json").contains("\"passed\": true"));
}

#[test]
fn hints_come_one_at_a_time() {
    let fixture = Fixture::new();
    let (_, first) = fixture.run(&["hint", "01-fixture"]);
    assert!(first.contains("Hint 1/2: Multiply by two.") && !first.contains("Hint 2/2"), "{first}");
    let (_, second) = fixture.run(&["hint", "01-fixture"]);
    assert!(second.contains("Hint 2/2: Return x * 2."), "{second}");
}

#[test]
fn the_solution_is_not_revealed_without_asking() {
    let fixture = Fixture::new();
    let (code, out) = fixture.run(&["solution", "01-fixture"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--yes"), "{out}");
    let (code, out) = fixture.run(&["solution", "01-fixture", "--yes"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("+    x * 2"), "{out}");
}

#[test]
fn json_verdict_is_stable() {
    let fixture = Fixture::new();
    let output = fixture.xtask(&["check", "01-fixture", "--json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is pure JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn verify_accepts_a_good_exercise() {
    let fixture = Fixture::new();
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.trim_end().ends_with("8 passed, 0 failed"), "{out}");
}

#[test]
fn verify_rejects_a_stub_that_passes() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 2");
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("step_1_doubles passes on the stub: it proves nothing"), "{out}");
    assert!(out.trim_end().ends_with("7 passed, 1 failed"), "{out}");
}

#[test]
fn verify_rejects_a_solution_that_fails() {
    let fixture = Fixture::new();
    fixture
        .write("solutions/01-fixture/src/lib.rs", "/// Doubles `x`.\npub fn double(x: u32) -> u32 {\n    x * 3\n}\n");
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sol01-fixture: the solution passes all 2 steps"), "{out}");
    assert!(out.trim_end().ends_with("7 passed, 1 failed"), "{out}");
}

/// `cargo xtask watch` running on a fixture, read line by line.
struct Watch {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Watch {
    fn start(fixture: &Fixture, env: &[(&str, &str)]) -> Self {
        use std::io::{BufRead, BufReader};
        let mut command = fixture.xtask(&["watch", "01-fixture"]);
        command.envs(env.iter().copied()).stdout(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, lines }
    }

    /// Reads lines until one contains `what`; the watcher must get there within a minute.
    fn wait_for(&self, what: &str) {
        let mut transcript = String::new();
        loop {
            match self.lines.recv_timeout(std::time::Duration::from_secs(60)) {
                // Piped, watch clears no screen: no terminal codes in a log.
                Ok(line) if line.contains('\x1b') => panic!("a terminal code when piped: {line:?}"),
                Ok(line) if line.contains(what) => return,
                Ok(line) => transcript.push_str(&format!("{line}\n")),
                Err(_) => panic!("watch never printed {what:?}; it printed:\n{transcript}"),
            }
        }
    }
}

/// Stops the watcher however the test ends, before the fixture goes away.
impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Saves a broken build, then a fix: each save gets its verdict, and watching goes on.
fn watch_rechecks_each_save(env: &[(&str, &str)]) -> Watch {
    let fixture = Fixture::new();
    let watch = Watch::start(&fixture, env);
    watch.wait_for("Score:   0/2 steps");
    watch.wait_for("Watching");
    fixture.solve_with("this does not compile");
    watch.wait_for("does not compile yet");
    watch.wait_for("Watching");
    fixture.solve_with("x * 2");
    watch.wait_for("Score:   2/2 steps");
    watch
}

#[test]
fn watch_rechecks_on_save_and_survives_a_broken_build() {
    watch_rechecks_each_save(&[]);
}

#[test]
fn watch_falls_back_to_polling_and_says_so() {
    let watch = watch_rechecks_each_save(&[("UNTWISTED_WATCH", "poll")]);
    watch.wait_for("note: UNTWISTED_WATCH=poll is set; polling for changes instead");
}

#[test]
fn watch_does_not_miss_a_save_made_during_a_check() {
    let fixture = Fixture::new();
    // Code that says when its check has started (it connects to us), then hangs until
    // the step times out: the save below lands while that check runs.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    fixture.solve_with(&format!(
        "let _c = std::net::TcpStream::connect(\"{}\"); std::thread::sleep(std::time::Duration::from_secs(60)); x",
        listener.local_addr().unwrap()
    ));
    let (started, check_started) = std::sync::mpsc::channel();
    std::thread::spawn(move || started.send(listener.accept().is_ok()));
    let watch = Watch::start(&fixture, &[]);
    assert_eq!(check_started.recv_timeout(std::time::Duration::from_secs(60)), Ok(true), "the first check never ran");
    fixture.solve_with("x * 2");
    watch.wait_for("timed out after 2 s");
    watch.wait_for("Watching");
    watch.wait_for("Score:   2/2 steps");
}

#[test]
fn a_crash_is_a_failed_step_not_a_runner_error() {
    let fixture = Fixture::new();
    fixture.solve_with("std::process::abort()");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("the test process crashed before this step finished"), "{out}");
}

// ---- Issue 8: never a false pass, never a lost file ----

/// The backup folder `reset` printed.
fn backup_path(out: &str) -> PathBuf {
    let line = out.lines().find_map(|l| l.strip_prefix("Your previous version is saved in ")).expect(out);
    PathBuf::from(line.trim())
}

#[test]
fn process_exit_in_the_learners_code_fails_the_steps_it_cut_short() {
    let fixture = Fixture::new();
    // Step 1 (double(2)) passes and reports; step 2 (double(21)) ends the whole test
    // process, successfully, before it reports.
    fixture.solve_with(
        "if x == 21 { std::thread::sleep(std::time::Duration::from_millis(300)); std::process::exit(0) }\n    x * 2",
    );
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Score:   1/2 steps"), "{out}");
    assert!(out.contains("Step 2 fails:") && out.contains("exited early"), "{out}");
    assert!(!out.contains("Well done"), "{out}");
    assert_eq!(fixture.progress()["exercises"]["01-fixture"]["passed"], false);
    // Exiting before any step reports is a failed check too, not "has no tests".
    fixture.solve_with("std::process::exit(0)");
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Score:   0/2 steps") && out.contains("exited early"), "{out}");
}

#[test]
fn two_resets_in_the_same_second_keep_both_backups() {
    let fixture = Fixture::new();
    // Backups already taken this second and the next few (as a quick second reset finds).
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let backups = fixture.path().join(".untwisted/backups/01-fixture");
    for second in now..now + 5 {
        std::fs::create_dir_all(backups.join(second.to_string()).join("src")).unwrap();
        std::fs::write(backups.join(second.to_string()).join("src/lib.rs"), "// an older backup\n").unwrap();
    }
    let mut saved = Vec::new();
    for work in ["first attempt", "second attempt"] {
        fixture.solve_with(&format!("x * 2 // {work}"));
        let (code, out) = fixture.run(&["reset", "01-fixture"]);
        assert_eq!(code, 0, "{out}");
        saved.push(backup_path(&out));
    }
    assert_ne!(saved[0], saved[1]);
    assert!(std::fs::read_to_string(saved[0].join("src/lib.rs")).unwrap().contains("first attempt"));
    assert!(std::fs::read_to_string(saved[1].join("src/lib.rs")).unwrap().contains("second attempt"));
    for second in now..now + 5 {
        let older = std::fs::read_to_string(backups.join(second.to_string()).join("src/lib.rs")).unwrap();
        assert_eq!(older, "// an older backup\n", "backup {second} was overwritten");
    }
}

#[test]
fn a_broken_cargo_toml_is_named_and_reset_still_works() {
    let fixture = Fixture::new();
    let manifest = "exercises/01-fixture/Cargo.toml";
    let shipped = fixture.read(manifest);
    fixture.write(manifest, &format!("{shipped}\n[lib\n"));
    // Commands that build nothing work.
    for args in [&["list"][..], &["hint", "01-fixture"]] {
        let (code, out) = fixture.run(args);
        assert_eq!(code, 0, "{args:?}: {out}");
    }
    // Checking it names the file and the way back.
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("modified  exercises/01-fixture/Cargo.toml"), "{out}");
    assert!(out.contains("git checkout HEAD -- exercises/01-fixture/Cargo.toml"), "{out}");
    // Checking another exercise: cargo cannot load the workspace at all.
    let (code, out) = fixture.run(&["check", "02-fixture"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("exercises/01-fixture/Cargo.toml is broken"), "{out}");
    assert!(out.contains("git checkout HEAD -- exercises/01-fixture/Cargo.toml"), "{out}");
    let (code, out) = fixture.run(&["reset", "01-fixture", "--tests"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(fixture.read(manifest), shipped);
}

#[test]
fn non_utf8_output_from_the_learners_code_is_read_lossily() {
    let fixture = Fixture::new();
    // Raw bytes to the real stdout (libtest captures print!, not this).
    let noisy = |result: &str| {
        format!("use std::io::Write;\n    let _ = std::io::stdout().write_all(b\"caf\\xe9\\n\");\n    {result}")
    };
    fixture.solve_with(&noisy("x * 2"));
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Score:   2/2 steps"), "{out}");
    fixture.solve_with(&noisy("x * 3"));
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("assertion `left == right` failed"), "{out}");
    assert!(!out.contains("crashed"), "{out}");
}

#[test]
fn a_non_utf8_progress_file_is_moved_aside() {
    let fixture = Fixture::new();
    let bytes = b"{\"version\": 1, \"exercises\": {\"caf\xe9\": {}}}";
    std::fs::create_dir_all(fixture.path().join(".untwisted")).unwrap();
    std::fs::write(fixture.path().join(".untwisted/progress.json"), bytes).unwrap();
    let (code, out) = fixture.run(&["hint", "01-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("could not be read"), "{out}");
    assert_eq!(std::fs::read(fixture.path().join(".untwisted/progress.json.corrupt")).unwrap(), bytes);
}

#[test]
fn json_always_prints_one_object() {
    let fixture = Fixture::new();
    // The progress cannot be written (the state folder is a file): the verdict still
    // comes, the warning goes to stderr.
    fixture.write(".untwisted", "not a folder");
    let (code, verdict, stderr) = fixture.json(&["check", "01-fixture", "--json"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verdict["status"], "failed", "{verdict}");
    assert!(stderr.contains("progress"), "{stderr}");
    // Usage and setup errors: an error object.
    for args in [&["check", "nope", "--json"][..], &["check", "--json", "--bogus"]] {
        let (code, error, stderr) = fixture.json(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert_eq!(error["status"], "error", "{error}");
        assert_eq!(error["error"]["code"], "usage", "{error}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{error}");
    }
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(runner()).args(["check", "--json"]).current_dir(empty.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(error["error"]["code"], "setup", "{error}");
}

#[test]
fn verdicts_that_run_nothing_name_the_real_steps() {
    let fixture = Fixture::new();
    let names = |verdict: &serde_json::Value| -> Vec<String> {
        verdict["steps"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect()
    };
    let real = ["step_1_doubles", "step_2_matches_the_snapshot"];
    fixture.solve_with("this does not compile");
    let (_, verdict, _) = fixture.json(&["check", "01-fixture", "--json"]);
    assert_eq!(verdict["status"], "build_failed");
    assert_eq!(names(&verdict), real);
    let snap = "exercises/01-fixture/tests/snapshots/steps__step_2_matches_the_snapshot.snap";
    fixture.write(snap, "tampered");
    let (_, verdict, _) = fixture.json(&["check", "01-fixture", "--json"]);
    assert_eq!(verdict["status"], "tampered");
    assert_eq!(names(&verdict), real);
}

#[test]
fn two_checks_at_once_both_keep_their_record() {
    let fixture = Fixture::new();
    let checks: Vec<_> = ["01-fixture", "02-fixture"]
        .iter()
        .map(|id| {
            let mut command = fixture.xtask(&["check", id]);
            command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
            command.spawn().unwrap()
        })
        .collect();
    for mut check in checks {
        check.wait().unwrap();
    }
    let progress = fixture.progress();
    for id in ["01-fixture", "02-fixture"] {
        assert_eq!(progress["exercises"][id]["total"], 2, "{id} lost: {progress}");
    }
}

/// The pids of `parent`'s children whose name starts with `prefix` (Linux /proc).
#[cfg(target_os = "linux")]
fn children_named(parent: u32, prefix: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid …; comm may hold spaces, so split at the last ')'.
        let Some((head, tail)) = stat.rsplit_once(')') else { continue };
        let comm = head.split_once('(').map(|(_, c)| c).unwrap_or_default();
        let ppid: Option<u32> = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok());
        if ppid == Some(parent) && comm.starts_with(prefix) {
            found.extend(entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()));
        }
    }
    found
}

/// Whether `pid` is still running (a zombie is not).
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, tail)| tail.trim_start().to_owned()))
        .is_some_and(|tail| !tail.starts_with('Z') && !tail.starts_with('X'))
}

#[cfg(target_os = "linux")]
#[test]
fn sigint_to_the_runner_alone_stops_its_test_binary() {
    use std::time::{Duration, Instant};
    let fixture = Fixture::new();
    fixture.solve_with("loop { std::hint::spin_loop() }");
    let mut runner = fixture
        .xtask(&["check", "01-fixture"])
        .env("UNTWISTED_STEP_TIMEOUT", "120")
        .env("UNTWISTED_RUN_TIMEOUT", "120")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let steps = loop {
        if let Some(&pid) = children_named(runner.id(), "steps-").first() {
            break pid;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the runner never started its test binary");
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = Command::new("kill").args(["-INT", &runner.id().to_string()]).status().unwrap();
    assert!(status.success());
    runner.wait().unwrap();
    let start = Instant::now();
    while running(steps) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let survived = running(steps);
    let _ = Command::new("kill").args(["-KILL", &steps.to_string()]).status();
    assert!(!survived, "the test binary outlived the runner");
}

#[test]
fn the_crate_manifest_is_sealed() {
    let fixture = Fixture::new();
    // A test target of the learner's own that "passes" every step of the stub.
    fixture.write(
        "exercises/01-fixture/mine.rs",
        "#[test]\nfn step_1_doubles() {}\n#[test]\nfn step_2_matches_the_snapshot() {}\n",
    );
    let manifest = "exercises/01-fixture/Cargo.toml";
    let shipped = fixture.read(manifest);
    fixture.write(manifest, &format!("{shipped}\n[[test]]\nname = \"steps\"\npath = \"mine.rs\"\n"));
    let (code, out) = fixture.run(&["check", "01-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("modified  exercises/01-fixture/Cargo.toml"), "{out}");
    assert!(out.contains("cargo xtask reset 01-fixture --tests"), "{out}");
    let (code, out) = fixture.run(&["reset", "01-fixture", "--tests"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(fixture.read(manifest), shipped);
    // The learner's code stays.
    assert!(fixture.read("exercises/01-fixture/src/lib.rs").contains("todo!"));
}

#[test]
fn given_modules_are_sealed() {
    let fixture = Fixture::new();
    let given = "exercises/02-fixture/src/given.rs";
    let shipped = fixture.read(given);
    // Changing the given code would change what the solution computes too.
    fixture.write(given, &shipped.replace("= 7", "= 8"));
    fixture.solve_two_with("8");
    let (code, out) = fixture.run(&["check", "02-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("modified  exercises/02-fixture/src/given.rs"), "{out}");
    assert!(out.contains("cargo xtask reset 02-fixture --tests"), "{out}");
    let (code, out) = fixture.run(&["reset", "02-fixture", "--tests"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(fixture.read(given), shipped);
    assert!(fixture.read("exercises/02-fixture/src/lib.rs").contains("    8\n"), "the learner's code stays");
}

#[test]
fn next_names_the_first_unfinished_exercise() {
    let fixture = Fixture::new();
    fixture.solve_two_with("given::STOCK");
    let (code, out) = fixture.run(&["check", "02-fixture"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Next: 01-fixture"), "{out}");
}

#[test]
fn a_bare_run_checks_only_the_current_exercise() {
    let fixture = Fixture::new();
    let (code, out) = fixture.run(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("You are on 01-fixture"), "{out}");
    let progress = fixture.progress();
    assert!(progress["exercises"].get("02-fixture").is_none(), "{progress}");
}

#[test]
fn list_has_a_legend_and_no_cross_beside_a_full_score() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 2");
    assert_eq!(fixture.run(&["check", "01-fixture"]).0, 0);
    // Passed once, broken since: the best score is full, the exercise does not pass.
    fixture.solve_with("x * 3");
    assert_eq!(fixture.run(&["check", "01-fixture"]).0, 1);
    let (code, list) = fixture.run(&["list"]);
    assert_eq!(code, 0, "{list}");
    assert!(list.contains("Legend:"), "{list}");
    assert!(!list.lines().any(|l| l.contains('✘') && l.contains("2/2")), "{list}");
}

/// Runs the runner under `script`, which gives it a terminal, with `redirect`
/// (a shell redirection of stdout or stderr to `file`); returns what the terminal
/// showed and what the file got.
#[cfg(target_os = "linux")]
fn on_a_terminal(fixture: &Fixture, args: &str, redirect: &str) -> (String, String) {
    let file = fixture.path().join("redirected.txt");
    let inner = format!("'{}' {args} {redirect}'{}'", runner().display(), file.display());
    let output = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .current_dir(fixture.path())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .output()
        .expect("`script` (util-linux's bsdutils) gives the runner a terminal: install it");
    let redirected = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("the runner under `script` wrote no {}: {e}", file.display()));
    (String::from_utf8_lossy(&output.stdout).into_owned(), redirected)
}

#[cfg(target_os = "linux")]
#[test]
fn colour_on_stderr_follows_stderr() {
    let fixture = Fixture::new();
    // stdout on the terminal, stderr to a file: the file gets no colour codes.
    let (_, stderr) = on_a_terminal(&fixture, "check nope", "2>");
    assert!(stderr.contains("error:") && !stderr.contains('\x1b'), "{stderr:?}");
    // stdout to a file, stderr on the terminal: the terminal gets colour.
    let (terminal, _) = on_a_terminal(&fixture, "check nope", ">");
    assert!(terminal.contains("\x1b[") && terminal.contains("error:"), "{terminal:?}");
}

#[test]
fn a_hang_in_an_awaited_future_names_the_likely_cause() {
    let fixture = Fixture::new();
    fixture.solve_two_with("std::future::pending::<u32>().await");
    let (code, out) = fixture.run(&["check", "02-fixture"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("timed out after 2 s"), "{out}");
    assert!(out.contains("nothing woke the task"), "{out}");
}

#[test]
fn verify_enforces_step_numbering_and_a_snapshot() {
    let fixture = Fixture::new();
    // 01: steps 1 and 3 (two steps, as the manifest says, but a gap).
    let steps = "exercises/01-fixture/tests/steps.rs";
    fixture.write(steps, &fixture.read(steps).replace("step_2_", "step_3_"));
    let snapshots = fixture.path().join("exercises/01-fixture/tests/snapshots");
    std::fs::rename(
        snapshots.join("steps__step_2_matches_the_snapshot.snap"),
        snapshots.join("steps__step_3_matches_the_snapshot.snap"),
    )
    .unwrap();
    // 02: no snapshot at all.
    let steps = "exercises/02-fixture/tests/steps.rs";
    fixture.write(
        steps,
        &fixture
            .read(steps)
            .replace("insta::assert_snapshot!(fetch().await.to_string())", "assert_eq!(fetch().await, 7)"),
    );
    std::fs::remove_dir_all(fixture.path().join("exercises/02-fixture/tests/snapshots")).unwrap();
    assert_eq!(fixture.run(&["seal"]).0, 0);
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✘ 01-fixture: steps numbered 1 to 2 without gaps"), "{out}");
    assert!(out.contains("has steps numbered 1, 3"), "{out}");
    assert!(out.contains("✘ 02-fixture: steps numbered 1 to 2 without gaps, and a snapshot"), "{out}");
    assert!(out.contains("no snapshot under exercises/02-fixture/tests/snapshots/"), "{out}");
    assert!(out.trim_end().ends_with("6 passed, 2 failed"), "{out}");
}
