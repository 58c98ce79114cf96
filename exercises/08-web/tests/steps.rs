// The steps of exercise 08: the resource tree walk, then render's dispatch over real
// HTTP, then the JSON inventory API against curl, its bad requests, a client that
// leaves mid-render, and slow or oversized requests. The runner reports the first
// step that fails.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Method;
use test_kit::Transcript;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use web::{
    BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT, Inventory, MAX_BODY_BYTES, Node, Rendering,
    Request, Resource, Response, Site, WebServer, get_child_for_request, inventory_tree,
};

// ---------------------------------------------------------------------------------
// Test resources: each renders its own name, so an answer shows who rendered it.

// A resource that renders `methods` by answering `"<name> <METHOD>"`.
struct Named {
    name: &'static str,
    methods: &'static [Method],
    leaf: bool,
    // What `get_child` makes for any non-empty segment (a dynamic child).
    dynamic: Option<Arc<dyn Resource>>,
}

impl Named {
    fn new(name: &'static str, methods: &'static [Method]) -> Self {
        Self { name, methods, leaf: false, dynamic: None }
    }
}

impl Resource for Named {
    fn methods(&self) -> &'static [Method] {
        self.methods
    }

    fn render(&self, method: &Method, request: Request) -> Rendering {
        let text = format!("{} {method} {:?}", self.name, request.postpath);
        Box::pin(async move { Response::new(Full::new(Bytes::from(text))) })
    }

    fn get_child(&self, segment: &str) -> Option<Arc<Node>> {
        let dynamic = self.dynamic.clone().filter(|_| !segment.is_empty())?;
        Some(Arc::new(Node::shared(dynamic)))
    }

    fn is_leaf(&self) -> bool {
        self.leaf
    }
}

// The tree of steps 1 to 3:
//   /                 root (renders nothing)
//   ├── ""            home          GET
//   ├── stock         stock         GET; static child "reports", dynamic child sku
//   │   └── reports   reports       GET
//   ├── shelf         shelf         GET, PUT
//   ├── label         label         GET, HEAD (its own render_HEAD)
//   ├── files         files         GET, a leaf
//   └── intake        intake        POST
struct TestTree {
    root: Node,
    home: Arc<dyn Resource>,
    stock: Arc<dyn Resource>,
    reports: Arc<dyn Resource>,
    sku: Arc<dyn Resource>,
    files: Arc<dyn Resource>,
}

fn test_tree() -> TestTree {
    const GET: &[Method] = &[Method::GET];
    let home: Arc<dyn Resource> = Arc::new(Named::new("home", GET));
    let sku: Arc<dyn Resource> = Arc::new(Named::new("sku", GET));
    let stock: Arc<dyn Resource> =
        Arc::new(Named { dynamic: Some(sku.clone()), ..Named::new("stock", GET) });
    let reports: Arc<dyn Resource> = Arc::new(Named::new("reports", GET));
    let files: Arc<dyn Resource> =
        Arc::new(Named { leaf: true, ..Named::new("files", GET) });

    let mut root = Node::new(Named::new("root", &[]));
    root.put_child("", Node::shared(home.clone()));
    let mut stock_node = Node::shared(stock.clone());
    stock_node.put_child("reports", Node::shared(reports.clone()));
    root.put_child("stock", stock_node);
    root.put_child("shelf", Node::new(Named::new("shelf", &[Method::GET, Method::PUT])));
    root.put_child("label", Node::new(Named::new("label", &[Method::GET, Method::HEAD])));
    root.put_child("files", Node::shared(files.clone()));
    root.put_child("intake", Node::new(Named::new("intake", &[Method::POST])));
    TestTree { root, home, stock, reports, sku, files }
}

// Starts `site` on a free loopback port and returns its address.
async fn serve(site: Site) -> SocketAddr {
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = WebServer::bind(addr, site)
        .await
        .expect("the web server could not listen on 127.0.0.1:0");
    let addr = server.local_addr();
    tokio::spawn(server.run());
    addr
}

// ---------------------------------------------------------------------------------
// A raw HTTP/1.1 client: it shows exactly what crossed the wire.

