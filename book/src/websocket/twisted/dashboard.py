"""Live stock dashboards, the Twisted way: autobahn's WebSocketServerProtocol with a
broadcast factory, fed by a LineReceiver.

    python dashboard.py              serve on 127.0.0.1 (free ports), print them
    python dashboard.py --selftest   run autobahn's Twisted client against it
                                     (exit 0 if all is well)

The protocol is the exercise's: `subscribe SKU...` (or `subscribe *`) in, `snapshot
A=1 B=2` and `total A=3` out; stock moves arrive on a TCP feed as `SKU qty` lines.
"""
import re
import sys

from autobahn.twisted.websocket import (
    WebSocketClientFactory,
    WebSocketClientProtocol,
    WebSocketServerFactory,
    WebSocketServerProtocol,
)
from twisted.internet import defer, endpoints, protocol, task
from twisted.internet.interfaces import IPushProducer
from twisted.protocols.basic import LineReceiver
from zope.interface import implementer

SKU = re.compile(r"^[A-Za-z0-9._-]{1,32}$")


# ANCHOR: hub
class DashboardFactory(WebSocketServerFactory):
    """autobahn's broadcast factory: the shared totals and every registered client."""

    def __init__(self, url, allowed_origins):
        super().__init__(url)
        self.totals = {}
        self.clients = []
        self.allowed_origins = allowed_origins

    def register(self, client):
        if client not in self.clients:
            self.clients.append(client)

    def unregister(self, client):
        if client in self.clients:
            self.clients.remove(client)

    def publish(self, sku, qty):
        total = self.totals[sku] = self.totals.get(sku, 0) + qty
        for client in self.clients:
            # sendMessage never blocks: it appends to the transport's buffer. A
            # client whose buffer is full was told so (pauseProducing) and is
            # skipped until it drains; then it gets a snapshot instead.
            if client.wants(sku) and not client.behind:
                client.sendMessage(f"total {sku}={total}".encode())
        return total

    def snapshot(self, skus):
        skus = sorted(self.totals) if skus is None else sorted(skus)
        return " ".join(["snapshot"] + [f"{s}={self.totals.get(s, 0)}" for s in skus])
# ANCHOR_END: hub


# ANCHOR: lag
@implementer(IPushProducer)
class Lag:
    """Registered on a client's transport: Twisted calls pauseProducing when the
    transport's write buffer passes its bufferSize (64 KiB), resumeProducing when
    it has drained. That is the slow-consumer signal."""

    def __init__(self, client):
        self.client = client

    def pauseProducing(self):
        self.client.behind = True

    def resumeProducing(self):
        self.client.resync()

    def stopProducing(self):
        pass
# ANCHOR_END: lag


# ANCHOR: protocol
class Dashboard(WebSocketServerProtocol):
    """One dashboard connection."""

    skus = ()  # None means every SKU; () means not subscribed yet
    behind = False

    def onConnect(self, request):
        self.origin = request.origin  # "" when the request had no Origin header

    def onOpen(self):
        if self.origin and self.origin not in self.factory.allowed_origins:
            # sendClose accepts only 1000 and 3000-4999 from an application;
            # autobahn's public way to refuse is ConnectionDeny in onConnect (an
            # HTTP 403, which a page's JavaScript never sees). To say 1008 and
            # why, go one level down, to the frame (autobahn calls it internal).
            reason = f"origin {self.origin} is not allowed"
            self.sendCloseFrame(code=1008, reasonUtf8=reason.encode())
            return
        self.registerProducer(Lag(self), True)

    def onMessage(self, payload, isBinary):
        if isBinary:
            self.sendCloseFrame(code=1003, reasonUtf8=b"text only")
            return
        words = payload.decode("utf-8").split()
        if words[:1] == ["subscribe"] and words[1:] == ["*"]:
            self.skus = None
        elif words[:1] == ["subscribe"] and 0 < len(words) - 1 <= 64 and all(
            SKU.match(w) for w in words[1:]
        ):
            self.skus = set(words[1:])
        else:
            self.sendMessage("error expected `subscribe *` or `subscribe SKU…`".encode())
            return
        self.factory.register(self)
        self.resync()

    def wants(self, sku):
        return self.skus is None or sku in self.skus

    def resync(self):
        self.behind = False
        if self.skus != ():
            self.sendMessage(self.factory.snapshot(self.skus).encode())

    def onClose(self, wasClean, code, reason):
        self.factory.unregister(self)
# ANCHOR_END: protocol


class Feed(LineReceiver):
    """Stock moves, `SKU qty` per line, as in the lines chapter."""

    MAX_LENGTH = 128

    def lineReceived(self, line):
        try:
            sku, qty = line.decode("utf-8").split()
            qty = int(qty)
            if not SKU.match(sku):
                raise ValueError(sku)
        except ValueError:
            self.sendLine(b"error expected `SKU qty`")
            return
        total = self.factory.hub.publish(sku, qty)
        self.sendLine(f"{sku} {total}".encode())


