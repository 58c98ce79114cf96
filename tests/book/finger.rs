//! 11-finger: the chapter's Twisted finger server and the Rust solution answer the
//! same queries with the same bytes, and the chapter's Twisted client talks to the
//! Rust demo

use super::*;

#[test]
fn finger_answers_alike_in_twisted_and_rust() {
    // One connection per query: finger answers once, then the server closes.
    let query = |writes: &[&[u8]]| Conversation { exchanges: vec![say(writes, 0)], closes: true };
    let longest = [vec![b'a'; 255], b"\r\n".to_vec()].concat();
    let too_long = [vec![b'a'; 256], b"\r\n".to_vec()].concat();
    let flood = vec![b'x'; 2000];
    let script = [
        query(&[b"alice\r\n"]),
        query(&[b"/W moshez\r\n"]),
        query(&[b"/w alice\r\n"]),
        query(&[b"carol\r\n"]),
        query(&[b"\r\n"]),
        query(&[b"/W\r\n"]),
        query(&[b" \t \r\n"]),
        query(&[b"bob@example.com\r\n"]),
        query(&[b"/W @example.com\r\n"]),
        query(&[b"alice bob\r\n"]),
        query(&[b"/W a b\r\n"]),
        query(&[b"bob\ncarol\r\n"]),
        query(&[b"mos", b"hez\r", b"\n"]),
        query(&["al\u{ef}ce\r\n".as_bytes()]),
        query(&[b"\xff\r\n"]),
        query(&[b"ali\x00ce\r\n"]),
        query(&[b"a\rb\r\n"]),
        query(&[&longest]),
        query(&[&too_long]),
        query(&[&flood]),
    ];
    let heard = same_answers("sol11-finger", "finger/twisted/finger_server.py", &script);
    // The chapter's protocol table quotes these answers.
    for answer in [
        r#"#0 < alice: Counting widgets in aisle 7\r\n"#,
        r#"#1 < Login: moshez\r\n"#,
        r#"#3 < No such user\r\n"#,
        r#"#7 < Finger forwarding service denied\r\n"#,
        r#"#9 < Usage: [/W] [user]\r\n"#,
        r#"#11 < bob: Out to lunch\r\n"#,
        r#"#13 < Query must be ASCII\r\n"#,
        r#"#15 < Query has a control character\r\n"#,
        r#"#19 < Query too long (max 256 bytes)\r\n"#,
        "#19 -- closed by server",
    ] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

#[test]
fn the_twisted_finger_client_talks_to_the_rust_demo() {
    let python = twisted_venv();
    let demo = Demo::start("sol11-finger");
    let snippet = src().join("finger/twisted/finger_server.py");
    let mut command = Command::new(&python);
    command
        .arg(&snippet)
        .args(["--connect", &demo.addr, "/W moshez"])
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(
        ok && output == "Login: moshez\r\nStatus: Happy and well\r\n",
        "{} --connect {} '/W moshez' printed:\n{output:?}",
        shown(&snippet),
        demo.addr
    );
}