// One response as received: status line, headers (names lower-cased), body.
#[derive(Debug)]
struct Answer {
    status_line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    // Parses one response from the front of `raw`; returns it and what follows.
    fn parse(raw: &[u8]) -> (Answer, &[u8]) {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete response head in {:?}", lossy(raw)));
        let head = lossy(&raw[..end]);
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let rest = &raw[end + 4..];
        let length = headers
            .iter()
            .find(|(name, _)| name == "content-length")
            .and_then(|(_, value)| value.parse::<usize>().ok());
        // A HEAD answer has a Content-Length but no body: the caller cuts it.
        let length = length.unwrap_or(rest.len()).min(rest.len());
        let body = lossy(&rest[..length]);
        (Answer { status_line, headers, body }, &rest[length..])
    }

    fn header(&self, name: &str) -> Option<&str> {
        let found = self.headers.iter().find(|(n, _)| n == name);
        found.map(|(_, value)| value.as_str())
    }

    // The lines a transcript keeps: status, the headers that matter, body.
    fn record(&self, peer: &str, transcript: &Transcript) {
        transcript.received(peer, &self.status_line);
        for name in ["allow", "content-type", "content-length"] {
            if let Some(value) = self.header(name) {
                transcript.received(peer, &format!("{name}: {value}"));
            }
        }
        if !self.body.is_empty() {
            transcript.received(peer, &self.body);
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// Sends `raw` on a new connection and reads everything until the server closes it.
async fn exchange(addr: SocketAddr, raw: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connecting to the server");
    stream.write_all(raw).await.expect("sending the request");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    answer
}

// One request (`Connection: close`), one answer.
async fn request(addr: SocketAddr, method: &str, path: &str, extra: &str) -> Answer {
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: example\r\n{extra}Connection: close\r\n\r\n"
    );
    let answer = exchange(addr, raw.as_bytes()).await;
    assert!(!answer.is_empty(), "{method} {path}: the server closed without answering");
    Answer::parse(&answer).0
}

// A POST with a body and the headers in `extra`, recorded in `transcript`.
async fn post(
    addr: SocketAddr,
    path: &str,
    extra: &str,
    body: &str,
    t: &Transcript,
) -> Answer {
    t.sent("client", &format!("POST {path}"));
    for line in extra.lines() {
        t.sent("client", line);
    }
    if !body.is_empty() {
        t.sent("client", body);
    }
    let headers = format!("{extra}Content-Length: {}\r\n", body.len());
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: example\r\n{headers}Connection: close\r\n\r\n{body}"
    );
    let raw = exchange(addr, raw.as_bytes()).await;
    assert!(!raw.is_empty(), "POST {path}: the server closed without answering");
    let answer = Answer::parse(&raw).0;
    answer.record("client", t);
    answer
}

// The pages Twisted 26.10 sends, byte for byte (checked against a real
// twisted.web.server.Site; see the chapter).
fn twisted_page(code: u16, brief: &str, detail: &str) -> String {
    format!(
        "\n<html>\n  <head><title>{code} - {brief}</title></head>\n  <body>\n    \
         <h1>{brief}</h1>\n    <p>{detail}</p>\n  </body>\n</html>\n"
    )
}

// ---------------------------------------------------------------------------------
// The steps

#[test]
fn step_1_the_walk_takes_static_children_first_and_stops_at_a_leaf() {
    test_kit::run(|| async {
        let tree = test_tree();
        let root = Arc::new(tree.root);
        // Where `path` leads: the resource, prepath and postpath (None: 404).
        let walk = |path: &str| {
            get_child_for_request(&root, path).map(|w| (w.node.resource().clone(), w))
        };
        let same = |a: &Arc<dyn Resource>, b: &Arc<dyn Resource>| Arc::ptr_eq(a, b);

        let (found, w) = walk("/stock").expect("/stock is a static child of the root");
        assert!(same(&found, &tree.stock), "/stock must find the stock resource");
        assert_eq!((w.prepath, w.postpath), (vec!["stock".to_owned()], vec![]));

        let (found, _) = walk("/stock/reports").expect("/stock/reports exists");
        assert!(
            same(&found, &tree.reports),
            "/stock/reports: a child registered with put_child comes before get_child \
             (getChildWithDefault looks in the static children first)"
        );
        let (found, w) = walk("/stock/WIDGET-1").expect("stock makes a child for a SKU");
        assert!(
            same(&found, &tree.sku),
            "/stock/WIDGET-1: no static child, so get_child"
        );
        assert_eq!(w.prepath, ["stock", "WIDGET-1"], "prepath: the segments consumed");

        // A trailing slash is one more segment, the empty one.
        let (found, w) = walk("/").expect("/ asks the root for its child \"\"");
        assert!(same(&found, &tree.home), "/ is the root's child \"\", not the root");
        assert_eq!(w.prepath, [""]);
        assert!(
            walk("/stock/").is_none(),
            "/stock/ asks stock for its child \"\", and stock has none: 404"
        );
        assert!(walk("/stock//reports").is_none(), "an empty segment in the middle too");

        // A leaf stops the walk: what is left stays in postpath, the slash too.
        let (found, w) = walk("/files/2026/q4/").expect("files is a leaf");
        assert!(same(&found, &tree.files));
        assert_eq!(w.prepath, ["files"]);
        assert_eq!(
            w.postpath,
            ["2026", "q4", ""],
            "a leaf's postpath keeps every segment"
        );

        for path in ["/nope", "/stock/WIDGET-1/history", "/shelf/x"] {
            assert!(walk(path).is_none(), "{path}: a segment with no child is 404");
        }
        assert!(root.get_child_with_default("nope").is_none());
        assert!(root.get_child_with_default("stock").is_some());
    });
}

#[test]
fn step_2_render_answers_405_with_allow_for_get_head_post_and_501_otherwise() {
    test_kit::run(|| async {
        let addr = serve(Site::new(test_tree().root)).await;

        let ok = request(addr, "GET", "/stock", "").await;
        assert_eq!(ok.status_line, "HTTP/1.1 200 OK");
        assert_eq!(ok.body, "stock GET []", "GET /stock is stock's render of GET");
        let put = request(addr, "PUT", "/shelf", "").await;
        assert_eq!(
            (put.status_line.as_str(), put.body.as_str()),
            ("HTTP/1.1 200 OK", "shelf PUT []"),
            "a resource that renders PUT gets PUT"
        );

        // A missing GET, HEAD or POST: 405, and Allow lists what the resource has,
        // HEAD first (every Twisted Resource inherits render_HEAD; label has its
        // own, and it still comes first), ", " between.
        let resources = [
            ("/stock", "HEAD, GET"),
            ("/shelf", "HEAD, GET, PUT"),
            ("/label", "HEAD, GET"),
        ];
        for (path, allow) in resources {
            let answer = request(addr, "POST", path, "").await;
            assert_eq!(
                answer.status_line, "HTTP/1.1 405 Method Not Allowed",
                "POST {path}"
            );
            assert_eq!(
                answer.header("allow"),
                Some(allow),
                "POST {path}: the Allow header"
            );
            let detail = format!(
                "Your browser approached me (at {path}) with the method \"POST\".  \
                 I only allow the methods {allow} here."
            );
            assert_eq!(answer.body, twisted_page(405, "Method Not Allowed", &detail));
        }

        // Any other method the resource lacks: 501, and no Allow.
        for method in ["PUT", "DELETE", "OPTIONS", "BREW"] {
            let answer = request(addr, method, "/stock", "").await;
            assert_eq!(
                answer.status_line, "HTTP/1.1 501 Not Implemented",
                "{method} is not GET, HEAD or POST: 501, not 405"
            );
            assert_eq!(answer.header("allow"), None, "{method}: a 501 has no Allow");
            let detail = format!("I don't know how to treat a {method} request.");
            assert_eq!(answer.body, twisted_page(501, "Huh?", &detail));
        }

        let missing = request(addr, "GET", "/stock/WIDGET-1/history", "").await;
        assert_eq!(missing.status_line, "HTTP/1.1 404 Not Found");
        let sorry = "Sorry. No luck finding that resource.";
        assert_eq!(missing.body, twisted_page(404, "No Such Resource", sorry));
    });
}

// HEAD then GET on one connection: the HEAD answer's head, and what follows it. If
// HEAD sent a body, it would sit where the GET's status line must be.
async fn head_then_get(addr: SocketAddr, path: &str) -> (Answer, String) {
    let raw = format!(
        "HEAD {path} HTTP/1.1\r\nHost: example\r\n\r\n\
         GET {path} HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"
    );
    let raw = exchange(addr, raw.as_bytes()).await;
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let end =
        end.unwrap_or_else(|| panic!("HEAD {path}: no answer, got {:?}", lossy(&raw)));
    (Answer::parse(&raw[..end + 4]).0, lossy(&raw[end + 4..]))
}

#[test]
fn step_3_head_renders_its_own_else_gets_headers_without_a_body() {
    test_kit::run(|| async {
        let addr = serve(Site::new(test_tree().root)).await;
        let get = request(addr, "GET", "/stock", "").await;
        let length = get.header("content-length").expect("GET has a Content-Length");

        let (head, next) = head_then_get(addr, "/stock").await;
        assert_eq!(head.status_line, "HTTP/1.1 200 OK", "stock has GET, so HEAD works");
        assert_eq!(
            head.header("content-length"),
            Some(length),
            "HEAD carries the Content-Length GET would have"
        );
        assert!(
            next.starts_with("HTTP/1.1 200 OK"),
            "HEAD must send no body: the next answer must follow its headers, got {next:?}"
        );

        // A resource with its own render_HEAD renders HEAD itself.
        let (head, next) = head_then_get(addr, "/label").await;
        let own = "label HEAD []".len().to_string();
        assert_eq!(
            head.header("content-length"),
            Some(own.as_str()),
            "label renders HEAD itself: its own render, not GET's"
        );
        assert!(next.starts_with("HTTP/1.1 200 OK"), "and still no body, got {next:?}");

        // A resource without GET has nothing to run for HEAD: 405, like POST.
        let answer = request(addr, "HEAD", "/intake", "").await;
        assert_eq!(answer.status_line, "HTTP/1.1 405 Method Not Allowed", "HEAD /intake");
        assert_eq!(answer.header("allow"), Some("POST"), "intake renders POST only");
    });
}

// curl, a real HTTP client, and what it printed (`-i`: status line and headers).
async fn curl(args: &[&str]) -> String {
    let owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["--silent", "--show-error", "--include", "--max-time", "5"])
            .args(&owned)
            .output()
    })
    .await
    .expect("the curl task");
    let output = output.unwrap_or_else(|err| {
        panic!(
            "cannot run curl ({err}): this step talks to the server with curl, a real \
             HTTP client. Install it (Debian/Ubuntu: apt-get install curl) and run again."
        )
    });
    assert!(
        output.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    lossy(&output.stdout)
}

