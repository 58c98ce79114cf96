"""A concurrent downloader on Twisted's reactor, for the book's introduction.

    python downloader.py --selftest

starts a stock server on port 0, fetches three slow resources one after another and
then all at once, and checks that the second way takes as long as the slowest one.
"""

import sys
import time

from twisted.internet import defer, endpoints, protocol, task
from twisted.protocols.basic import LineReceiver


# ANCHOR: server
class StockServer(LineReceiver):
    """Answers one `GET <path>` line after the resource's delay, then hangs up."""

    def lineReceived(self, line):
        path = line.decode().removeprefix("GET ")
        if path not in self.factory.stock:
            return self.answer(f"ERR no such resource: {path}")
        body, delay = self.factory.stock[path]
        # Not time.sleep(): callLater asks the reactor to call us back, and the
        # reactor serves every other connection in the meantime.
        self.factory.reactor.callLater(delay, self.answer, f"OK {body}")

    def answer(self, reply):
        self.sendLine(reply.encode())
        self.transport.loseConnection()
# ANCHOR_END: server


# ANCHOR: client
class Fetch(LineReceiver):
    """Sends one request; `self.reply` fires with the body or fails with the reason."""

    def __init__(self, path):
        self.path = path
        self.reply = defer.Deferred()

    def connectionMade(self):
        self.sendLine(f"GET {self.path}".encode())

    def lineReceived(self, line):
        status, _, rest = line.decode().partition(" ")
        if status == "OK":
            self.reply.callback(rest)
        else:
            self.reply.errback(RuntimeError(f"the server said: {rest}"))
        self.transport.loseConnection()

    def connectionLost(self, reason):
        if not self.reply.called:
            self.reply.errback(RuntimeError("the server hung up without answering"))


@defer.inlineCallbacks
def fetch(reactor, port, path):
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    client = yield endpoints.connectProtocol(endpoint, Fetch(path))
    body = yield client.reply
    return body
# ANCHOR_END: client


# ANCHOR: download
@defer.inlineCallbacks
def download_all(reactor, port, paths):
    """One after another: each `yield` waits for a reply before the next request."""
    results = []
    for path in paths:
        try:
            results.append((True, (yield fetch(reactor, port, path))))
        except Exception as error:
            results.append((False, error))
    return results


def download_all_concurrently(reactor, port, paths):
    """All at once: start every fetch, then wait for the lot. DeferredList keeps
    request order and, with consumeErrors, reports each failure in its own slot."""
    fetches = [fetch(reactor, port, path) for path in paths]  # all started here
    return defer.DeferredList(fetches, consumeErrors=True)
# ANCHOR_END: download


@defer.inlineCallbacks
def selftest(reactor):
    factory = protocol.Factory.forProtocol(StockServer)
    factory.reactor = reactor
    factory.stock = {
        "/stock/widget": ("12 widgets on hand", 0.1),
        "/stock/gadget": ("3 gadgets on hand, reorder at 5", 0.2),
        "/stock/sprocket": ("40 sprockets on hand", 0.3),
    }
    server = endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
    port = yield server.listen(factory)
    number = port.getHost().port
    paths = ["/stock/sprocket", "/stock/unobtainium", "/stock/widget", "/stock/gadget"]

    started = time.monotonic()
    one_after_another = yield download_all(reactor, number, paths)
    sequential = time.monotonic() - started

    started = time.monotonic()
    at_once = yield download_all_concurrently(reactor, number, paths)
    concurrent = time.monotonic() - started

    for ok, result in at_once:
        print("ok:    " if ok else "failed:", result if ok else result.value)
    print(f"one after another: {sequential:.2f} s, all at once: {concurrent:.2f} s")

    bodies = [result if ok else None for ok, result in at_once]
    assert bodies == ["40 sprockets on hand", None, "12 widgets on hand",
                      "3 gadgets on hand, reorder at 5"], bodies
    assert "no such resource: /stock/unobtainium" in str(at_once[1][1].value)
    assert [ok for ok, _ in one_after_another] == [ok for ok, _ in at_once]
    assert sequential >= 0.6, sequential
    assert concurrent < 0.5, concurrent  # about 0.3 s: the slowest, not the sum
    yield port.stopListening()


if __name__ == "__main__":
    if "--selftest" not in sys.argv:
        sys.exit(__doc__)
    task.react(selftest)
