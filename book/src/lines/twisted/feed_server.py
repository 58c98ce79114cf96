"""The live inventory feed, the Twisted way: a LineReceiver and its Factory.

    python feed_server.py [--port N]   serve on 127.0.0.1 (default: a free port)
    python feed_server.py --selftest   run a scripted client against it, exit 0 if all is well
"""
import sys

from twisted.internet import defer, endpoints, protocol, task
from twisted.protocols.basic import LineReceiver


# ANCHOR: server
class FeedProtocol(LineReceiver):
    """One connection. Twisted buffers the bytes and calls lineReceived per line."""

    delimiter = b"\r\n"  # the default, spelled out: sendLine appends it too
    MAX_LENGTH = 1024  # a longer line calls lineLengthExceeded instead

    def lineReceived(self, line):
        self.sendLine(self.factory.apply(line).encode())

    def lineLengthExceeded(self, line):
        # The default just drops the connection; say why first.
        self.sendLine(b"ERR line too long (max %d bytes)" % self.MAX_LENGTH)
        self.transport.loseConnection()


class FeedFactory(protocol.Factory):
    """Builds one FeedProtocol per connection and holds what they all share."""

    protocol = FeedProtocol

    def __init__(self):
        self.totals = {}  # one reactor thread: no lock needed

    def apply(self, line):
        try:
            sku, qty = line.decode("utf-8").split()
            qty = int(qty)
        except ValueError:  # UnicodeDecodeError is a ValueError too
            return "ERR expected: SKU qty"
        self.totals[sku] = self.totals.get(sku, 0) + qty
        return f"{sku} {self.totals[sku]}"
# ANCHOR_END: server


class ScriptedClient(LineReceiver):
    """Sends all its lines at once (they arrive merged) and records the answers."""

    def __init__(self, lines):
        self.lines = lines
        self.answers = []
        self.closed = defer.Deferred()

    def connectionMade(self):
        for line in self.lines:
            self.sendLine(line)

    def lineReceived(self, line):
        self.answers.append(line.decode())

    def connectionLost(self, reason):
        self.closed.callback(self.answers)


@defer.inlineCallbacks
def selftest(reactor):
    port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(FeedFactory())
    addr = port.getHost()
    client = ScriptedClient([b"WIDGET-1 5", b"WIDGET-1 -2", b"WIDGET-1 five", b"x" * 2000, b"GADGET 1"])
    yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, addr.host, addr.port), client)
    answers = yield client.closed.addTimeout(10, reactor)
    expected = ["WIDGET-1 5", "WIDGET-1 3", "ERR expected: SKU qty", "ERR line too long (max 1024 bytes)"]
    assert answers == expected, f"got {answers!r}, expected {expected!r}"
    for answer in answers:
        print(f"client < {answer}")
    print("selftest ok: totals, a malformed line, an over-long line closed the connection")
    yield port.stopListening()


@defer.inlineCallbacks
def serve(reactor, port_number):
    port = yield endpoints.TCP4ServerEndpoint(reactor, port_number, interface="127.0.0.1").listen(FeedFactory())
    addr = port.getHost()
    print(f"inventory feed listening on {addr.host}:{addr.port}; try: nc -C {addr.host} {addr.port}")
    yield defer.Deferred()  # serve until Ctrl-C


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if args[:1] == ("--port",) and len(args) == 2 and args[1].isdigit():
        return serve(reactor, int(args[1]))
    if not args:
        return serve(reactor, 0)
    print(__doc__, file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
