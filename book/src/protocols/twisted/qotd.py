"""Quote of the day + echo, the Twisted way: a Protocol, its Factory, a StringTransport test.

    python qotd.py [--port N]          serve on 127.0.0.1 (default: a free port)
    python qotd.py --connect HOST:PORT talk to a server (this one, or the Rust demo)
    python qotd.py --selftest          run the StringTransport test, then a real client against the server
"""
import sys

from twisted.internet import defer, endpoints, protocol, task
from twisted.internet.error import ConnectionDone
from twisted.internet.testing import StringTransport
from twisted.python import failure
from twisted.trial import unittest

MAX_LINE = 1024
# The Rust demo's quotes, in its order: both servers answer the same bytes.
QUOTES = ["The network is reliable.", "Latency is zero.", "Bandwidth is infinite.", "The network is secure."]


# ANCHOR: protocol
class QOTD(protocol.Protocol):
    """One connection: the quote of the day, then every line echoed back."""

    def connectionMade(self):
        self.buffer = b""
        self.factory.active += 1
        self.transport.write(self.quote.encode() + b"\r\n")

    def dataReceived(self, data):
        # A chunk, not a message: keep the tail of an unfinished line.
        self.buffer += data
        while b"\n" in self.buffer and not self.transport.disconnecting:
            line, self.buffer = self.buffer.split(b"\n", 1)
            self.lineReceived(line.removesuffix(b"\r"))
        if len(self.buffer) > MAX_LINE and not self.transport.disconnecting:
            self.refuse()  # no \n yet, and already too long: do not wait for one

    def lineReceived(self, line):
        if len(line) > MAX_LINE:
            self.refuse()
        elif line == b"quit":
            self.transport.write(b"Bye!\r\n")
            self.transport.loseConnection()  # after the Bye! is sent
        else:
            self.transport.write(line + b"\r\n")

    def refuse(self):
        self.transport.write(b"ERR line longer than %d bytes\r\n" % MAX_LINE)
        self.transport.loseConnection()

    def connectionLost(self, reason):
        # reason is a Failure: ConnectionDone (clean) or ConnectionLost (broken).
        self.factory.active -= 1


class QOTDFactory(protocol.Factory):
    """Builds one QOTD per connection and holds what they share."""

    protocol = QOTD

    def __init__(self, quotes):
        self.quotes = quotes
        self.made = 0  # one reactor thread: plain ints, no lock
        self.active = 0

    def buildProtocol(self, addr):
        proto = super().buildProtocol(addr)  # sets proto.factory = self
        proto.quote = self.quotes[self.made % len(self.quotes)]
        self.made += 1
        return proto
# ANCHOR_END: protocol


# ANCHOR: test
class QOTDTest(unittest.TestCase):
    """trial style: the protocol on a StringTransport, no network."""

    def test_greets_echoes_and_quits(self):
        factory = QOTDFactory(["The network is reliable."])
        proto = factory.buildProtocol(("127.0.0.1", 40000))
        transport = StringTransport()
        proto.makeConnection(transport)  # sets proto.transport, calls connectionMade
        for chunk in [b"hel", b"lo\r\nwor", b"ld\n", b"qu", b"it\r\n"]:
            proto.dataReceived(chunk)
        self.assertEqual(
            transport.value(),
            b"The network is reliable.\r\nhello\r\nworld\r\nBye!\r\n",
        )
        self.assertTrue(transport.disconnecting)  # asked to close; nothing closed
        self.assertEqual(factory.active, 1)  # StringTransport never calls connectionLost:
        proto.connectionLost(failure.Failure(ConnectionDone()))  # the test does
        self.assertEqual(factory.active, 0)
# ANCHOR_END: test


class Script(protocol.Protocol):
    """A client that says hello, then quit, and records what it hears."""

    def __init__(self):
        self.heard = b""
        self.done = defer.Deferred()

    def dataReceived(self, data):
        self.heard += data
        if self.heard.count(b"\r\n") == 1:
            self.transport.write(b"hello\r\nqu")  # a line and a half
            self.transport.write(b"it\r\n")

    def connectionLost(self, reason):
        self.done.callback((self.heard, reason))


@defer.inlineCallbacks
def talk(reactor, host, port):
    client = Script()
    yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, host, port), client)
    heard, reason = yield client.done.addTimeout(10, reactor)
    for line in heard.decode(errors="replace").splitlines():
        print(f"client < {line}")
    print(f"client -- connectionLost: {reason.type.__name__}")
    return heard, reason


@defer.inlineCallbacks
def selftest(reactor):
    # 1. The trial test, run by the standard unittest runner (it is a TestCase too).
    import unittest as pyunit

    result = pyunit.TextTestRunner(verbosity=0).run(pyunit.TestLoader().loadTestsFromTestCase(QOTDTest))
    assert result.wasSuccessful(), "the StringTransport test failed"
    # 2. The same protocol on a real socket, with a real client.
    factory = QOTDFactory(["The network is reliable.", "Latency is zero."])
    port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
    addr = port.getHost()
    heard, reason = yield talk(reactor, addr.host, addr.port)
    assert heard == b"The network is reliable.\r\nhello\r\nBye!\r\n", heard
    assert reason.check(ConnectionDone), reason
    assert factory.made == 1, factory.made
    print("selftest ok: StringTransport test, then quote, echo, Bye! and a clean close over TCP")
    yield port.stopListening()


@defer.inlineCallbacks
def serve(reactor, port_number):
    factory = QOTDFactory(QUOTES)
    port = yield endpoints.TCP4ServerEndpoint(reactor, port_number, interface="127.0.0.1").listen(factory)
    addr = port.getHost()
    print(f"QOTD + echo listening on {addr.host}:{addr.port}; try: nc {addr.host} {addr.port}")
    yield defer.Deferred()  # serve until Ctrl-C


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if args[:1] == ("--connect",) and len(args) == 2 and ":" in args[1]:
        host, port = args[1].rsplit(":", 1)
        return talk(reactor, host, int(port))
    if args[:1] == ("--port",) and len(args) == 2 and args[1].isdigit():
        return serve(reactor, int(args[1]))
    if not args:
        return serve(reactor, 0)
    print(__doc__)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
