// The steps of exercise 11: a finger server (RFC 1288) over real TCP, its
// backends, its hostile clients, the setter and web ports, and a finger client.
// The runner reports the first step that fails.

use std::net::SocketAddr;
use std::time::Duration;

use finger::{
    ClientError, Directory, FileDirectory, FingerFactory, FingerServer, FingerService,
    HttpDirectory, IDLE_TIMEOUT, INTERNAL_ERROR, LOOKUP_TIMEOUT, Lookup, MAX_ANSWER,
    MAX_QUERY_LENGTH, MemoryDirectory, Ports, Query, QueryError, finger, parse_users,
};
use test_kit::{LineClient, Transcript};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

// The users most steps start with.
fn staff() -> MemoryDirectory {
    MemoryDirectory::with_users([
        ("alice", "Counting widgets in aisle 7"),
        ("bob", "Out to lunch"),
        ("moshez", "Happy and well"),
    ])
}

// Starts a finger server on a free loopback port and returns its address.
async fn start(factory: FingerFactory) -> SocketAddr {
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = FingerServer::bind(addr, factory)
        .await
        .expect("the finger server could not listen on 127.0.0.1:0");
    let addr = server.local_addr().expect("a bound address");
    tokio::spawn(server.run());
    addr
}

// One finger exchange in the transcript: the query, `lines` answer lines, the close.
async fn ask(addr: SocketAddr, who: &str, query: &str, lines: usize, t: &Transcript) {
    let mut client = LineClient::connect(addr, who, t).await;
    client.send_line(query).await;
    for _ in 0..lines {
        client.recv_line().await;
    }
    client.expect_closed().await;
}

// Sends raw bytes and returns everything the server sends until it closes.
// No timeout of its own: the step's limit catches a server that never closes.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect to the server");
    stream.write_all(bytes).await.expect("send to the server");
    let mut answer = Vec::new();
    // A reset after the answer still counts as the end of it.
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn user(name: &str, verbose: bool) -> Query {
    Query::User { name: name.to_owned(), verbose }
}

