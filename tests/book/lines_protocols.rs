//! Issue 7 (teach, don't tell), chapters 04 and 05: a chapter's Twisted server and its
//! Rust server answer the same bytes with the same bytes

use super::*;

/// A server process that printed `… listening on HOST:PORT …`; killed when dropped.
fn listening(mut command: Command, what: &str) -> Demo {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines.by_ref().map_while(Result::ok).find_map(|line| {
        let rest = line.split("listening on ").nth(1)?;
        Some(rest.split(|c: char| c.is_whitespace() || c == ';').next()?.to_owned())
    });
    std::thread::spawn(move || lines.for_each(drop));
    let demo = Demo { child, addr: addr.unwrap_or_default() };
    assert!(!demo.addr.is_empty(), "{what} never said where it listens");
    demo
}

/// A chapter's Twisted server (`book/src/<snippet>`, run with no arguments: a free port).
pub(crate) fn twisted_server(python: &Path, snippet: &str) -> Demo {
    let snippet = src().join(snippet);
    let mut command = Command::new(python);
    command
        .arg(&snippet)
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");
    listening(command, &shown(&snippet))
}

/// One connection of a scripted client: each exchange is some writes (sent one by one)
/// and how many lines to read back; `closes` says the server hangs up at the end.
pub(crate) struct Conversation {
    pub(crate) exchanges: Vec<(Vec<Vec<u8>>, usize)>,
    pub(crate) closes: bool,
}

/// Plays `conversations` against `addr`, one connection each, and returns every line
/// read (escaped, `\r\n` shown) and every close, in order.
fn play(addr: &str, conversations: &[Conversation]) -> Vec<String> {
    use std::io::{BufRead, BufReader, Write};
    let mut heard = Vec::new();
    for (number, conversation) in conversations.iter().enumerate() {
        let stream = std::net::TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut read_line = |heard: &mut Vec<String>| {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => false,
                Ok(_) => {
                    heard.push(format!("#{number} < {}", String::from_utf8_lossy(&line).escape_debug()));
                    true
                }
                Err(e) => {
                    heard.push(format!("#{number} !! {e}"));
                    false
                }
            }
        };
        for (writes, answers) in &conversation.exchanges {
            for write in writes {
                writer.write_all(write).unwrap();
                writer.flush().unwrap();
            }
            for _ in 0..*answers {
                read_line(&mut heard);
            }
        }
        if conversation.closes {
            while read_line(&mut heard) {}
            heard.push(format!("#{number} -- closed by server"));
        }
    }
    heard
}

/// Plays one script against a chapter's Rust demo and its Twisted server, and fails
/// unless both heard exactly the same bytes; returns what they said.
pub(crate) fn same_answers(package: &str, snippet: &str, script: &[Conversation]) -> Vec<String> {
    let python = twisted_venv();
    let rust = play(&Demo::start(package).addr, script);
    let twisted = play(&twisted_server(&python, snippet).addr, script);
    let differences: Vec<String> = rust
        .iter()
        .zip(&twisted)
        .filter(|(r, t)| r != t)
        .map(|(r, t)| format!("rust {r:?} / twisted {t:?}"))
        .chain((rust.len() != twisted.len()).then(|| format!("rust:\n{rust:#?}\ntwisted:\n{twisted:#?}")))
        .collect();
    assert_no_problems(&format!("{package} and {snippet} answer differently"), &differences);
    rust
}

pub(crate) fn say(writes: &[&[u8]], answers: usize) -> (Vec<Vec<u8>>, usize) {
    (writes.iter().map(|w| w.to_vec()).collect(), answers)
}

#[test]
fn the_feed_answers_alike_in_twisted_and_rust() {
    let long = [vec![b'x'; 2000], b"\r\n".to_vec()].concat();
    let script = [Conversation {
        exchanges: vec![
            say(&[b"WIDGET-1 5\r\n"], 1),
            say(&[b"WIDGET-1 -2\r\nGAD", b"GET 3\r\n"], 2),
            say(&[b"WIDGET-1 five\r\n"], 1),
            say(&[b"WIDGET-1\r\n"], 1),
            say(&[b"\r\n", b" \t \r\n"], 2),
            say(&[b"WIDGET-1 5 boxes\r\n", b"WIDGET/1 5\r\n"], 2),
            say(&[b"WIDGET-1 +1\r\n", "WIDGET-1 \u{665}\r\n".as_bytes(), b"WIDGET-1 1_000\r\n"], 3),
            say(&[b"WIDGET-\xff 5\r\n", b"WIDGET-1 99999999999999999999\r\n"], 2),
            say(&[b"BOLT 9223372036854775807\r\n", b"BOLT 1\r\n", b"BOLT -1\r\n"], 3),
            say(&[b"one\ntwo 1\r\n"], 1),
            (vec![long], 1),
        ],
        closes: true,
    }];
    let heard = same_answers("sol05-lines", "lines/twisted/feed_server.py", &script);
    // The chapter's protocol table quotes these answers.
    for answer in [
        r#"#0 < WIDGET-1 3\r\n"#,
        r#"#0 < ERR qty must be a whole number, got \"five\"\r\n"#,
        r#"#0 < ERR missing qty, expected: SKU qty\r\n"#,
        r#"#0 < ERR empty line, expected: SKU qty\r\n"#,
        r#"#0 < ERR line too long (max 1024 bytes)\r\n"#,
        "#0 -- closed by server",
    ] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}

#[test]
fn qotd_answers_alike_in_twisted_and_rust() {
    let script = [
        Conversation {
            exchanges: vec![
                say(&[], 1),
                say(&[b"hello\r\n"], 1),
                say(&[b"split ", b"line\r\n"], 1),
                say(&[b"bare\n", b"\r\n", b"cr\r\r\n"], 3),
                say(&[b"quit\r\nnot echoed\r\n"], 1),
            ],
            closes: true,
        },
        Conversation {
            exchanges: vec![say(&[], 1), (vec![[vec![b'x'; 2000], b"\r\n".to_vec()].concat()], 1)],
            closes: true,
        },
        Conversation { exchanges: vec![say(&[], 1), (vec![vec![b'x'; 1025]], 1)], closes: true },
    ];
    let heard = same_answers("sol04-protocols", "protocols/twisted/qotd.py", &script);
    for answer in [r#"#0 < Bye!\r\n"#, r#"#1 < ERR line longer than 1024 bytes\r\n"#] {
        assert!(heard.iter().any(|h| h == answer), "no {answer:?} in {heard:#?}");
    }
}
