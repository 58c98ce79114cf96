//! 15-deploy (Deployment): the chapter's systemd unit says what the chapter explains,
//! for the binary the exercise builds

use super::*;

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
    let python = twisted_venv();
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
    let mut child = Demo::spawn("sol15-deploy");
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
