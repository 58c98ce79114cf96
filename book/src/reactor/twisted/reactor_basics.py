"""The reactor, the Twisted way: callLater and DelayedCall on a task.Clock, and an
echo server on the real reactor.

    python reactor_basics.py             serve echo on 127.0.0.1 (any free port)
    python reactor_basics.py --selftest  check it all and exit 0
"""
import sys

from twisted.internet import protocol, reactor, task
from twisted.internet.error import AlreadyCalled


# ANCHOR: clock
def clock_demo():
    clock = task.Clock()  # time starts at 0 and moves only in advance()
    fired = []
    clock.callLater(2, lambda: fired.append(f"t={clock.seconds():g} tie 1"))
    clock.callLater(1, lambda: fired.append(f"t={clock.seconds():g} a"))
    clock.callLater(2, lambda: fired.append(f"t={clock.seconds():g} tie 2"))
    moved = clock.callLater(5, lambda: fired.append(f"t={clock.seconds():g} moved"))
    moved.delay(3)  # due at 8 now
    clock.advance(6)  # runs a, tie 1, tie 2 (ties in scheduling order)
    moved.reset(1)  # due 1 s after now: at 7
    clock.advance(1)
    try:
        moved.cancel()
    except AlreadyCalled:
        fired.append("cancel() after it ran: AlreadyCalled")
    return fired
# ANCHOR_END: clock


# ANCHOR: echo
class Echo(protocol.Protocol):
    def dataReceived(self, data):
        # The transport buffers what the socket cannot take yet and stops reading
        # when that buffer is full (producer/consumer): partial writes are its job.
        self.transport.write(data)


def serve(port=0):
    factory = protocol.Factory.forProtocol(Echo)
    return reactor.listenTCP(port, factory, interface="127.0.0.1")
# ANCHOR_END: echo


class ScriptedClient(protocol.Protocol):
    """Sends one line, checks it comes back, stops the reactor."""

    def connectionMade(self):
        self.received = b""
        self.transport.write(b"hello from the warehouse\r\n")

    def dataReceived(self, data):
        self.received += data
        if self.received.endswith(b"\r\n"):
            assert self.received == b"hello from the warehouse\r\n", self.received
            print("echoed:", self.received.decode().strip())
            reactor.stop()


def selftest():
    assert clock_demo() == [
        "t=6 a",
        "t=6 tie 1",
        "t=6 tie 2",
        "t=7 moved",
        "cancel() after it ran: AlreadyCalled",
    ], clock_demo()
    port = serve()
    client = protocol.ClientCreator(reactor, ScriptedClient)
    client.connectTCP("127.0.0.1", port.getHost().port)
    reactor.callLater(10, lambda: (print("timed out"), reactor.stop(), sys.exit(1)))
    reactor.run()
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        port = serve()
        print(f"echo on 127.0.0.1:{port.getHost().port}; try: nc 127.0.0.1 {port.getHost().port}")
        reactor.run()