# ANCHOR: listen
@defer.inlineCallbacks
def listen(reactor, port_number=0):
    """Starts the dashboards' port and the feed's port; returns both addresses."""
    web = endpoints.TCP4ServerEndpoint(reactor, port_number, interface="127.0.0.1")
    hub = DashboardFactory("ws://127.0.0.1", allowed_origins=[])
    hub.protocol = Dashboard
    # The same limits as the Rust solution: 4 KiB messages (1009 above), a ping
    # every 20 s, and a peer that has not answered 10 s later is dropped. autobahn
    # fails a connection by dropping TCP unless failByDrop is off: then it sends
    # the close code (1009, 1007, 1002) first, as the Rust solution does.
    hub.setProtocolOptions(
        failByDrop=False,
        maxMessagePayloadSize=4096,
        maxFramePayloadSize=4096,
        autoPingInterval=20,
        autoPingTimeout=10,
    )
    web_port = yield web.listen(hub)
    web_addr = web_port.getHost()
    hub.allowed_origins.append(f"http://127.0.0.1:{web_addr.port}")
    feed = protocol.Factory.forProtocol(Feed)
    feed.hub = hub
    feed_endpoint = endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
    feed_port = yield feed_endpoint.listen(feed)
    return f"127.0.0.1:{web_addr.port}", f"127.0.0.1:{feed_port.getHost().port}", hub
# ANCHOR_END: listen


class ScriptedDashboard(WebSocketClientProtocol):
    """autobahn's Twisted client: subscribes, then records every message."""

    def onOpen(self):
        self.sendMessage(b"subscribe WIDGET-1 GADGET")

    def onMessage(self, payload, isBinary):
        self.factory.received.append(payload.decode())
        # A fresh Deferred before firing: whoever waits may wait again at once.
        arrived, self.factory.arrived = self.factory.arrived, defer.Deferred()
        arrived.callback(None)

    def onClose(self, wasClean, code, reason):
        self.factory.closed.callback(code)


class ScriptedFeed(LineReceiver):
    def __init__(self):
        self.answers = defer.DeferredQueue()

    def lineReceived(self, line):
        self.answers.put(line.decode())


@defer.inlineCallbacks
def selftest(reactor):
    web, feed, hub = yield listen(reactor)
    host, port = web.split(":")
    client = WebSocketClientFactory(f"ws://{web}/live", origin=f"http://{web}")
    client.protocol = ScriptedDashboard
    client.received, client.closed = [], defer.Deferred()
    client.arrived = defer.Deferred()
    arrived = client.arrived
    endpoint = endpoints.TCP4ClientEndpoint(reactor, host, int(port))
    dashboard = yield endpoint.connect(client)
    yield arrived.addTimeout(10, reactor)
    feed_host, feed_port = feed.split(":")
    mover = ScriptedFeed()
    yield endpoints.connectProtocol(
        endpoints.TCP4ClientEndpoint(reactor, feed_host, int(feed_port)), mover
    )
    for line in [b"WIDGET-1 5", b"SPROCKET 2", b"GADGET 3"]:
        mover.sendLine(line)
        yield mover.answers.get().addTimeout(10, reactor)
    while len(client.received) < 3:
        yield client.arrived.addTimeout(10, reactor)
    expected = ["snapshot GADGET=0 WIDGET-1=0", "total WIDGET-1=5", "total GADGET=3"]
    assert client.received == expected, f"got {client.received!r}, expected {expected!r}"

    # What Twisted does when the dashboard's write buffer fills: pauseProducing. The
    # next move skips it; when the buffer drains, resumeProducing sends a snapshot.
    lag = hub.clients[0].transport.producer
    lag.pauseProducing()
    mover.sendLine(b"WIDGET-1 1")
    yield mover.answers.get().addTimeout(10, reactor)
    lag.resumeProducing()
    yield client.arrived.addTimeout(10, reactor)
    expected.append("snapshot GADGET=3 WIDGET-1=6")
    assert client.received == expected, f"got {client.received!r}, expected {expected!r}"
    dashboard.sendClose(1000, "done")
    code = yield client.closed.addTimeout(10, reactor)
    assert code == 1000, f"closed with {code}"
    for message in client.received:
        print(f"dashboard < {message}")
    print("selftest ok: snapshot, totals for the subscribed SKUs only, a paused")
    print("dashboard skipped then resynced with a snapshot, close 1000")
    mover.transport.loseConnection()


@defer.inlineCallbacks
def serve(reactor):
    web, feed, _ = yield listen(reactor)
    print(f"dashboard listening on {web}; stock feed on {feed}", flush=True)
    yield defer.Deferred()  # serve until Ctrl-C


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if not args:
        return serve(reactor)
    print(__doc__, file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
