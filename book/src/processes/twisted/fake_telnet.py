"""FakeTelnet, the Twisted way: each connection names an allowed command, and the
socket becomes its terminal (spawnProcess and a ProcessProtocol).

    python fake_telnet.py [--port N] [--timeout SECS]   serve on 127.0.0.1 (default: a free port, 60 s)
    python fake_telnet.py --selftest                    run scripted clients against it, exit 0 if all is well
"""
import socket
import sys

from twisted.internet import defer, endpoints, interfaces, protocol, task, threads
from zope.interface import implementer

# ANCHOR: allow
# A client names a command; it never writes one. No shell ever parses its bytes.
ALLOWED = {
    "broken": ["cat", "/nonexistent/untwisted-14"],  # fails: stderr and exit code 1
    "cat": ["cat"],
    "count": ["wc", "-l"],
    "flood": ["yes"],
    "nap": ["sleep", "3600"],
    "sort": ["sort"],
    "upper": ["tr", "a-z", "A-Z"],
}
MAX_COMMAND_LINE = 64  # bytes, without the \n
MAX_ERR_LINE = 1024  # a longer stderr line is relayed in pieces
# ANCHOR_END: allow


def say(text):
    """Every line the bridge itself writes: `! <text>\\r\\n`."""
    return b"! " + text.encode() + b"\r\n"


def ended(reason):
    """The last line, from processEnded's reason (ProcessDone or ProcessTerminated)."""
    if reason.signal is not None:
        return say(f"killed by signal {reason.signal}")
    return say(f"exited with code {reason.exitCode}")


def limit_text(seconds):
    return f"{round(seconds)} s" if seconds == round(seconds) else f"{round(seconds * 1000)} ms"


# ANCHOR: valve
@implementer(interfaces.IPushProducer)
class Valve:
    """Pause and resume only. A Process has pauseProducing and resumeProducing but
    no stopProducing, which a TCP transport calls when the client goes (an
    AttributeError, and our connectionLost never runs); and a child's closed stdin
    must not close the client's socket. Who stops what is connectionLost's and
    processEnded's job."""

    def __init__(self, target):
        self.target = target

    def pauseProducing(self):
        self.target.pauseProducing()

    def resumeProducing(self):
        self.target.resumeProducing()

    def stopProducing(self):
        pass
# ANCHOR_END: valve


# ANCHOR: child
class Child(protocol.ProcessProtocol):
    """The command's side of one connection: what it writes goes to the client."""

    def __init__(self, client):
        self.client = client
        self.partial = b""  # an unfinished stderr line

    def connectionMade(self):
        # Backpressure, out: while the client's socket is full, the TCP transport
        # pauses this producer, which stops reading the child's stdout and stderr;
        # the pipes fill and the child blocks.
        self.client.transport.registerProducer(Valve(self.transport), True)

    def outReceived(self, data):
        self.client.transport.write(data)  # stdout goes back as it is

    def errReceived(self, data):
        for byte in data:  # stderr goes back as `! ` lines
            if byte == 0x0A:
                self.flush()
            else:
                self.partial += bytes([byte])
                if len(self.partial) == MAX_ERR_LINE:
                    self.flush()

    def flush(self):
        line, self.partial = self.partial, b""
        self.client.transport.write(b"! " + line.removesuffix(b"\r") + b"\r\n")

    def processEnded(self, reason):
        # The child exited AND its pipes are closed: nothing more will come.
        if self.partial:
            self.flush()
        self.client.transport.unregisterProducer()
        self.client.childEnded(reason.value)
# ANCHOR_END: child


