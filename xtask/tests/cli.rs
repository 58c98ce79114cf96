//! Tests of the runner's command line, against a fixture exercise in a temporary
//! workspace: every verdict a learner can meet, and `verify` itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::cargo::CommandCargoExt;
use tempfile::TempDir;

/// A throwaway copy of `tests/fixture`: one exercise, its stub, its solution, a git
/// history and a seal.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
        copy_tree(&source, dir.path());
        let test_kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-kit");
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
        for package in ["exercises/01-fixture/Cargo.toml", "solutions/01-fixture/Cargo.toml"] {
            let path = dir.path().join(package);
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

    fn xtask(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("xtask").unwrap();
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

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
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
    assert!(out.contains("That was the last exercise"), "{out}");
    let (_, list) = fixture.run(&["list"]);
    assert!(list.contains("Progress: 1/1 exercises"), "{list}");
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
    assert!(out.contains("did you mean 01-fixture?"), "{out}");
    let (code, _) = fixture.run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn outside_a_workspace_says_where_to_go() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("xtask").unwrap().arg("list").current_dir(empty.path()).output().unwrap();
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
    assert!(out.trim_end().ends_with("3 passed, 0 failed"), "{out}");
}

#[test]
fn verify_rejects_a_stub_that_passes() {
    let fixture = Fixture::new();
    fixture.solve_with("x * 2");
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("step_1_doubles passes on the stub: it proves nothing"), "{out}");
    assert!(out.trim_end().ends_with("2 passed, 1 failed"), "{out}");
}

#[test]
fn verify_rejects_a_solution_that_fails() {
    let fixture = Fixture::new();
    fixture
        .write("solutions/01-fixture/src/lib.rs", "/// Doubles `x`.\npub fn double(x: u32) -> u32 {\n    x * 3\n}\n");
    let (code, out) = fixture.run(&["verify", "--exercises-only"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("sol01-fixture: the solution passes all 2 steps"), "{out}");
    assert!(out.trim_end().ends_with("2 passed, 1 failed"), "{out}");
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