#[test]
fn step_1_queries_parse_as_rfc_1288_says() {
    test_kit::run(|| async {
        let cases: [(&[u8], Result<Query, QueryError>); 16] = [
            (b"", Ok(Query::List { verbose: false })),
            (b"  \t ", Ok(Query::List { verbose: false })),
            (b"/W", Ok(Query::List { verbose: true })),
            (b"/w", Ok(Query::List { verbose: true })),
            (b"alice", Ok(user("alice", false))),
            (b"  alice ", Ok(user("alice", false))),
            (b"/W alice", Ok(user("alice", true))),
            (b"/W\talice", Ok(user("alice", true))),
            (b"bob@example.com", Ok(Query::Forward { target: "bob@example.com".into() })),
            (
                b"/W bob@example.com",
                Ok(Query::Forward { target: "bob@example.com".into() }),
            ),
            (b"@example.com", Ok(Query::Forward { target: "@example.com".into() })),
            (b"alice bob", Err(QueryError::Usage)),
            (b"/W alice bob", Err(QueryError::Usage)),
            ("al\u{ef}ce".as_bytes(), Err(QueryError::NotAscii)),
            (b"ali\xffce\x00", Err(QueryError::NotAscii)),
            (b"ali\x1bce", Err(QueryError::ControlCharacter)),
        ];
        for (line, expected) in cases {
            assert_eq!(
                Query::parse(line),
                expected,
                "Query::parse({:?})",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(Query::parse(b"a\rb"), Err(QueryError::ControlCharacter));
        assert_eq!(QueryError::Usage.to_string(), "Usage: [/W] [user]");
    });
}

#[test]
fn step_2_finger_answers_from_a_map_with_crlf_and_closes() {
    test_kit::run(|| async {
        let addr = start(FingerFactory::new(staff())).await;
        let t = Transcript::new();
        ask(addr, "alice", "alice", 1, &t).await;
        ask(addr, "alice", "/W moshez", 2, &t).await;
        ask(addr, "alice", "carol", 1, &t).await;
        ask(addr, "alice", "", 3, &t).await;
        ask(addr, "alice", "/W", 3, &t).await;
        ask(addr, "alice", "bob@example.com", 1, &t).await;
        ask(addr, "alice", "alice bob", 1, &t).await;
        insta::assert_snapshot!(t.to_string());

        // A bare `\n` ends a query too (`nc` without -C), and bytes after the
        // query line are not a second query.
        let answer = exchange(addr, b"bob\ncarol\r\n").await;
        assert_eq!(answer, "bob: Out to lunch\r\n", "one query, one answer, then close");
        // An empty directory lists no one, in words.
        let empty = start(FingerFactory::new(MemoryDirectory::new())).await;
        assert_eq!(exchange(empty, b"\r\n").await, "No users\r\n");
        assert_eq!(exchange(empty, b"/W\r\n").await, "No users\r\n");
    });
}

// A users file in the temporary folder, unique to this step and process.
fn users_file(name: &str, text: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("untwisted-11-{}-{name}", std::process::id()));
    std::fs::write(&path, text).expect("write a users file");
    path
}

#[test]
fn step_3_the_file_backend_reads_user_status_lines() {
    test_kit::run(|| async {
        let text = "# who is where\n\nalice: Receiving\n  bob :  Out: to lunch  \nalice: Shipping\n";
        let users = parse_users(text).expect("a valid users file");
        let pairs: Vec<(&str, &str)> =
            users.iter().map(|(u, s)| (u.as_str(), s.as_str())).collect();
        assert_eq!(
            pairs,
            [("alice", "Shipping"), ("bob", "Out: to lunch")],
            "comments and blank lines skipped, parts trimmed, split at the first ':', the later line wins"
        );
        for (bad, line) in [
            ("alice Receiving\n", 1),
            ("alice: ok\n\nbo b: ok\n", 3),
            ("alice:\n", 1),
            ("# x\n: nobody\n", 2),
        ] {
            match parse_users(bad) {
                Err(finger::LookupError::BadLine(n)) => assert_eq!(n, line, "{bad:?}"),
                other => panic!("{bad:?}: expected Err(BadLine({line})), got {other:?}"),
            }
        }

        // Over TCP: the same server, another backend. The file is read at every
        // lookup, so an edit shows at once.
        let path = users_file("step3", "alice: Receiving\nbob: Out to lunch\n");
        let addr = start(FingerFactory::new(FileDirectory::new(&path))).await;
        let t = Transcript::new();
        ask(addr, "clerk", "alice", 1, &t).await;
        ask(addr, "clerk", "/W", 2, &t).await;
        std::fs::write(&path, "alice: Receiving\nbob Out to lunch\n").unwrap();
        ask(addr, "clerk", "alice", 1, &t).await;
        std::fs::remove_file(&path).unwrap();
        ask(addr, "clerk", "alice", 1, &t).await;
        insta::assert_snapshot!(t.to_string());
    });
}

// A tiny HTTP service for the HTTP backend: answers each request with the
// response `respond` gives for its path, or never answers when it gives None.
async fn http_service(respond: fn(&str) -> Option<String>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                let mut request_line = String::new();
                let _ = stream.read_line(&mut request_line).await;
                let mut header = String::new();
                while stream.read_line(&mut header).await.is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request_line.split(' ').nth(1).unwrap_or_default().to_owned();
                match respond(&path) {
                    Some(response) => {
                        let _ = stream.get_mut().write_all(response.as_bytes()).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            });
        }
    });
    addr
}

