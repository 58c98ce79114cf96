//! 08-web: the chapter's Twisted site and the Rust solution answer alike

use super::*;

/// One answer as curl printed it (`--include`): the status line, the headers that
/// matter (names lower-cased; Date and Server differ by nature) and the body.
fn curl_answer(printed: &str) -> String {
    let (head, body) = printed.split_once("\r\n\r\n").unwrap_or((printed, ""));
    let mut lines = head.lines();
    // The code, not the reason phrase, which clients ignore (RFC 9110 section 15): for
    // 413 Twisted still says RFC 2616's "Request Entity Too Large", hyper "Payload Too Large".
    let status: Vec<&str> = lines.next().unwrap_or_default().splitn(3, ' ').take(2).collect();
    let mut shown = vec![status.join(" ")];
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = name.to_ascii_lowercase();
        if ["allow", "content-type", "content-length"].contains(&name.as_str()) {
            shown.push(format!("{name}: {}", value.trim()));
        }
    }
    shown[1..].sort(); // the two servers write headers in different orders
    shown.push(body.to_owned());
    shown.join("\n")
}

/// Sends `args` with curl to `base` and returns the answer as [`curl_answer`] shows it.
fn curl(base: &str, args: &[&str], path: &str) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--include", "--max-time", "5"])
        .args(args)
        .arg(format!("http://{base}{path}"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run curl ({e}): this test compares two HTTP servers through a real \
                 client. Install curl (Debian/Ubuntu: apt-get install curl) and run again."
            )
        });
    assert!(output.status.success(), "curl {args:?} {path}: {}", String::from_utf8_lossy(&output.stderr));
    curl_answer(&String::from_utf8_lossy(&output.stdout))
}

#[test]
fn the_twisted_inventory_site_and_the_rust_solution_answer_curl_alike() {
    use std::io::{BufRead, BufReader};
    let python = twisted_venv();
    let snippet = src().join("web/twisted/inventory_site.py");
    let mut twisted = Command::new(&python)
        .arg(&snippet)
        .args(["--listen", "127.0.0.1:0"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(twisted.stdout.take().unwrap()).lines();
    let twisted_addr = lines
        .next()
        .and_then(Result::ok)
        .and_then(|line| Some(line.split("listening on ").nth(1)?.split_whitespace().next()?.to_owned()));
    let rust = Demo::start("sol08-web");
    let Some(twisted_addr) = twisted_addr else {
        let _ = twisted.kill();
        panic!("{} --listen never said where it listens", shown(&snippet));
    };

    let json = ["-H", "Content-Type: application/json"];
    // Over the 4096-byte limit. curl sends it whole; Twisted reads it all first.
    let oversized = "1".repeat(5000);
    let script: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "/inventory"),
        (vec![], "/inventory/WIDGET-1"),
        (vec!["--head"], "/inventory/WIDGET-1"),
        ([&json[..], &["--data", r#"{"delta": -4}"#]].concat(), "/inventory/WIDGET-1"),
        ([&json[..], &["--data", r#"{"delta": -99}"#]].concat(), "/inventory/GADGET"),
        ([&json[..], &["--data", r#"{"delta": "x"}"#]].concat(), "/inventory/GADGET"),
        ([&json[..], &["--data", "[1]"]].concat(), "/inventory/GADGET"),
        (vec!["-H", "Content-Type: text/plain", "--data", "5"], "/inventory/GADGET"),
        ([&json[..], &["--data", &oversized]].concat(), "/inventory/GADGET"),
        (vec![], "/inventory/NOPE"),
        ([&json[..], &["--data", r#"{"delta": 1}"#]].concat(), "/inventory/NOPE"),
        (vec![], "/inventory/"),
        (vec![], "/inventory/WIDGET-1/history"),
        (vec![], "/"),
        (vec!["-X", "POST"], "/inventory"),
        (vec!["--head"], "/inventory"),
        (vec!["-X", "PUT"], "/inventory/WIDGET-1"),
        (vec!["-X", "BREW"], "/inventory"),
        (vec![], "/inventory"),
    ];
    let mut differences = Vec::new();
    for (args, path) in &script {
        let from_twisted = curl(&twisted_addr, args, path);
        let from_rust = curl(&rust.addr, args, path);
        if from_twisted != from_rust {
            differences.push(format!(
                "curl {} {path}:\n--- Twisted\n{from_twisted}\n--- Rust\n{from_rust}",
                args.iter().map(|a| if a.len() > 40 { "<a long body>" } else { a }).collect::<Vec<_>>().join(" ")
            ));
        }
    }
    let _ = twisted.kill();
    let _ = twisted.wait();
    assert_no_problems("answers that differ between web/twisted/inventory_site.py and sol08-web", &differences);
}