#[test]
fn step_4_the_inventory_api_lists_shows_and_moves_stock_for_curl() {
    test_kit::run(|| async {
        let site = Site::new(inventory_tree(Arc::new(Inventory::demo())));
        let addr = serve(site).await;
        let url = |path: &str| format!("http://{addr}{path}");
        let transcript = Transcript::new();
        let json = "Content-Type: application/json";
        let steps: [(&[&str], &str); 6] = [
            (&[], "/inventory"),
            (&[], "/inventory/WIDGET-1"),
            (&["--head"], "/inventory/GADGET"),
            (&["-H", json, "--data", r#"{"delta": -4}"#], "/inventory/WIDGET-1"),
            (
                &["-H", json, "--data", r#"{"delta": 5, "note": "recount"}"#],
                "/inventory/GADGET",
            ),
            (&[], "/inventory"),
        ];
        for (options, path) in steps {
            let target = url(path);
            let shown = format!("curl -i {} {target}", options.join(" "));
            transcript.sent("curl", &shown.replace("  ", " "));
            let mut args = options.to_vec();
            args.push(&target);
            let printed = curl(&args).await;
            let answer = Answer::parse(printed.as_bytes()).0;
            answer.record("curl", &transcript);
            assert!(
                answer.status_line.starts_with("HTTP/1.1 200"),
                "curl {path}: {}",
                answer.status_line
            );
            let content_type = answer.header("content-type");
            assert_eq!(
                content_type,
                Some("application/json"),
                "{path}: the content type"
            );
        }
        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_5_bad_requests_get_json_errors_415_413_400_and_unknown_skus_404() {
    test_kit::run(|| async {
        let site = Site::new(inventory_tree(Arc::new(Inventory::demo())));
        let addr = serve(site).await;
        let t = Transcript::new();
        let json = "Content-Type: application/json\r\n";
        let error = |answer: &Answer, status: u16| {
            assert!(
                answer.status_line.starts_with(&format!("HTTP/1.1 {status} ")),
                "expected {status}, got {:?} ({})",
                answer.status_line,
                answer.body
            );
            assert_eq!(answer.header("content-type"), Some("application/json"));
            let body: serde_json::Value = serde_json::from_str(&answer.body)
                .unwrap_or_else(|_| {
                    panic!("the error body must be JSON: {:?}", answer.body)
                });
            assert!(body["error"].is_string(), "{{\"error\": \"…\"}}, got {body}");
        };

        // The type comes first: a body that is not JSON by its own account.
        error(&post(addr, "/inventory/WIDGET-1", "", r#"{"delta": 1}"#, &t).await, 415);
        let text = "Content-Type: text/plain\r\n";
        error(&post(addr, "/inventory/WIDGET-1", text, r#"{"delta": 1}"#, &t).await, 415);
        let utf8 = "Content-Type: Application/JSON; charset=utf-8\r\n";
        let answer = post(addr, "/inventory/WIDGET-1", utf8, r#"{"delta": 1}"#, &t).await;
        assert!(
            answer.status_line.starts_with("HTTP/1.1 200"),
            "media types ignore case"
        );

        // Then the JSON: an object with an integer delta.
        for body in ["", "delta=1", r#"{"delta": "1"}"#, r#"{"delta": 1.5}"#, "[1]", "{}"]
        {
            error(&post(addr, "/inventory/WIDGET-1", json, body, &t).await, 400);
        }
        // A move below zero is refused; the quantity stays.
        error(
            &post(addr, "/inventory/SPROCKET-7", json, r#"{"delta": -1}"#, &t).await,
            409,
        );

        // Unknown SKUs are 404 with a JSON body, for GET and POST.
        error(&post(addr, "/inventory/NOPE", json, r#"{"delta": 1}"#, &t).await, 404);
        t.sent("client", "GET /inventory/NOPE");
        let answer = request(addr, "GET", "/inventory/NOPE", "").await;
        answer.record("client", &t);
        error(&answer, 404);

        // Too large by its own Content-Length: refused before one byte of body is
        // sent (a server that reads it first would wait for 100 MB forever).
        let huge = format!(
            "POST /inventory/WIDGET-1 HTTP/1.1\r\nHost: example\r\n{json}\
             Content-Length: 100000000\r\n\r\n"
        );
        let mut stream = TcpStream::connect(addr).await.expect("connecting");
        stream.write_all(huge.as_bytes()).await.expect("sending the head");
        let mut raw = vec![0; 4096];
        let read =
            tokio::time::timeout(Duration::from_secs(3), stream.read(&mut raw)).await;
        let n = read
            .expect("413 must come from Content-Length alone, before any body is sent")
            .expect("reading the answer");
        let answer = Answer::parse(&raw[..n]).0;
        t.sent("client", "POST /inventory/WIDGET-1 (Content-Length: 100000000, no body)");
        answer.record("client", &t);
        error(&answer, 413);

        // Too large as it arrives: chunked, so no length is declared up front.
        let chunk = format!("{:x}\r\n{}\r\n", MAX_BODY_BYTES, "x".repeat(MAX_BODY_BYTES));
        let chunked = format!(
            "POST /inventory/WIDGET-1 HTTP/1.1\r\nHost: example\r\n{json}\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunk}{chunk}0\r\n\r\n"
        );
        let answer = Answer::parse(&exchange(addr, chunked.as_bytes()).await).0;
        t.sent(
            "client",
            &format!("POST /inventory/WIDGET-1 (chunked, 2 x {MAX_BODY_BYTES})"),
        );
        answer.record("client", &t);
        error(&answer, 413);

        // Nothing above moved stock but the one good move.
        let answer = request(addr, "GET", "/inventory/WIDGET-1", "").await;
        assert_eq!(answer.body, r#"{"sku":"WIDGET-1","qty":11}"#);
        insta::assert_snapshot!(t.to_string());
    });
}

// A resource whose render never finishes: it says when it started, and when its
// work is dropped.
struct Slow {
    events: mpsc::UnboundedSender<&'static str>,
}

struct DropSignal(mpsc::UnboundedSender<&'static str>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send("stopped");
    }
}

impl Resource for Slow {
    fn methods(&self) -> &'static [Method] {
        &[Method::GET]
    }

    fn render(&self, _method: &Method, _request: Request) -> Rendering {
        let events = self.events.clone();
        Box::pin(async move {
            let _signal = DropSignal(events.clone());
            let _ = events.send("started");
            std::future::pending::<()>().await;
            unreachable!("a slow render never finishes")
        })
    }
}

#[test]
fn step_6_a_client_that_leaves_mid_render_stops_the_work() {
    test_kit::run(|| async {
        let (events, mut seen) = mpsc::unbounded_channel();
        let mut root = Node::new(Named::new("root", &[]));
        root.put_child("report", Node::new(Slow { events }));
        let addr = serve(Site::new(root)).await;

        let mut client = TcpStream::connect(addr).await.expect("connecting");
        let get = b"GET /report HTTP/1.1\r\nHost: example\r\n\r\n";
        client.write_all(get).await.expect("sending the request");
        let mut byte = [0; 1];
        tokio::select! {
            event = seen.recv() => assert_eq!(event, Some("started")),
            _ = client.read(&mut byte) => {
                panic!("the server answered or closed before GET /report started rendering")
            }
            _ = tokio::time::sleep(Duration::from_secs(5)) => {
                panic!("GET /report never started its render")
            }
        }

        // The client leaves (Twisted: notifyFinish's Deferred fails).
        drop(client);
        let stopped = tokio::time::timeout(Duration::from_secs(5), seen.recv()).await;
        assert_eq!(
            stopped.ok().flatten(),
            Some("stopped"),
            "the client left, so its render must be dropped, not left running for \
             nobody (is it on a task of its own that nothing cancels?)"
        );
    });
}

#[test]
fn step_7_slow_or_oversized_requests_are_cut_off() {
    // Paused time: the timeouts pass in virtual time, at once.
    test_kit::run_paused(|| async {
        let addr = serve(Site::new(inventory_tree(Arc::new(Inventory::demo())))).await;

        // Slowloris: a head that never ends holds the connection only so long.
        let mut slow = TcpStream::connect(addr).await.expect("connecting");
        slow.write_all(b"GET /inventory HTTP/1.1\r\nHost: exa").await.expect("sending");
        let started = tokio::time::Instant::now();
        let mut answer = Vec::new();
        // Virtual time: waiting three times the limit costs nothing.
        let closed =
            tokio::time::timeout(HEADER_READ_TIMEOUT * 3, slow.read_to_end(&mut answer))
                .await;
        assert!(
            closed.is_ok(),
            "a head that never ends must not hold the connection for ever"
        );
        let waited = started.elapsed();
        assert!(
            waited >= HEADER_READ_TIMEOUT && waited < HEADER_READ_TIMEOUT * 2,
            "a head still unfinished after HEADER_READ_TIMEOUT ({HEADER_READ_TIMEOUT:?}) \
             closes the connection; it closed after {waited:?}"
        );

        // A head larger than the limit is refused, with 431.
        let filler = "x".repeat(20 * 1024);
        let big = format!(
            "GET /inventory HTTP/1.1\r\nHost: example\r\nX-Filler: {filler}\r\n\r\n"
        );
        let raw = exchange(addr, big.as_bytes()).await;
        assert!(!raw.is_empty(), "an oversized head gets an answer before the close");
        let answer = Answer::parse(&raw).0;
        assert_eq!(answer.status_line, "HTTP/1.1 431 Request Header Fields Too Large");

        // A body that never comes: 408 after BODY_READ_TIMEOUT.
        let mut stream = TcpStream::connect(addr).await.expect("connecting");
        let head = "POST /inventory/WIDGET-1 HTTP/1.1\r\nHost: example\r\n\
                    Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"del";
        stream.write_all(head.as_bytes()).await.expect("sending");
        let started = tokio::time::Instant::now();
        let mut raw = vec![0; 4096];
        let read =
            tokio::time::timeout(BODY_READ_TIMEOUT * 3, stream.read(&mut raw)).await;
        let n = read
            .expect("a body that never comes must not hold the request for ever")
            .expect("reading the answer");
        let waited = started.elapsed();
        let answer = Answer::parse(&raw[..n]).0;
        assert_eq!(answer.status_line, "HTTP/1.1 408 Request Timeout", "{}", answer.body);
        assert!(
            waited >= BODY_READ_TIMEOUT && waited < BODY_READ_TIMEOUT * 2,
            "a body is given BODY_READ_TIMEOUT ({BODY_READ_TIMEOUT:?}); 408 came after \
             {waited:?}"
        );
    });
}