fn http(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn step_4_a_lookup_that_fails_answers_internal_error() {
    test_kit::run(|| async {
        let addr = http_service(|path| {
            Some(match path {
                "/users" => http("200 OK", "alice\nbob\n"),
                "/users/alice" => http("200 OK", "Receiving\n"),
                "/users/bob" => http("500 Internal Server Error", "oops\n"),
                "/users/mallory" => http("200 OK", "line one\r\nforged line\n"),
                "/users/eve" => "garbage".to_owned(),
                _ => http("404 Not Found", "no such user\n"),
            })
        })
        .await;
        let server = start(FingerFactory::new(HttpDirectory::new(addr))).await;
        let t = Transcript::new();
        ask(server, "clerk", "alice", 1, &t).await;
        ask(server, "clerk", "carol", 1, &t).await;
        ask(server, "clerk", "bob", 1, &t).await;
        ask(server, "clerk", "mallory", 1, &t).await;
        ask(server, "clerk", "eve", 1, &t).await;
        ask(server, "clerk", "", 2, &t).await;
        ask(server, "clerk", "/W", 1, &t).await;
        insta::assert_snapshot!(t.to_string());

        // No HTTP service at all: the connection is refused, the answer is the same.
        let gone = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let server = start(FingerFactory::new(HttpDirectory::new(gone))).await;
        assert_eq!(exchange(server, b"alice\r\n").await, format!("{INTERNAL_ERROR}\r\n"));
    });
}

// A backend whose lookups never finish.
struct Stuck;

impl Directory for Stuck {
    fn get_user<'a>(&'a self, _user: &'a str) -> Lookup<'a, Option<String>> {
        Box::pin(std::future::pending())
    }
    fn get_users(&self) -> Lookup<'_, Vec<String>> {
        Box::pin(std::future::pending())
    }
}

#[test]
fn step_5_hostile_input_is_refused_and_slow_peers_time_out() {
    // Paused time: the timeouts pass in virtual time, at once and exactly.
    test_kit::run_paused(|| async {
        let addr = start(FingerFactory::new(staff())).await;

        let longest = format!("{}\r\n", "a".repeat(MAX_QUERY_LENGTH - 1));
        assert_eq!(
            exchange(addr, longest.as_bytes()).await,
            "No such user\r\n",
            "a query of MAX_QUERY_LENGTH bytes up to its \\n (its \\r included) is fine"
        );
        let too_long = format!("Query too long (max {MAX_QUERY_LENGTH} bytes)\r\n");
        let long = format!("{}\r\n", "a".repeat(MAX_QUERY_LENGTH));
        assert_eq!(exchange(addr, long.as_bytes()).await, too_long, "one byte too many");
        assert_eq!(
            exchange(addr, &[b'x'; 2000]).await,
            too_long,
            "2,000 bytes without a line end are refused without waiting for one"
        );
        assert_eq!(
            exchange(addr, "al\u{ef}ce\r\n".as_bytes()).await,
            "Query must be ASCII\r\n"
        );
        assert_eq!(exchange(addr, b"\xff\xfe\r\n").await, "Query must be ASCII\r\n");
        assert_eq!(
            exchange(addr, b"ali\x00ce\r\n").await,
            "Query has a control character\r\n"
        );

        // A client that closes its side mid-line gets nothing, and no hang.
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"ali").await.unwrap();
        stream.shutdown().await.unwrap();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
        assert_eq!(rest, b"", "no line, no answer");

        // A client that never sends its line is closed after IDLE_TIMEOUT.
        let started = Instant::now();
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let mut rest = Vec::new();
        let _ = silent.read_to_end(&mut rest).await;
        assert_eq!(rest, b"", "closed without an answer");
        let waited = started.elapsed();
        assert!(
            waited >= IDLE_TIMEOUT && waited < IDLE_TIMEOUT + Duration::from_secs(1),
            "closed after {waited:?}, expected IDLE_TIMEOUT ({IDLE_TIMEOUT:?})"
        );

        // A lookup that never finishes answers INTERNAL_ERROR after LOOKUP_TIMEOUT.
        let stuck = start(FingerFactory::new(Stuck)).await;
        let started = Instant::now();
        assert_eq!(exchange(stuck, b"alice\r\n").await, format!("{INTERNAL_ERROR}\r\n"));
        let waited = started.elapsed();
        assert!(
            waited >= LOOKUP_TIMEOUT && waited < LOOKUP_TIMEOUT + Duration::from_secs(1),
            "answered after {waited:?}, expected LOOKUP_TIMEOUT ({LOOKUP_TIMEOUT:?})"
        );
        assert_eq!(exchange(stuck, b"/W\r\n").await, format!("{INTERNAL_ERROR}\r\n"));
    });
}

