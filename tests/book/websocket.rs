//! 10-websocket: real peers for the dashboard server (Python websockets, autobahn's
//! Twisted server, kosoku's Autobahn fuzzing cases, headless Chromium)

use super::*;

/// A dashboard server (the Rust demo or the chapter's Twisted snippet) on free
/// loopback ports; killed when dropped.
struct Dashboards {
    child: std::process::Child,
    web: String,
    feed: String,
}

impl Dashboards {
    /// Starts `command` and reads the line both servers print:
    /// `dashboard listening on 127.0.0.1:P; stock feed on 127.0.0.1:Q`.
    fn start(mut command: Command, what: &str) -> Dashboards {
        use std::io::{BufRead, BufReader};
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|line| line.contains("dashboard listening on "))
            .unwrap_or_else(|| panic!("{what} never said where it listens"));
        std::thread::spawn(move || lines.for_each(drop));
        let word_after = |marker: &str| {
            let rest = line.split(marker).nth(1).unwrap_or_else(|| panic!("{what}: no {marker:?} in {line:?}"));
            rest.split(|c: char| c.is_whitespace() || c == ';').next().unwrap().to_owned()
        };
        Dashboards { web: word_after("listening on "), feed: word_after("stock feed on "), child }
    }

    /// The Rust solution's demo.
    fn rust() -> Dashboards {
        let mut command = Command::new(Demo::build("sol10-websocket"));
        command.args(["--listen", "127.0.0.1:0"]);
        Dashboards::start(command, "sol10-websocket")
    }

    /// The chapter's Twisted snippet, in the book's venv.
    fn twisted(python: &Path) -> Dashboards {
        let snippet = src().join("websocket/twisted/dashboard.py");
        let mut command = Command::new(python);
        command.arg(&snippet).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
        Dashboards::start(command, "websocket/twisted/dashboard.py")
    }
}

impl Drop for Dashboards {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one of the chapter's client scripts (book/src/websocket/clients/) against
/// `server`; returns whether it succeeded and its output.
fn websocket_client(python: &Path, script: &str, server: &Dashboards, extra: &[&str]) -> (bool, String) {
    let mut command = Command::new(python);
    command
        .arg(src().join("websocket/clients").join(script))
        .args([&server.web, &server.feed])
        .args(extra)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    run_with_timeout(command, SNIPPET_TIMEOUT)
}

#[test]
fn websocket_twisted_snippet_and_rust_solution_answer_one_scripted_client_alike() {
    let python = twisted_venv();
    let (rust_ok, rust) = websocket_client(&python, "script.py", &Dashboards::rust(), &[]);
    let (twisted_ok, twisted) = websocket_client(&python, "script.py", &Dashboards::twisted(&python), &[]);
    assert!(rust_ok && twisted_ok, "the script failed:\n--- Rust\n{rust}\n--- Twisted\n{twisted}");
    assert!(rust.contains("big -- closed with 1009"), "the script did not run to its end:\n{rust}");
    assert_eq!(rust, twisted, "the Rust solution and the Twisted snippet answer differently");
}

#[test]
fn websocket_echo_passes_the_autobahn_fuzzing_cases_1_to_10_with_kosoku() {
    let python = twisted_venv();
    let server = Dashboards::rust();
    let reports = tempfile::tempdir().unwrap();
    let mut kosoku = Command::new(&python);
    kosoku
        .args(["-c", "from kosoku._cli import main; main()"])
        .arg(format!("ws://{}/echo", server.web))
        // 12.* and 13.* are permessage-deflate, which the server does not offer.
        .args(["-x", "12.*", "-x", "13.*", "--parallelism", "2", "--outdir"])
        .arg(reports.path());
    let (ok, output) = run_with_timeout(kosoku, Duration::from_secs(300));
    assert!(ok && output.contains("cases passed"), "kosoku (Autobahn cases 1-10) against /echo failed:\n{output}");
}

#[test]
fn websocket_dashboard_page_shows_live_totals_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!(
                "chromium is missing: this test loads the websocket chapter's dashboard page in a \
                 real headless browser. Install it (Debian/Ubuntu: apt-get install chromium), \
                 then run the tests again."
            )
        });
    let python = twisted_venv();
    let (ok, output) = websocket_client(&python, "browser.py", &Dashboards::rust(), &[chromium]);
    assert!(ok && output.contains("page shows GADGET=3 WIDGET-1=3"), "headless Chromium:\n{output}");
}
