"""The live inventory feed, the Twisted way: a LineReceiver and its Factory.

    python feed_server.py [--port N]   serve on 127.0.0.1 (default: a free port)
    python feed_server.py --selftest   run a scripted client against it, exit 0 if all is well
"""
import re
import sys

from twisted.internet import defer, endpoints, protocol, task
from twisted.protocols.basic import LineReceiver

MAX_SKUS = 10_000  # every new SKU costs memory: bound them, as the Rust feed does
I64 = range(-(2**63), 2**63)  # the Rust feed's totals are i64; Python ints never overflow


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
            sku, qty = parse_move(line)  # below: the same checks as the Rust feed
        except BadMove as reason:
            return f"ERR {reason}"
        if sku not in self.totals and len(self.totals) >= MAX_SKUS:
            return f"ERR inventory is full ({MAX_SKUS} SKUs)"
        total = self.totals.get(sku, 0) + qty
        if total not in I64:
            return "ERR total out of range"
        self.totals[sku] = total
        return f"{sku} {total}"
# ANCHOR_END: server


class BadMove(ValueError):
    """A line that is not a stock move; the text is what the client is told."""


SKU = re.compile(r"[A-Za-z0-9._-]{1,32}")
QTY = re.compile(r"[+-]?[0-9]+")  # int() alone would also take "1_000", " 5" and "٥"


def parse_move(line):
    """`SKU qty` as (sku, qty): the Rust feed's checks, in its order, with its words."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMove("line is not UTF-8") from None
    fields = [field for field in re.split(r"[ \t\n\f\r]", text) if field]  # ASCII spaces
    if not fields:
        raise BadMove("empty line, expected: SKU qty")
    if len(fields) == 1:
        raise BadMove("missing qty, expected: SKU qty")
    if len(fields) > 2:
        raise BadMove("too many fields, expected: SKU qty")
    sku, qty = fields
    if not SKU.fullmatch(sku):
        raise BadMove("SKU must be 1 to 32 letters, digits, '-', '_' or '.'")
    if not QTY.fullmatch(qty) or int(qty) not in I64:
        raise BadMove(f"qty must be a whole number, got {quoted(qty)}")
    return sku, int(qty)


def quoted(text):
    """Rust's `{:?}` of a string, for what a qty field can hold (no ASCII spaces)."""

    def escape(c):
        if c in '\\"':
            return "\\" + c
        if c == "\0":
            return "\\0"
        return c if c.isprintable() else f"\\u{{{ord(c):x}}}"

    return '"' + "".join(map(escape, text)) + '"'


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
    lines = [b"WIDGET-1 5", b"WIDGET-1 -2", b"WIDGET-1 five", b"WIDGET-1", b"", b"x" * 2000, b"GADGET 1"]
    client = ScriptedClient(lines)
    yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, addr.host, addr.port), client)
    answers = yield client.closed.addTimeout(10, reactor)
    expected = [
        "WIDGET-1 5",
        "WIDGET-1 3",
        'ERR qty must be a whole number, got "five"',
        "ERR missing qty, expected: SKU qty",
        "ERR empty line, expected: SKU qty",
        "ERR line too long (max 1024 bytes)",
    ]
    assert answers == expected, f"got {answers!r}, expected {expected!r}"
    for answer in answers:
        print(f"client < {answer}")
    print("selftest ok: totals, malformed lines, an over-long line closed the connection")
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