#[test]
fn step_6_one_service_serves_finger_setter_and_web() {
    test_kit::run(|| async {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let service = FingerService::new(staff());
        let ports = service
            .listen(Ports { finger: any, setter: any, web: any })
            .await
            .expect("the service could not listen");
        let t = Transcript::new();
        let mut admin = LineClient::connect(ports.setter, "admin", &t).await;
        for line in [
            "carol Unpacking pallets",
            "bob   Back from lunch ",
            "carol",
            "",
            "c@rol Unpacking",
            "dave \u{7}ring",
        ] {
            admin.send_line(line).await;
            admin.recv_line().await;
        }
        admin.send_raw(b"eve \xff\r\n").await;
        admin.recv_line().await;
        ask(ports.finger, "clerk", "carol", 1, &t).await;
        ask(ports.finger, "clerk", "/W", 4, &t).await;
        insta::assert_snapshot!(t.to_string());

        // The web view reads the same directory.
        let mut web = TcpStream::connect(ports.web).await.unwrap();
        web.write_all(b"GET /users/carol HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut response = String::new();
        web.read_to_string(&mut response).await.unwrap();
        assert!(
            response.starts_with("HTTP/1.1 200 ")
                && response.ends_with("\r\n\r\nUnpacking pallets\n"),
            "the web view shows what the setter set, got {response:?}"
        );

        // A second server whose HTTP backend is this service's web view.
        let mirror = start(FingerFactory::new(HttpDirectory::new(ports.web))).await;
        assert_eq!(exchange(mirror, b"carol\r\n").await, "carol: Unpacking pallets\r\n");
    });
}

#[test]
fn step_7_the_finger_client_sends_one_query_and_reads_to_the_close() {
    test_kit::run_paused(|| async {
        let addr = start(FingerFactory::new(staff())).await;
        assert_eq!(
            finger(addr, "alice").await.expect("finger alice"),
            "alice: Counting widgets in aisle 7\r\n"
        );
        assert_eq!(
            finger(addr, "/W bob").await.expect("finger /W bob"),
            "Login: bob\r\nStatus: Out to lunch\r\n"
        );
        assert_eq!(
            finger(addr, "").await.expect("finger ''"),
            "alice\r\nbob\r\nmoshez\r\n"
        );
        for bad in ["alice\r\nbob", "alice\n", &"a".repeat(MAX_QUERY_LENGTH + 1)] {
            assert!(
                matches!(finger(addr, bad).await, Err(ClientError::BadQuery)),
                "{bad:?} is not one query line: expected Err(BadQuery)"
            );
        }

        // Servers that misbehave, each on its own port: what the client sent, and
        // whether it gives up on a flood and on a server that never closes.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let odd = listener.local_addr().unwrap();
        let (sent, query) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(async move {
            // 1: records the query line, answers a flood.
            let (stream, _) = listener.accept().await.unwrap();
            let mut stream = BufReader::new(stream);
            let mut query = String::new();
            let _ = stream.read_line(&mut query).await;
            let _ = sent.send(query);
            let _ = stream.get_mut().write_all(&vec![b'x'; MAX_ANSWER + 1]).await;
            drop(stream);
            // 2: answers, but never closes.
            let (mut stream, _) = listener.accept().await.unwrap();
            let _ = stream.write_all(b"still here\r\n").await;
            std::future::pending::<()>().await;
        });
        match finger(odd, "/W alice").await {
            Err(ClientError::TooLong) => {}
            other => panic!(
                "a server that sends MAX_ANSWER + 1 bytes: expected Err(TooLong), got {other:?}"
            ),
        }
        assert_eq!(query.await.unwrap(), "/W alice\r\n", "the query, ended by \\r\\n");
        let started = Instant::now();
        match finger(odd, "bob").await {
            Err(ClientError::TimedOut) => {}
            other => panic!(
                "a server that never closes: expected Err(TimedOut), got {other:?}"
            ),
        }
        assert!(started.elapsed() >= finger::CLIENT_TIMEOUT, "gave up too early");
        server.abort();

        let nobody =
            TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        assert!(
            matches!(finger(nobody, "alice").await, Err(ClientError::Io(_))),
            "nothing listens: expected Err(Io(connection refused))"
        );
    });
}
