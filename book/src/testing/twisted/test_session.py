"""A scanner-session protocol and its trial tests, for the untwisted book.

A scanner says PING, the session answers PONG, and a scanner that says nothing for
IDLE seconds is told BYE and hung up on (TimeoutMixin). trial runs the tests with a
fake transport (StringTransport) and a fake clock (task.Clock): no socket, no waiting.

Run `python test_session.py --selftest`: it runs trial on this file (the tests pass),
runs it again on a planted bug (the idle timer is never reset: a test must fail), then
shows trial's unclean-reactor check failing a test that leaves a timer behind.
"""
import os
import subprocess
import sys
import tempfile

from twisted.internet import task
from twisted.internet.protocol import Factory
from twisted.internet.testing import StringTransport
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.trial import unittest

IDLE = 60.0   # seconds of silence before the session hangs up


# ANCHOR: protocol
class ScannerSession(LineReceiver, TimeoutMixin):
    def connectionMade(self):
        self.setTimeout(IDLE)            # arms a DelayedCall through self.callLater

    def lineReceived(self, line):
        self.resetTimeout()              # any line restarts the wait
        self.sendLine(b"PONG" if line == b"PING" else b"ERR say PING")

    def timeoutConnection(self):
        self.sendLine(b"BYE idle")
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.setTimeout(None)            # cancels the pending DelayedCall


class SessionFactory(Factory):
    protocol = ScannerSession

    def __init__(self, clock=None):
        self.clock = clock               # None: the reactor; tests pass a task.Clock

    def buildProtocol(self, addr):
        session = super().buildProtocol(addr)
        if self.clock is not None:
            session.callLater = self.clock.callLater   # TimeoutMixin's hook for tests
        return session
# ANCHOR_END: protocol


if os.environ.get("PLANT_BUG") == "never-reset":
    # The planted bug: lines no longer restart the wait.
    ScannerSession.resetTimeout = lambda self: None


# ANCHOR: tests
class SessionTests(unittest.TestCase):
    def setUp(self):
        self.clock = task.Clock()                 # time moves only when we say so
        self.session = SessionFactory(self.clock).buildProtocol(None)
        self.transport = StringTransport()        # records what the protocol writes
        self.session.makeConnection(self.transport)

    def say(self, line):
        self.transport.clear()
        self.session.dataReceived(line + b"\r\n")  # runs lineReceived right now
        return self.transport.value()

    def test_answers_ping_with_whole_lines(self):
        self.assertEqual(self.say(b"PING"), b"PONG\r\n")
        self.assertEqual(self.say(b"HELLO"), b"ERR say PING\r\n")

    def test_hangs_up_after_idle_silence(self):
        self.clock.advance(IDLE - 1)              # just before the deadline: still there
        self.assertEqual(self.say(b"PING"), b"PONG\r\n")
        self.clock.advance(IDLE - 1)              # the PING restarted the wait
        self.assertEqual(self.say(b"PING"), b"PONG\r\n")
        self.transport.clear()
        self.clock.advance(IDLE)                  # a whole IDLE of silence
        self.assertEqual(self.transport.value(), b"BYE idle\r\n")
        self.assertTrue(self.transport.disconnecting)

    def test_closing_cancels_the_timer(self):
        self.session.connectionLost(None)
        self.assertEqual(self.clock.getDelayedCalls(), [])
# ANCHOR_END: tests


# ANCHOR: dirty
if os.environ.get("SHOW_UNCLEAN_REACTOR"):
    class LeakyTests(unittest.TestCase):
        def test_leaves_a_timer_behind(self):
            # The real reactor this time, and the session is never closed: its idle
            # timer is still pending, so trial fails the test with
            # DirtyReactorAggregateError ("DelayedCalls: ...").
            SessionFactory().buildProtocol(None).makeConnection(StringTransport())
# ANCHOR_END: dirty


def trial(env_extra):
    """Runs trial on this file in a scratch directory; returns (exit code, output)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, **env_extra)
        done = subprocess.run(
            [sys.executable, "-m", "twisted.trial",
             "--temp-directory", os.path.join(scratch, "_trial_temp"),
             os.path.abspath(__file__)],
            capture_output=True, text=True, timeout=20, env=env, cwd=scratch,
        )
        return done.returncode, done.stdout + done.stderr


def selftest():
    code, output = trial({})
    print(output)
    if code != 0:
        return 1
    code, output = trial({"PLANT_BUG": "never-reset"})
    caught = ("FAILED (failures=1, successes=2)" in output
              and "\ntest_session.SessionTests.test_hangs_up_after_idle_silence\n" in output)
    if code == 0 or not caught:
        print("expected test_hangs_up_after_idle_silence to catch the planted bug:\n" + output)
        return 1
    print("the planted bug (idle timer never reset) is caught by test_hangs_up_after_idle_silence")
    code, output = trial({"SHOW_UNCLEAN_REACTOR": "1"})
    if code == 0 or "DirtyReactorAggregateError" not in output:
        print("expected trial to report an unclean reactor:\n" + output)
        return 1
    print("trial flags the leaky test: DirtyReactorAggregateError (DelayedCalls left)")
    return 0


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        sys.exit(selftest())
    print(__doc__)
