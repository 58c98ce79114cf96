"""A Twisted service that drains gracefully, deployed the twistd way.

Run it:          twistd -n -y inventory_service.py
                 (foreground; Ctrl-C drains, then stops)
                 then, in another terminal: nc 127.0.0.1 7070
Check it (CI):   python inventory_service.py --selftest
"""

import sys

from twisted.application import service
from twisted.internet import defer, endpoints, protocol, reactor, task
from twisted.protocols.basic import LineReceiver


# ANCHOR: service
class StockLine(LineReceiver):
    """Answers each line; `closed` fires when the connection is gone."""

    delimiter = b"\n"
    MAX_LENGTH = 1024  # a longer line drops the connection

    def connectionMade(self):
        self.closed = defer.Deferred()
        self.factory.clients.add(self)

    def connectionLost(self, reason):
        self.factory.clients.discard(self)
        self.closed.callback(None)

    def lineReceived(self, line):
        self.sendLine(b"ok " + line)


class InventoryService(service.Service):
    """Listens while running. Stopping drains: no new clients, every open one is told
    goodbye, and stopService's Deferred fires once they are gone (or `drain` s passed)."""

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
            client.sendLine(b"bye: shutting down")
            client.transport.loseConnection()  # closes once the buffer is written
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
    delimiter = b"\n"

    def connectionMade(self):
        self.lines, self.lost = [], defer.Deferred()
        self.first = defer.Deferred()
        self.sendLine(b"BOLT-M8 +40")

    def lineReceived(self, line):
        self.lines.append(line.decode())
        if len(self.lines) == 1:
            self.first.callback(None)

    def connectionLost(self, reason):
        self.lost.callback(None)


@defer.inlineCallbacks
def selftest(reactor):
    svc = InventoryService(0, drain=5.0)
    svc.startService()
    port = svc.listening.getHost().port
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    client = yield endpoints.connectProtocol(endpoint, Recorder())
    yield client.first  # the request in flight has been answered
    yield svc.stopService()  # drain
    yield client.lost
    assert client.lines == ["ok BOLT-M8 +40", "bye: shutting down"], client.lines
    try:
        yield endpoints.connectProtocol(endpoint, Recorder())
    except Exception as refused:  # ConnectionRefusedError: nobody listens any more
        print(f"after the drain: {type(refused).__name__}")
    else:
        raise AssertionError("still accepting after stopService")
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        task.react(selftest)
    else:
        print(__doc__)
