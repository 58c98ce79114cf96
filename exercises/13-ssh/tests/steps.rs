// The steps of exercise 13: each is a real SSH conversation on 127.0.0.1, with the
// given russh client (src/client.rs) or OpenSSH's `ssh`; keys are made per test.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use russh::client::AuthResult;
use russh::keys::{PrivateKey, PublicKey};
use ssh::client::{Client, Outcome};
use ssh::server::{AUTH_REJECTION_TIME, MAX_AUTH_ATTEMPTS};
use ssh::{Accounts, Inventory, SshServer, config, new_key};
use test_kit::Transcript;

const CLERK: &str = "clerk";
const PASSWORD: &str = "widgets";

/// A server on a free port, the host key clients should expect, and the clerk's key.
struct Fixture {
    addr: SocketAddr,
    host_key: PublicKey,
    clerk_key: PrivateKey,
}

async fn start() -> Fixture {
    let host_key = new_key();
    let clerk_key = new_key();
    let accounts = Accounts::new()
        .with_password(CLERK, PASSWORD)
        .with_key(CLERK, clerk_key.public_key().clone())
        .with_password("auditor", "ledger");
    let server = SshServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        config(host_key.clone()),
        accounts,
        Inventory::sample(),
    )
    .await
    .expect("bind 127.0.0.1:0");
    let addr = server.local_addr();
    tokio::spawn(server.run());
    Fixture { addr, host_key: host_key.public_key().clone(), clerk_key }
}

impl Fixture {
    async fn client(&self) -> Client {
        Client::connect(self.addr, &self.host_key)
            .await
            .expect("connect and exchange keys (is `config` giving russh the host key?)")
    }

    /// A client logged in as the clerk with the password.
    async fn clerk(&self) -> Client {
        let mut client = self.client().await;
        let accepted = client.password(CLERK, PASSWORD).await;
        assert!(matches!(accepted, Ok(true)), "the clerk's password: {accepted:?}");
        client
    }
}

/// Records one channel's outcome in a transcript: output lines, then how it ended.
fn record(transcript: &Transcript, who: &str, outcome: &Outcome) {
    for line in outcome.output.split_inclusive('\n') {
        transcript.received(who, line);
    }
    match outcome.exit_status {
        Some(status) => transcript.event(who, &format!("exit status {status}")),
        None => transcript.event(who, "no exit status"),
    }
    transcript
        .event(who, if outcome.closed { "channel closed" } else { "channel still open" });
}

#[test]
fn step_1_the_right_password_gets_in_and_wrong_ones_may_try_again() {
    test_kit::run(|| async {
        let server = start().await;
        let mut client = server.client().await;
        for (user, password) in [(CLERK, "gadgets"), ("nobody", PASSWORD)] {
            let answer = client.password_answer(user, password).await;
            let Ok(AuthResult::Failure { remaining_methods, .. }) = answer else {
                panic!("{user}/{password} must be refused: {answer:?}");
            };
            // What OpenSSH reads to decide whether to ask for the password again.
            let offered: Vec<&str> = remaining_methods.iter().map(<&str>::from).collect();
            assert_eq!(
                offered,
                ["password", "publickey"],
                "after refusing {user}/{password}, the server must offer both methods again"
            );
        }
        let answer = client.password(CLERK, PASSWORD).await;
        assert!(matches!(answer, Ok(true)), "{CLERK}/{PASSWORD} must get in: {answer:?}");
        let mut other = server.client().await;
        let answer = other.password("auditor", "ledger").await;
        assert!(matches!(answer, Ok(true)), "every account has its password: {answer:?}");
    });
}

#[test]
fn step_2_an_authorized_key_gets_in_and_other_keys_do_not() {
    test_kit::run(|| async {
        let server = start().await;
        let stranger = new_key();
        let mut client = server.client().await;
        let answer = client.key(CLERK, &stranger).await;
        assert!(matches!(answer, Ok(false)), "a key nobody authorized: {answer:?}");
        let answer = client.key("auditor", &server.clerk_key).await;
        assert!(
            matches!(answer, Ok(false)),
            "the clerk's key for another user: {answer:?}"
        );
        let answer = client.key(CLERK, &server.clerk_key).await;
        assert!(matches!(answer, Ok(true)), "the clerk's own key: {answer:?}");
    });
}

