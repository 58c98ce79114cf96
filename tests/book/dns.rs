//! 12-dns (Legacy protocols: DNS): the chapter's Twisted names server and the Rust
//! solution give dnspython and dig equivalent answers

use super::*;

/// The questions both DNS servers are asked, as dig spells them.
const DNS_QUESTIONS: [(&str, &str); 9] = [
    ("warehouse-1.erp.test", "A"),
    ("WAREHOUSE-1.erp.test", "AAAA"),
    ("feed.erp.test", "TXT"),
    ("_feed._tcp.erp.test", "SRV"),
    ("nowhere.erp.test", "A"),
    ("feed.erp.test", "AAAA"),
    ("example.com", "A"),
    ("xerp.test", "A"),
    ("catalog.erp.test", "TXT"),
];

/// Asks `addr` every question with dnspython over UDP without EDNS (and again over
/// TCP when the answer is truncated); one line per answer: code, TC, records.
fn dnspython_answers(python: &Path, addr: &str) -> Vec<String> {
    let script = r#"
import sys
import dns.message, dns.query, dns.rcode, dns.flags
host, port = sys.argv[1].rsplit(":", 1)
for name, rdtype in zip(sys.argv[2::2], sys.argv[3::2]):
    query = dns.message.make_query(name, rdtype)
    reply = dns.query.udp(query, host, port=int(port), timeout=5)
    truncated = bool(reply.flags & dns.flags.TC)
    if truncated:
        reply = dns.query.tcp(query, host, port=int(port), timeout=5)
    # Names compare without regard to case; Twisted echoes the query's case.
    records = sorted(f"{rrset.name} {rrset.ttl} {rd.to_text()}".lower()
                     for rrset in reply.answer for rd in rrset)
    print(name, rdtype, dns.rcode.to_text(reply.rcode()), "TC" if truncated else "-",
          "|".join(records))
"#;
    let mut command = Command::new(python);
    command.args(["-c", script, addr]);
    for (name, record_type) in DNS_QUESTIONS {
        command.args([name, record_type]);
    }
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(ok, "dnspython could not ask {addr}:\n{output}");
    output.lines().map(str::to_owned).collect()
}

/// dig, or a failure that says how to get it.
fn dig() -> &'static str {
    let works = Command::new("dig").arg("-v").output().is_ok_and(|o| o.status.success());
    assert!(
        works,
        "dig is missing: the DNS chapter's servers are tested against it. Install it \
         (Debian and Ubuntu: apt-get install dnsutils; Fedora: bind-utils; macOS has it)."
    );
    "dig"
}

/// Asks `addr` every question with dig (UDP, no EDNS: a truncated answer makes dig
/// ask again over TCP); per question the status, whether dig retried, the answers.
fn dig_answers(addr: &str) -> Vec<String> {
    let (host, port) = addr.rsplit_once(':').unwrap();
    DNS_QUESTIONS
        .iter()
        .map(|(name, record_type)| {
            let mut command = Command::new(dig());
            command.args([&format!("@{host}"), "-p", port, "+noedns", "+tries=1", "+time=5", name, record_type]);
            let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
            assert!(ok, "dig {name} {record_type} failed:\n{output}");
            let status = output.split("status: ").nth(1).and_then(|s| s.split(',').next()).unwrap_or("?");
            let retried = output.contains("Truncated, retrying in TCP mode");
            let mut answers: Vec<String> = output
                .split(";; ANSWER SECTION:")
                .nth(1)
                .unwrap_or("")
                .lines()
                .skip(1)
                .take_while(|line| !line.is_empty() && !line.starts_with(";;"))
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
                .collect();
            answers.sort();
            format!("{name} {record_type} {status} retried={retried} {}", answers.join("|"))
        })
        .collect()
}

#[test]
fn the_dns_servers_answer_alike_in_twisted_and_rust() {
    let python = twisted_venv();
    let rust = Demo::start("sol12-dns");
    let twisted = twisted_server(&python, "dns/twisted/zone_server.py");
    for (peer, ask) in [
        ("dnspython", &(|addr: &str| dnspython_answers(&python, addr)) as &dyn Fn(&str) -> Vec<String>),
        ("dig", &dig_answers),
    ] {
        let (from_rust, from_twisted) = (ask(&rust.addr), ask(&twisted.addr));
        let differences: Vec<String> = from_rust
            .iter()
            .zip(&from_twisted)
            .filter(|(r, t)| r != t)
            .map(|(r, t)| format!("rust    {r}\ntwisted {t}"))
            .collect();
        assert_no_problems(&format!("{peer} hears the two DNS servers differently"), &differences);
        assert_eq!(from_rust.len(), DNS_QUESTIONS.len(), "{peer}: {from_rust:#?}");
        // The chapter's table of answers quotes these.
        let expected: [&[&str]; 4] = [
            &["warehouse-1.erp.test A NOERROR", "192.0.2.10"],
            &["nowhere.erp.test A NXDOMAIN"],
            &["example.com A REFUSED"],
            &["catalog.erp.test TXT NOERROR", "WIDGET-12"],
        ];
        for parts in expected {
            assert!(
                from_rust
                    .iter()
                    .any(|line| parts.iter().all(|part| line.to_lowercase().contains(&part.to_lowercase()))),
                "{peer}: no answer with {parts:?} in {from_rust:#?}"
            );
        }
        let catalog = from_rust.last().unwrap();
        assert!(
            catalog.contains("TC") || catalog.contains("retried=true"),
            "{peer}: the catalog must come truncated over UDP: {catalog}"
        );
    }
}

#[test]
fn the_twisted_names_client_asks_the_rust_dns_server() {
    let python = twisted_venv();
    let demo = Demo::start("sol12-dns");
    let snippet = src().join("dns/twisted/lookup.py");
    let mut command = Command::new(&python);
    command
        .arg(&snippet)
        .args(["--connect", &demo.addr, "catalog.erp.test", "TXT", "feed.erp.test", "AAAA"])
        .current_dir(snippet.parent().unwrap())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let (ok, output) = run_with_timeout(command, SNIPPET_TIMEOUT);
    assert!(
        ok && output.contains("WIDGET-12") && output.contains("feed.erp.test AAAA: NOERROR, no answer"),
        "{} --connect {} (after TC over UDP, Twisted's client asks again over TCP):\n{output}",
        shown(&snippet),
        demo.addr
    );
}
