"""Asks a DNS server about the ERP's hosts, with Twisted names' client.

    python lookup.py --connect HOST:PORT NAME TYPE [NAME TYPE ...]
    python lookup.py --selftest     # against zone_server.py, started here

Written for the untwisted book (chapter "Legacy protocols: DNS").
"""

import sys

from twisted.internet import defer, task
from twisted.names import client, dns, error


# ANCHOR: lookup
@defer.inlineCallbacks
def lookup(resolver, name, record_type):
    """One question; returns printable lines. A TC answer over UDP makes the
    resolver ask again over TCP by itself (Resolver.filterAnswers)."""
    query = dns.Query(name, getattr(dns, record_type), dns.IN)
    try:
        answers, authority, _ = yield resolver.query(query)
    except error.DNSNameError:
        return [f"{name} {record_type}: NXDOMAIN"]
    except error.DNSQueryRefusedError:
        return [f"{name} {record_type}: REFUSED"]
    if not answers:
        soa = [str(r.name) for r in authority if r.type == dns.SOA]
        return [f"{name} {record_type}: NOERROR, no answer (SOA {soa})"]
    return [f"{a.name} {a.ttl} {record_type} {a.payload}" for a in answers]
# ANCHOR_END: lookup


@defer.inlineCallbacks
def ask(reactor, host, port, questions):
    resolver = client.Resolver(servers=[(host, port)], reactor=reactor)
    lines = []
    for name, record_type in questions:
        lines += yield lookup(resolver, name, record_type)
    return lines


@defer.inlineCallbacks
def selftest(reactor):
    import zone_server

    port = zone_server.listen()
    lines = yield ask(reactor, "127.0.0.1", port, [
        ("warehouse-1.erp.test", "AAAA"), ("catalog.erp.test", "TXT"),
        ("nowhere.erp.test", "A"), ("example.com", "A"),
    ])
    assert "2001:db8::10" in lines[0], lines
    assert len(lines) == 1 + 12 + 2, lines
    assert lines[-2:] == ["nowhere.erp.test A: NXDOMAIN", "example.com A: REFUSED"], lines
    print("selftest ok")


def main(reactor, argv):
    if argv[1:] == ["--selftest"]:
        return selftest(reactor)
    if len(argv) < 5 or argv[1] != "--connect" or len(argv[3:]) % 2:
        sys.exit(__doc__)
    host, _, port = argv[2].rpartition(":")
    questions = list(zip(argv[3::2], (t.upper() for t in argv[4::2])))
    d = ask(reactor, host, int(port), questions)
    d.addCallback(lambda lines: print("\n".join(f"< {line}" for line in lines)))
    return d


if __name__ == "__main__":
    task.react(main, [sys.argv])
