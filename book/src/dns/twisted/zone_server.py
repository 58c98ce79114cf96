"""An authoritative DNS server for the ERP's hosts, with Twisted names.

    python zone_server.py [--listen HOST:PORT]   # serve until Ctrl-C (UDP and TCP)
    python zone_server.py --selftest             # a Twisted names client asks it

Written for the untwisted book (chapter "Legacy protocols: DNS").
"""

import sys

from twisted.internet import defer, reactor, task
from twisted.internet.error import CannotListenError
from twisted.names import authority, client, dns, error, server

# ANCHOR: zone
TTL = 300
SOA = dns.Record_SOA(
    mname="ns1.erp.test", rname="hostmaster.erp.test", serial=2026120201,
    refresh=3600, retry=600, expire=86400, minimum=TTL, ttl=TTL,
)
CATALOG = [f"sku=WIDGET-{n} bin=A-{n:02} reorder=40" for n in range(1, 13)]


class ErpAuthority(authority.FileAuthority):
    """The zone erp.test, built in code instead of read from a zone file."""

    def loadFile(self, filename):
        self.soa = (b"erp.test", SOA)
        self.records = {
            b"erp.test": [SOA, dns.Record_NS("ns1.erp.test", ttl=TTL)],
            b"ns1.erp.test": [dns.Record_A("127.0.0.1", ttl=TTL)],
            b"warehouse-1.erp.test": [
                dns.Record_A("192.0.2.10", ttl=TTL),
                dns.Record_AAAA("2001:db8::10", ttl=TTL),
            ],
            b"warehouse-2.erp.test": [
                dns.Record_A("192.0.2.11", ttl=TTL),
                dns.Record_AAAA("2001:db8::11", ttl=TTL),
            ],
            b"feed.erp.test": [
                dns.Record_A("192.0.2.20", ttl=TTL),
                dns.Record_TXT(b"service=inventory-feed", b"proto=lines", ttl=TTL),
            ],
            b"_feed._tcp.erp.test": [
                dns.Record_SRV(10, 60, 8005, "warehouse-1.erp.test", ttl=TTL),
                dns.Record_SRV(20, 40, 8005, "warehouse-2.erp.test", ttl=TTL),
            ],
            # Twelve TXT records: too big for a 512-byte UDP answer.
            b"catalog.erp.test": [
                dns.Record_TXT(line.encode(), ttl=TTL) for line in CATALOG
            ],
        }
# ANCHOR_END: zone


# ANCHOR: factory
class ErpServerFactory(server.DNSServerFactory):
    """DNSServerFactory with the two answers this book's servers agree on."""

    def gotResolverError(self, failure, protocol, message, address):
        # Twisted answers NXDOMAIN for a name outside every authority it has;
        # an authoritative-only server should say REFUSED ("not my zone").
        if failure.check(error.DomainError):
            response = self._responseFromMessage(message=message, rCode=dns.EREFUSED)
            self.sendReply(protocol, response, address)
            return
        return super().gotResolverError(failure, protocol, message, address)

    def sendReply(self, protocol, message, address):
        # Twisted names never truncates a reply (#6949). Over UDP (address is
        # not None), an answer over 512 bytes goes out empty with TC set, so
        # the client asks again over TCP, where the length prefix allows 64 KiB.
        if address is not None and len(message.toStr()) > 512:
            message.answers, message.authority, message.additional = [], [], []
            message.trunc = 1
        super().sendReply(protocol, message, address)
# ANCHOR_END: factory


# ANCHOR: listen
def listen(port=0, interface="127.0.0.1"):
    """Serves the zone over UDP and TCP on one port; returns the port."""
    factory = ErpServerFactory(authorities=[ErpAuthority(None)])
    # Port 0 lets the OS pick a free UDP port, but that number may be taken for
    # TCP: then let go of it and try another, as the Rust server does.
    for attempt in range(20 if port == 0 else 1):
        udp = reactor.listenUDP(
            port, dns.DNSDatagramProtocol(controller=factory), interface=interface
        )
        try:
            reactor.listenTCP(udp.getHost().port, factory, interface=interface)
            return udp.getHost().port
        except CannotListenError:
            udp.stopListening()
            if attempt == 19 or port != 0:
                raise
# ANCHOR_END: listen


# ANCHOR: selftest
@defer.inlineCallbacks
def selftest(reactor):
    port = listen()
    resolver = client.Resolver(servers=[("127.0.0.1", port)])
    answers, _, _ = yield resolver.lookupAddress("warehouse-1.erp.test")
    assert answers[0].payload.dottedQuad() == "192.0.2.10", answers
    answers, _, _ = yield resolver.lookupService("_feed._tcp.erp.test")
    assert sorted(a.payload.port for a in answers) == [8005, 8005], answers
    # TC over UDP: the client asks again over TCP by itself.
    answers, _, _ = yield resolver.lookupText("catalog.erp.test")
    assert len(answers) == 12, answers
    answers, authority, _ = yield resolver.lookupIPV6Address("feed.erp.test")
    assert answers == [] and authority[0].type == dns.SOA, (answers, authority)
    for name, refusal in [("nowhere.erp.test", error.DNSNameError),
                          ("example.com", error.DNSQueryRefusedError)]:
        try:
            yield resolver.lookupAddress(name)
        except refusal:
            pass
        else:
            raise AssertionError(f"{name} was answered")
    print("selftest ok")
# ANCHOR_END: selftest


def main(argv):
    if argv[1:] == ["--selftest"]:
        task.react(selftest)
        return
    host, port = "127.0.0.1", 0
    if argv[1:2] == ["--listen"]:
        host, _, port = argv[2].rpartition(":")
    port = listen(int(port), host)
    print(f"erp.test DNS listening on {host}:{port} (UDP and TCP)")
    print(f"  dig @{host} -p {port} warehouse-1.erp.test A")
    reactor.run()


if __name__ == "__main__":
    main(sys.argv)
