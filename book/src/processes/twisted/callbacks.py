"""A ProcessProtocol's callbacks and Twisted's one-call helpers, with the defaults
that surprise: the facts the chapter states, checked.

    python callbacks.py              print what happens, step by step
    python callbacks.py --selftest   the same, and exit 0 only if every fact holds
"""
import os
import sys

from twisted.internet import defer, protocol, task, utils


# ANCHOR: recorder
class Recorder(protocol.ProcessProtocol):
    """Writes down every callback, in order."""

    def __init__(self):
        self.events = []
        self.ended = defer.Deferred()

    def connectionMade(self):  # self.transport.pid is the child's pid
        self.transport.write(b"low stock\n")  # the child's stdin
        self.transport.closeStdin()  # its end of input

    def outReceived(self, data):
        self.events.append(("out", data))

    def errReceived(self, data):
        self.events.append(("err", data))

    def processExited(self, reason):  # reaped; pipes may still hold output
        self.events.append(("exited", reason.value.exitCode, reason.value.signal))

    def processEnded(self, reason):  # reaped AND every pipe closed: the very end
        self.events.append(("ended", type(reason.value).__name__, reason.value.exitCode))
        self.ended.callback(self.events)
# ANCHOR_END: recorder


@defer.inlineCallbacks
def facts(reactor):
    # ANCHOR: spawn
    recorder = Recorder()
    reactor.spawnProcess(recorder, "tr", ["tr", "a-z", "A-Z"])  # argv[0] included
    events = yield recorder.ended
    # ANCHOR_END: spawn
    print("tr:", events)
    assert events[0] == ("out", b"LOW STOCK\n"), events
    assert events[-1] == ("ended", "ProcessDone", 0), events

    # A failure: ProcessTerminated with the exit code, stderr through errReceived.
    recorder = Recorder()
    reactor.spawnProcess(recorder, "cat", ["cat", "/nonexistent/untwisted-14"])
    events = yield recorder.ended
    print("cat of a missing file:", events)
    assert ("exited", 1, None) in events and events[-1] == ("ended", "ProcessTerminated", 1)
    assert any(kind == "err" for kind, *_ in events)

    # ANCHOR: defaults
    os.environ["UNTWISTED_SECRET"] = "shh"  # in OUR environment
    empty = yield utils.getProcessOutput("env")  # env={} by default: nothing passed
    ours = yield utils.getProcessOutput("env", env=None)  # None: os.environ
    # ANCHOR_END: defaults
    print("env with the default env:", empty, "| with env=None, our secret is there:", b"UNTWISTED_SECRET" in ours)
    assert empty == b"" and b"UNTWISTED_SECRET=shh" in ours

    # ANCHOR: errortoo
    try:
        yield utils.getProcessOutput("cat", ["/nonexistent/untwisted-14"])
    except IOError as failure:  # stderr output is an error unless errortoo
        print("getProcessOutput errbacks:", type(failure).__name__, failure)
        # Its second Deferred errbacks when the child is gone; handle it, or it is
        # logged as "Unhandled error in Deferred".
        yield failure.processEnded.addErrback(lambda _: None)
    missing = ["/nonexistent/untwisted-14"]
    both = yield utils.getProcessOutput("cat", missing, errortoo=True)
    code = yield utils.getProcessValue("cat", missing)
    # ANCHOR_END: errortoo
    print("with errortoo:", both, "| getProcessValue:", code)
    assert b"No such file or directory" in both and code == 1

    # A signal: exitCode is None, and so is getProcessValue's result.
    recorder = Recorder()
    sleeper = reactor.spawnProcess(recorder, "sleep", ["sleep", "30"])
    sleeper.signalProcess("TERM")
    events = yield recorder.ended
    print("sleep, sent SIGTERM:", events)
    assert ("exited", None, 15) in events and events[-1] == ("ended", "ProcessTerminated", None)
    print("selftest ok: callbacks, an empty environment by default, stderr as an error, signals")


def main(reactor, *args):
    if args not in ((), ("--selftest",)):
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    return facts(reactor)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
