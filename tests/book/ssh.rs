//! 13-ssh (Legacy protocols: SSH): OpenSSH's `ssh`, with `sshpass` for the password,
//! gets the same answers and exit statuses from the chapter's conch server and from
//! the Rust solution; conch's client runs commands on the Rust demo

use super::*;

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
    let python = twisted_venv();
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
    let python = twisted_venv();
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
    let python = twisted_venv();
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
