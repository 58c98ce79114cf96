//! 14-processes (Part II, "Legacy protocols: processes and bridges"): the chapter's
//! Twisted FakeTelnet and the Rust bridge answer one scripted client alike, and the
//! real peers the chapter names (nc, telnet) drive them.

use super::*;

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
    let python = twisted_venv();
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
        let mut child = Demo::spawn(package);
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
