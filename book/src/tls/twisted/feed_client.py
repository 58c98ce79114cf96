"""A Twisted TLS client for the inventory feed: it verifies the server against a CA
file, sends its lines and prints each answer.

    python feed_client.py --connect 127.0.0.1:PORT --ca ca.pem [--starttls] 'WIDGET-1 5' ...
    python feed_client.py --selftest

It talks to the book's Twisted server and to `cargo xtask demo 09-tls` alike.
"""

import sys

from twisted.internet import defer, endpoints, reactor, ssl
from twisted.internet.protocol import Factory
from twisted.protocols.basic import LineReceiver


# ANCHOR: client
class FeedClient(LineReceiver):
    def __init__(self, lines, tls, starttls):
        self.todo, self.tls, self.starttls = list(lines), tls, starttls
        self.answers, self.done = [], defer.Deferred()

    def connectionMade(self):
        if self.starttls:
            self.sendLine(b"STARTTLS")  # plain so far
        else:
            self.sendNext()

    def lineReceived(self, line):
        if self.starttls:  # the answer to STARTTLS: from now on, TLS
            self.starttls = False
            if line != b"OK begin TLS":
                return self.done.errback(Exception(line.decode()))
            self.transport.startTLS(self.tls)
            return self.sendNext()  # queued, sent once the handshake is done
        self.answers.append(line.decode())
        self.sendNext()

    def sendNext(self):
        if self.todo:
            self.sendLine(self.todo.pop(0).encode())
        else:
            self.transport.loseConnection()

    def connectionLost(self, reason):
        if not self.done.called:
            if self.todo:  # the connection ended early: say why (TLS errors land here)
                self.done.errback(reason)
            else:
                self.done.callback(self.answers)


def run(addr, ca_pem, lines, starttls=False, name="localhost"):
    """Connects, verifies `name` against the CA, sends lines; fires with the answers."""
    tls = ssl.optionsForClientTLS(name, ssl.Certificate.loadPEM(ca_pem))
    host, port = addr
    if starttls:
        endpoint = endpoints.TCP4ClientEndpoint(reactor, host, port)
    else:
        endpoint = endpoints.SSL4ClientEndpoint(reactor, host, port, tls)
    client = FeedClient(lines, tls, starttls)
    connected = endpoint.connect(Factory.forProtocol(lambda: client))
    return connected.addCallback(lambda _: client.done)
# ANCHOR_END: client


def main(argv):
    if argv[1:] == ["--selftest"]:
        import feed_server  # its selftest drives this client against the server

        reactor.callWhenRunning(lambda: feed_server.selftest().addBoth(feed_server.stop))
        reactor.run()
        sys.exit(0 if feed_server.stop.ok else 1)
    args, lines, addr, ca, starttls = iter(argv[1:]), [], None, None, False
    for arg in args:
        if arg == "--connect":
            host, port = next(args).rsplit(":", 1)
            addr = (host, int(port))
        elif arg == "--ca":
            ca = open(next(args), "rb").read()
        elif arg == "--starttls":
            starttls = True
        else:
            lines.append(arg)
    if addr is None or ca is None:
        sys.exit(__doc__)
    lines = lines or ["WIDGET-1 5"]

    def show(answers):
        for line, answer in zip(lines, answers):
            print(f"> {line}\n< {answer}")

    def failed(reason):
        print(f"failed: {reason.getErrorMessage()}")
        show.failed = True

    show.failed = False
    d = run(addr, ca, lines, starttls).addCallbacks(show, failed)
    d.addBoth(lambda _: reactor.stop())
    reactor.run()
    sys.exit(1 if show.failed else 0)


if __name__ == "__main__":
    main(sys.argv)
