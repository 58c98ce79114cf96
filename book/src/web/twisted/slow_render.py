"""Asynchronous rendering in Twisted Web: NOT_DONE_YET, and notifyFinish to stop
the work when the client leaves.

    python slow_render.py --selftest   one client waits for its report, another
                                       leaves halfway; exit 0
"""

import sys

from twisted.internet import defer, endpoints, protocol, reactor, task
from twisted.web import resource, server


# ANCHOR: slow
class StockReport(resource.Resource):
    """A report that takes a while: render_GET returns at once, the Deferred
    finishes the request later."""

    isLeaf = True

    def __init__(self, clock, seconds):
        super().__init__()
        self.clock, self.seconds = clock, seconds
        self.cancelled = []  # what the selftest watches

    def render_GET(self, request):
        work = task.deferLater(self.clock, self.seconds, lambda: b"WIDGET-1 10\n")

        def done(report):
            request.setHeader(b"Content-Type", b"text/plain")
            request.write(report)
            request.finish()

        def client_left(failure):
            work.cancel()  # nobody will read the report: stop making it
            self.cancelled.append(request.uri)

        work.addCallback(done)
        work.addErrback(lambda f: f.trap(defer.CancelledError))
        # Fires with a failure if the connection is lost before finish().
        request.notifyFinish().addErrback(client_left)
        return server.NOT_DONE_YET
# ANCHOR_END: slow


class Leaver(protocol.Protocol):
    """Sends a request, then hangs up before the answer."""

    def connectionMade(self):
        self.transport.write(b"GET /report HTTP/1.1\r\nHost: x\r\n\r\n")
        self.factory.clock.callLater(0.2, self.transport.loseConnection)


async def selftest(reactor):
    from twisted.web.client import Agent, readBody

    report = StockReport(reactor, 0.5)
    root = resource.Resource()
    root.putChild(b"report", report)
    endpoint = endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
    port = await endpoint.listen(server.Site(root))
    addr = port.getHost()

    response = await Agent(reactor).request(b"GET", f"http://127.0.0.1:{addr.port}/report".encode())
    body = await readBody(response)
    assert body == b"WIDGET-1 10\n", body
    print("a patient client got", body)

    factory = protocol.ClientFactory.forProtocol(Leaver)
    factory.clock = reactor
    client = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", addr.port)
    await client.connect(factory)
    for _ in range(40):  # up to 2 s for the server to notice
        if report.cancelled:
            break
        await task.deferLater(reactor, 0.05, lambda: None)
    assert report.cancelled == [b"/report"], report.cancelled
    print("the leaver's report was cancelled")
    await port.stopListening()


if __name__ == "__main__":
    if sys.argv[1:] != ["--selftest"]:
        sys.exit(__doc__)
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)  # readBody's, not ours
    task.react(lambda r: defer.ensureDeferred(selftest(r)))
