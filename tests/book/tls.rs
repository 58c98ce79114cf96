//! 09-tls (the TLS chapter): the chapter's Twisted server and the Rust solution answer
//! one scripted Twisted TLS client the same way, over TLS and over STARTTLS.

use super::*;

/// Starts a server that prints `listening on 127.0.0.1:PORT…` and writes its test
/// CA to `pem_dir/ca.pem`; killed when dropped.
fn start_tls_server(mut command: Command, what: &str) -> Demo {
    use std::io::{BufRead, BufReader};
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("listening on ").nth(1)?;
            Some(rest.split(|c: char| c.is_whitespace() || c == ';').next()?.to_owned())
        })
        .unwrap_or_else(|| panic!("{what} never said where it listens"));
    std::thread::spawn(move || lines.for_each(drop));
    Demo { child, addr }
}

#[test]
fn the_twisted_tls_server_and_the_rust_solution_answer_the_twisted_client_alike() {
    let python = twisted_venv();
    let snippets = src().join("tls/twisted");
    let rust_demo = Demo::build("sol09-tls");
    let moves = ["WIDGET-1 5", "WIDGET-1 -2", "GADGET 3", "WIDGET-1 five", "WIDGET-1", "WIDGET-1 10"];
    let mut failures = Vec::new();
    for mode in [None, Some("--starttls")] {
        let mut answers = Vec::new();
        for server in ["twisted", "rust"] {
            let pem_dir = target_dir().join(format!("book-tls-{server}-{}", mode.unwrap_or("tls")));
            std::fs::create_dir_all(&pem_dir).unwrap();
            let mut command = if server == "twisted" {
                let mut c = Command::new(&python);
                c.arg(snippets.join("feed_server.py")).args(["--listen", "0"]).current_dir(&snippets);
                c.env("PYTHONDONTWRITEBYTECODE", "1");
                c
            } else {
                let mut c = Command::new(&rust_demo);
                c.args(["--listen", "127.0.0.1:0"]);
                c
            };
            command.arg("--pem-dir").arg(&pem_dir).args(mode);
            let running = start_tls_server(command, server);
            let mut client = Command::new(&python);
            client
                .arg(snippets.join("feed_client.py"))
                .args(["--connect", &running.addr, "--ca"])
                .arg(pem_dir.join("ca.pem"))
                .args(mode)
                .args(moves)
                .current_dir(&snippets)
                .env("PYTHONDONTWRITEBYTECODE", "1");
            let (ok, output) = run_with_timeout(client, SNIPPET_TIMEOUT);
            if !ok {
                failures.push(format!("feed_client.py against the {server} server {mode:?}:\n{output}"));
            }
            answers.push(output);
            drop(running);
            let _ = std::fs::remove_dir_all(&pem_dir);
        }
        let expected = "> WIDGET-1 5\n< WIDGET-1 5\n> WIDGET-1 -2\n< WIDGET-1 3\n> GADGET 3\n< GADGET 3\n\
                        > WIDGET-1 five\n< ERR qty must be a whole number, got \"five\"\n\
                        > WIDGET-1\n< ERR missing qty, expected: SKU qty\n> WIDGET-1 10\n< WIDGET-1 13";
        for (server, output) in ["twisted", "rust"].iter().zip(&answers) {
            if output.trim_end() != expected {
                failures.push(format!("the {server} server {mode:?} answered the Twisted client:\n{output}"));
            }
        }
    }
    assert_no_problems("the TLS chapter's servers, Twisted and Rust, side by side", &failures);
}