#[test]
fn step_3_each_rejection_is_slow_and_too_many_end_the_connection() {
    test_kit::run(|| async {
        let server = start().await;
        let mut client = server.client().await;
        for attempt in 1..=MAX_AUTH_ATTEMPTS {
            let started = Instant::now();
            let answer = client.password(CLERK, &format!("guess-{attempt}")).await;
            assert!(matches!(answer, Ok(false)), "wrong attempt {attempt}: {answer:?}");
            assert!(
                started.elapsed() >= AUTH_REJECTION_TIME.mul_f32(0.9),
                "attempt {attempt} was refused in {:?}; every refusal takes AUTH_REJECTION_TIME",
                started.elapsed()
            );
        }
        // Even the right password is too late now: the server hangs up.
        let answer = client.password(CLERK, PASSWORD).await;
        assert!(
            !matches!(answer, Ok(true)),
            "after {MAX_AUTH_ATTEMPTS} wrong attempts the next one must not get in"
        );
        let patience = Instant::now();
        while !client.is_closed() && patience.elapsed() < Duration::from_secs(5) {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(client.is_closed(), "the server must disconnect after too many attempts");
        // Only that connection is gone: a new one starts with a fresh count.
        server.clerk().await;
    });
}

#[test]
fn step_4_exec_runs_one_command_and_reports_its_exit_status() {
    test_kit::run(|| async {
        let server = start().await;
        let client = server.clerk().await;
        let transcript = Transcript::new();
        for command in [
            "list",
            "stock WIDGET-1",
            "move WIDGET-1 -5",
            "stock WIDGET-1",
            "stock NOPE",
            "move GADGET -4",
            "move GADGET lots",
            "frobnicate now",
        ] {
            transcript.sent("clerk", &format!("exec {command}"));
            let outcome = client.exec(command).await.expect("a session channel");
            record(&transcript, "clerk", &outcome);
        }
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_5_a_shell_answers_line_by_line_and_quit_ends_it_cleanly() {
    test_kit::run(|| async {
        let server = start().await;
        let client = server.clerk().await;
        let transcript = Transcript::new();
        // Lines in pieces and several in one packet: the channel is a byte stream.
        let typed = ["stock GAD", "GET\nmove GADGET 2\r\nstock", " GADGET\n", "quit\n"];
        for chunk in typed {
            transcript.sent("clerk", chunk);
        }
        let outcome = client.shell(&typed, false).await.expect("a shell channel");
        record(&transcript, "clerk", &outcome);
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_6_end_of_input_ends_a_shell_and_the_connection_keeps_serving() {
    test_kit::run(|| async {
        let server = start().await;
        let client = server.clerk().await;
        // `ssh host < commands.txt`: the shell ends when its input does.
        let piped = client.shell(&["move SPROCKET -2\n"], true).await.expect("a shell");
        assert!(piped.output.ends_with("SPROCKET 10\ninventory> "), "{piped:?}");
        assert_eq!((piped.exit_status, piped.closed), (Some(0), true), "{piped:?}");
        // The connection outlives its channels, and every session shares the stock.
        let again = client.exec("stock SPROCKET").await.expect("a second channel");
        assert_eq!(
            (again.output.as_str(), again.exit_status),
            ("SPROCKET 10\n", Some(0))
        );
        // Two channels at once on one connection.
        let (a, b) = tokio::join!(client.exec("stock GADGET"), client.exec("list"));
        let (a, b) = (a.expect("channel a"), b.expect("channel b"));
        assert!(a.closed && b.closed && b.output.lines().count() == 3, "{a:?} {b:?}");
        client.disconnect().await.expect("a clean disconnect");
        // The server is still there for the next clerk.
        let next = server.clerk().await.exec("stock SPROCKET").await;
        assert_eq!(next.map(|o| o.output).ok().as_deref(), Some("SPROCKET 10\n"));
    });
}

/// Makes a key pair with `ssh-keygen` in a fresh directory; returns the private
/// key's path and the public key.
fn openssh_key(name: &str) -> (std::path::PathBuf, PublicKey) {
    let dir = std::env::temp_dir()
        .join(format!("untwisted-13-ssh-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "clerk@test", "-f"])
        .arg(&path)
        .status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "ssh-keygen is missing: this step talks to OpenSSH. Install the OpenSSH client \
         (Debian and Ubuntu: apt-get install openssh-client; macOS and Windows have it)."
    );
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, PublicKey::from_openssh(&public).expect("ssh-keygen's public key"))
}

#[test]
fn step_7_openssh_logs_in_with_a_key_and_runs_commands() {
    test_kit::run(|| async {
        let (key_file, public) = openssh_key("step7");
        let accounts = Accounts::new().with_key(CLERK, public);
        let server = SshServer::bind(
            "127.0.0.1:0".parse().unwrap(),
            config(new_key()),
            accounts,
            Inventory::sample(),
        )
        .await
        .unwrap();
        let port = server.local_addr().port().to_string();
        tokio::spawn(server.run());
        let transcript = Transcript::new();
        for command in ["stock WIDGET-1", "move GADGET -1", "stock NOPE", "frobnicate"] {
            let mut ssh = std::process::Command::new("ssh");
            ssh.args(["-F", "/dev/null", "-p", &port, "-i"])
                .arg(&key_file)
                .args([
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "IdentitiesOnly=yes",
                    "-o",
                    "StrictHostKeyChecking=no",
                    "-o",
                    "UserKnownHostsFile=/dev/null",
                    "-o",
                    "LogLevel=ERROR",
                    "-o",
                    "ConnectTimeout=5",
                    "clerk@127.0.0.1",
                    command,
                ])
                .stdin(std::process::Stdio::null());
            let ran = tokio::task::spawn_blocking(move || ssh.output()).await.unwrap();
            let output = ran.expect("OpenSSH's ssh is missing: install openssh-client");
            transcript.sent("ssh", command);
            for line in String::from_utf8_lossy(&output.stdout).split_inclusive('\n') {
                transcript.received("ssh", line);
            }
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.code().is_some_and(|c| c != 255),
                "ssh could not log in or lost the connection (exit 255): {stderr}"
            );
            let status = output.status.code().unwrap_or(-1);
            transcript.event("ssh", &format!("exit status {status}"));
        }
        let _ = std::fs::remove_dir_all(key_file.parent().unwrap());
        insta::assert_snapshot!(transcript.to_string());
    });
}