# ANCHOR: fake_telnet
@implementer(interfaces.IHalfCloseableProtocol)
class FakeTelnet(protocol.Protocol):
    """The client's side: a command line, then everything else is the child's stdin."""

    def connectionMade(self):
        self.buffer = b""
        self.process = None  # the child's transport, once spawned
        self.timedOut = False
        self.timer = self.factory.reactor.callLater(self.factory.timeout, self.timeUp)

    def dataReceived(self, data):
        if self.process is not None:
            self.process.write(data)  # the child's stdin
            return
        self.buffer += data
        if b"\n" not in self.buffer:
            if len(self.buffer) > MAX_COMMAND_LINE + 1:
                self.hangUp(say(f"command line too long (max {MAX_COMMAND_LINE} bytes)"))
            return
        line, rest = self.buffer.split(b"\n", 1)
        name = line.removesuffix(b"\r").decode("utf-8", "replace")
        if name not in ALLOWED:
            names = ", ".join(sorted(ALLOWED))  # the client's name is not echoed
            return self.hangUp(say(f"unknown command (allowed: {names})"))
        argv = ALLOWED[name]
        # No env argument: Twisted's default on POSIX is an EMPTY environment.
        self.process = self.factory.reactor.spawnProcess(Child(self), argv[0], argv)
        self.factory.running.add(self.process)
        # Backpressure, in: while the child's stdin pipe is full, stop reading us.
        self.process.registerProducer(Valve(self.transport), True)
        if rest:
            self.process.write(rest)

    def readConnectionLost(self):
        # The client's end of input (it half-closed): the child's end of input.
        if self.process is None:
            return self.transport.loseConnection()
        self.process.unregisterProducer()
        self.process.closeStdin()

    def writeConnectionLost(self):
        pass

    def connectionLost(self, reason):
        # The client is gone: the child must not outlive it.
        if self.timer.active():
            self.timer.cancel()
        if self.process is not None and self.process.pid is not None:
            self.process.signalProcess("KILL")

    def timeUp(self):
        if self.process is None:
            return self.hangUp(say("no command, closing"))
        self.timedOut = True
        self.process.signalProcess("KILL")  # processEnded follows, once it is reaped

    def childEnded(self, reason):
        self.factory.running.discard(self.process)
        if self.timer.active():
            self.timer.cancel()
        last = ended(reason)
        if self.timedOut:
            limit = limit_text(self.factory.timeout)
            last = say(f"timed out after {limit}, killed") + last
        self.hangUp(last)

    def hangUp(self, last):
        self.transport.write(last)
        self.transport.loseConnection()


class FakeTelnetFactory(protocol.Factory):
    protocol = FakeTelnet

    def __init__(self, reactor, timeout):
        self.reactor = reactor
        self.timeout = timeout
        self.running = set()  # children not yet ended, for the selftest
# ANCHOR_END: fake_telnet


def converse(port, writes):
    """A blocking client (run in a thread): send, half-close, read to the end."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        for write in writes:
            client.sendall(write)
        client.shutdown(socket.SHUT_WR)
        heard = b""
        while chunk := client.recv(65536):
            heard += chunk
        return heard


def vanish(port):
    """Starts `flood`, reads a little, and goes without reading the rest (a reset)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"flood\r\n")
        return client.recv(4)


@defer.inlineCallbacks
def until(reactor, condition, failure, patience=5.0):
    for _ in range(int(patience / 0.05)):
        if condition():
            return
        yield task.deferLater(reactor, 0.05, lambda: None)
    raise AssertionError(failure)


@defer.inlineCallbacks
def selftest(reactor):
    factory = FakeTelnetFactory(reactor, timeout=0.5)
    port = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(factory)
    number = port.getHost().port
    cases = [
        ([b"upper\r\n", b"widget-1 low\n"], b"WIDGET-1 LOW\n! exited with code 0\r\n"),
        ([b"sort\nwidget-9\nbolt-2\n"], b"bolt-2\nwidget-9\n! exited with code 0\r\n"),
        ([b"sh -c id\r\n"], say("unknown command (allowed: broken, cat, count, flood, nap, sort, upper)")),
        ([b"x" * 100], say("command line too long (max 64 bytes)")),
    ]
    for writes, expected in cases:
        heard = yield threads.deferToThread(converse, number, writes)
        assert heard == expected, f"{writes!r}: got {heard!r}, expected {expected!r}"
        print(f"client > {b''.join(writes)!r}\nclient < {heard!r}")
    # A client that vanishes mid-run: its child is killed.
    heard = yield threads.deferToThread(vanish, number)
    assert heard.startswith(b"y\n"), heard
    yield until(reactor, lambda: not factory.running, "the flood child was not killed")
    print("client < y, y, ... (then vanishes): flood killed")
    # A child that never ends is killed at the deadline. (The client half-closes,
    # but sleep does not read its stdin.)
    heard = yield threads.deferToThread(converse, number, [b"nap\r\n"])
    assert heard == b"! timed out after 500 ms, killed\r\n! killed by signal 9\r\n", heard
    print(f"client < {heard!r}")
    print("selftest ok: filters both ways, refusals, a child killed at its deadline")
    yield port.stopListening()


@defer.inlineCallbacks
def serve(reactor, port_number, timeout):
    factory = FakeTelnetFactory(reactor, timeout)
    port = yield endpoints.TCP4ServerEndpoint(reactor, port_number, interface="127.0.0.1").listen(factory)
    addr = port.getHost()
    print(f"fake telnet listening on {addr.host}:{addr.port}; try: nc {addr.host} {addr.port}", flush=True)
    yield defer.Deferred()  # serve until Ctrl-C


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    options = dict(zip(args[::2], args[1::2]))
    if len(args) % 2 == 0 and set(options) <= {"--port", "--timeout"}:
        try:
            return serve(reactor, int(options.get("--port", 0)), float(options.get("--timeout", 60)))
        except ValueError:
            pass
    print(__doc__, file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
