"""A Twisted service that drains gracefully, deployed the twistd way.

Run it:          twistd -n -y inventory_service.py
                 (foreground, port 7070; Ctrl-C or SIGTERM drains, then stops)
                 then, in another terminal: nc -C 127.0.0.1 7070
Or on a free port, without twistd (what the book's tests compare with the Rust
service):        python inventory_service.py
Check it (CI):   python inventory_service.py --selftest
"""

import sys

from twisted.application import service
from twisted.internet import defer, endpoints, protocol, reactor, task
from twisted.protocols.basic import LineReceiver


# ANCHOR: service
class StockLine(LineReceiver):
    """Answers each line at once, except a stock count: BEGIN, the shelf's lines,
    END. A count is a request in flight; `closed` fires when the connection is gone."""

    MAX_LENGTH = 1024  # a longer line is refused, and the connection closed
    MAX_COUNT_LINES = 10_000
    count = None  # lines counted so far, while a count is open
    draining = False

    def connectionMade(self):
        self.closed = defer.Deferred()
        self.factory.clients.add(self)

    def connectionLost(self, reason):
        self.factory.clients.discard(self)
        self.closed.callback(None)

    def lineReceived(self, line):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return self.refuse(b"error: not UTF-8")
        if line == b"BEGIN":
            if self.count is not None:
                return self.sendLine(b"error: already counting")
            self.count = 0
            self.sendLine(b"ok counting")
        elif line == b"END":
            if self.count is None:
                return self.sendLine(b"error: not counting")
            self.sendLine(b"ok counted %d" % self.count)
            self.count = None
            if self.draining:
                self.goodbye()
        elif self.count is not None:
            if self.count >= self.MAX_COUNT_LINES:
                return self.refuse(b"error: count too long")
            self.count += 1
        else:
            self.sendLine(b"ok " + line)

    def lineLengthExceeded(self, line):
        self.refuse(b"error: line too long")

    def refuse(self, why):
        self.sendLine(why)
        self.transport.loseConnection()

    def drain(self):
        """A count in progress may finish; anyone else is told goodbye now."""
        self.draining = True
        if self.count is None:
            self.goodbye()

    def goodbye(self):
        self.sendLine(b"bye: shutting down")
        self.transport.loseConnection()  # closes once the buffer is written


class InventoryService(service.Service):
    """Listens while running. Stopping drains: no new clients, every open one is
    drained, and stopService's Deferred fires once they are gone (or `drain` s
    passed: then the rest are cut)."""

    def __init__(self, port, interface="127.0.0.1", drain=10.0):
        self.port, self.interface, self.drain = port, interface, drain
        self.factory = protocol.Factory.forProtocol(StockLine)
        self.factory.clients = set()

    def startService(self):
        service.Service.startService(self)
        self.listening = reactor.listenTCP(
            self.port, self.factory, interface=self.interface
        )

    @defer.inlineCallbacks
    def stopService(self):
        service.Service.stopService(self)
        yield self.listening.stopListening()  # new clients are refused from here on
        clients = list(self.factory.clients)
        for client in clients:
            client.drain()
        drained = defer.DeferredList([c.closed for c in clients])
        drained.addTimeout(self.drain, reactor)
        try:
            yield drained
        except defer.TimeoutError:
            for client in list(self.factory.clients):
                client.transport.abortConnection()  # too slow: cut it
# ANCHOR_END: service


# ANCHOR: tac
# twistd -y loads this file and looks for `application`; it starts the services,
# and on SIGTERM or Ctrl-C it waits for stopService's Deferred before exiting.
application = service.Application("inventory")
InventoryService(7070).setServiceParent(application)
# ANCHOR_END: tac


class Recorder(LineReceiver):
    """Sends `requests`; `answered` fires after as many lines as it expects."""

    def __init__(self, requests=(b"BOLT-M8 +40",), expect=1):
        self.requests, self.expect = requests, expect

    def connectionMade(self):
        self.lines, self.lost = [], defer.Deferred()
        self.answered = defer.Deferred()
        for request in self.requests:
            self.sendLine(request)

    def lineReceived(self, line):
        self.lines.append(line.decode())
        if len(self.lines) == self.expect:
            self.answered.callback(None)

    def connectionLost(self, reason):
        self.lost.callback(None)


@defer.inlineCallbacks
def selftest(reactor):
    svc = InventoryService(0, drain=5.0)
    svc.startService()
    port = svc.listening.getHost().port
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    idle = yield endpoints.connectProtocol(endpoint, Recorder())
    yield idle.answered
    counting = yield endpoints.connectProtocol(
        endpoint, Recorder([b"BEGIN", b"BOLT-M8 40"], expect=1)
    )
    yield counting.answered  # "ok counting": a count is in flight
    stopped = svc.stopService()  # drain
    yield idle.lost
    assert idle.lines == ["ok BOLT-M8 +40", "bye: shutting down"], idle.lines
    assert not stopped.called, "stopService fired with a count in flight"
    counting.sendLine(b"END")
    yield counting.lost
    assert counting.lines == [
        "ok counting",
        "ok counted 1",
        "bye: shutting down",
    ], counting.lines
    yield stopped
    try:
        yield endpoints.connectProtocol(endpoint, Recorder())
    except Exception as refused:  # ConnectionRefusedError: nobody listens any more
        print(f"after the drain: {type(refused).__name__}")
    else:
        raise AssertionError("still accepting after stopService")
    print("selftest ok")


@defer.inlineCallbacks
def serve(reactor):
    """What twistd does with `application`, by hand: start the service, and stop it
    (the drain) before the reactor shuts down on SIGTERM or Ctrl-C."""
    svc = InventoryService(0)
    svc.startService()
    reactor.addSystemEventTrigger("before", "shutdown", svc.stopService)
    host = svc.listening.getHost()
    print(f"inventory service listening on {host.host}:{host.port}", flush=True)
    yield defer.Deferred()  # serve until the reactor stops


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        task.react(selftest)
    else:
        task.react(serve)
