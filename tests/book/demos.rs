//! Issue 8, "Demo servers: a room of `nc` users cannot kill them": every demo takes
//! the one command line (test-kit's `DemoArgs`, parsed by clap), and every demo has
//! its hostile-room tests (solutions/NN-name/tests/demo.rs), run here so that
//! `cargo xtask verify` runs them too.

use super::*;

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
