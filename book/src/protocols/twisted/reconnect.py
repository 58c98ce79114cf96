"""Reconnecting with backoff, the Twisted way: ReconnectingClientFactory.

    python reconnect.py HOST:PORT   keep reconnecting to a server (Ctrl-C to stop)
    python reconnect.py --selftest  refused twice, then a server appears and closes on it twice
"""
import socket
import sys

from twisted.internet import defer, protocol, task


class Listener(protocol.Protocol):
    def dataReceived(self, data):
        self.factory.heard.append(data)


# ANCHOR: reconnecting
class Reconnecting(protocol.ReconnectingClientFactory):
    protocol = Listener
    initialDelay = 0.05  # defaults: 1.0 s, factor e (2.718...), maxDelay 3600 s,
    factor = 2.0  #                 jitter 0.1196... (a normal variate, unbounded)
    maxDelay = 1.0
    jitter = 0  # deterministic for the self-test

    def __init__(self):
        self.heard, self.waits, self.events = [], [], []
        self.resetDelay()  # the class attribute `delay` still holds the base's 1.0

    def buildProtocol(self, addr):
        self.resetDelay()  # connected: next time, start over from initialDelay
        return super().buildProtocol(addr)

    def clientConnectionFailed(self, connector, reason):
        self.events.append(f"failed: {reason.type.__name__}")
        super().clientConnectionFailed(connector, reason)  # -> self.retry()

    def clientConnectionLost(self, connector, reason):
        self.events.append(f"lost: {reason.type.__name__}")
        super().clientConnectionLost(connector, reason)  # -> self.retry()

    def retry(self, connector=None):
        if self.continueTrying:
            self.waits.append(round(self.delay, 3))  # the wait about to start
        # Waits `delay`, then grows it: delay = min(delay * factor, maxDelay).
        super().retry(connector)
# ANCHOR_END: reconnecting


class HelloAndClose(protocol.Protocol):
    def connectionMade(self):
        self.factory.served += 1
        self.transport.write(b"hello #%d\r\n" % self.factory.served)
        self.transport.loseConnection()  # accept and close


@defer.inlineCallbacks
def selftest(reactor):
    # A free port, closed again: connections to it are refused until we listen.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port_number = probe.getsockname()[1]
    probe.close()

    client = Reconnecting()
    server = protocol.Factory.forProtocol(HelloAndClose)
    server.served = 0
    done = defer.Deferred()

    failed, lost = client.clientConnectionFailed, client.clientConnectionLost

    def stop_after_two_connections(connector, reason):
        if client.events.count("lost: ConnectionDone") == 1:
            client.stopTrying()  # no reconnection after this one
            reactor.callLater(0, done.callback, None)
        lost(connector, reason)

    def listen_after_two_refusals(connector, reason):
        failed(connector, reason)
        if len(client.events) == 2:
            reactor.listenTCP(port_number, server, interface="127.0.0.1")

    client.clientConnectionFailed = listen_after_two_refusals
    client.clientConnectionLost = stop_after_two_connections
    reactor.connectTCP("127.0.0.1", port_number, client)
    yield done.addTimeout(10, reactor)
    print("events:", client.events)
    print("waits:", client.waits)
    assert client.events == ["failed: ConnectionRefusedError"] * 2 + ["lost: ConnectionDone"] * 2, client.events
    # The first wait is initialDelay, the factor grows the next: 0.05, 0.1; reset on connect: 0.05.
    assert client.waits == [0.05, 0.1, 0.05], client.waits
    assert b"".join(client.heard) == b"hello #1\r\nhello #2\r\n", client.heard
    print("selftest ok: refused, backed off, connected, reset, stopped trying")


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if len(args) == 1 and ":" in args[0]:
        host, port = args[0].rsplit(":", 1)
        client = Reconnecting()
        client.initialDelay, client.maxDelay, client.jitter = 0.5, 8.0, 0.1
        client.protocol = type("Printer", (protocol.Protocol,), {"dataReceived": lambda self, d: print(d.decode().rstrip())})
        reactor.connectTCP(host, int(port), client)
        return defer.Deferred()  # until Ctrl-C
    print(__doc__)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
