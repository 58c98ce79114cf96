//! The room (room/, `untwisted-room`): its live page in a real headless Chromium,
//! fed by simulated attendees posting verdicts, with the room restarted under it
//! (room/tests/browser.py runs the room and the browser).

use super::*;

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
    let python = twisted_venv();
    let room = support::room_server();
    let state = tempfile::tempdir().unwrap();
    let mut script = Command::new(python);
    script
        .arg(root().join("room/tests/browser.py"))
        .arg(room)
        .args(["room-test-token-0123456789abcdef", chromium])
        .arg(state.path().join("state.json"))
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(script, Duration::from_secs(30));
    let seen = [
        "ok: the room's first line is the contract's",
        "ok: the page is live",
        "ok: a row per attendee",
        "ok: Ada's row updates to 6/6",
        "ok: the name <img src=x onerror=alert(1)> shows as text",
        "ok: Grace leaves (greyed) and the hardest steps list",
        "ok: the page says it is reconnecting",
        "ok: the page is live again after the restart, rows restored",
        "ok: a wrong token shows no data",
    ];
    assert!(ok && seen.iter().all(|line| output.contains(line)), "headless Chromium on the room's page:\n{output}");
}
