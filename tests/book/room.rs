//! The room (room/, `untwisted-room`): its live page in a real headless Chromium,
//! fed by simulated attendees posting verdicts (room/tests/browser.py).

use super::*;

/// The room's binary on a free loopback port; killed when dropped.
struct Room {
    child: std::process::Child,
    addr: String,
}

impl Room {
    fn start(token: &str) -> Room {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(Demo::build("untwisted-room"))
            .args(["--listen", "127.0.0.1:0", "--token", token, "--exercises", "00-welcome,05-lines"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start untwisted-room");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        std::thread::spawn(move || lines.for_each(drop));
        // The contract's first line, exactly.
        let addr = first
            .strip_prefix("room listening on http://")
            .and_then(|rest| rest.strip_suffix(&format!("/?token={token}")))
            .unwrap_or_else(|| panic!("the room's first line is not the contract's: {first:?}"))
            .to_owned();
        Room { child, addr }
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn room_page_shows_attendees_live_and_names_as_text_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| {
            panic!(
                "chromium is missing: this test loads the room's live page in a real headless \
                 browser. Install it (Debian/Ubuntu: apt-get install chromium), then run the tests again."
            )
        });
    let python = {
        let _one_at_a_time = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        twisted_venv()
    };
    let token = "room-test-token-0123456789abcdef";
    let room = Room::start(token);
    let mut script = Command::new(python);
    script.arg(root().join("room/tests/browser.py")).args([&room.addr, token, chromium]);
    script.env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(script, Duration::from_secs(30));
    let seen = [
        "ok: the page is live",
        "ok: a row per attendee",
        "ok: Ada's row updates to 6/6",
        "ok: the name <img src=x onerror=alert(1)> shows as text",
        "ok: Grace leaves (greyed) and the hardest steps list",
        "ok: a wrong token shows no data",
    ];
    assert!(ok && seen.iter().all(|line| output.contains(line)), "headless Chromium on the room's page:\n{output}");
}
