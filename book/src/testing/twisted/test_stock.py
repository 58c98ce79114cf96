"""A stock-reservation protocol and its trial tests, for the untwisted book.

trial runs the tests with a fake transport (StringTransport, a.k.a.
twisted.test.proto_helpers.StringTransport) and a fake clock (task.Clock): no socket,
no waiting. Run `python test_stock.py --selftest`: it runs trial on this file and
exits 0 when the tests pass, then shows trial's unclean-reactor check failing a
test that leaves a timer behind.
"""
import os
import subprocess
import sys
import tempfile

from twisted.internet import task
from twisted.internet.protocol import Factory
from twisted.internet.testing import StringTransport
from twisted.protocols.basic import LineReceiver
from twisted.trial import unittest

HOLD = 30.0   # seconds a reservation holds its units


# ANCHOR: protocol
class StockProtocol(LineReceiver):
    def lineReceived(self, line):
        self.sendLine(self.factory.execute(line.decode().split()).encode())


class StockFactory(Factory):
    protocol = StockProtocol

    def __init__(self, stock, clock=None):
        if clock is None:
            from twisted.internet import reactor as clock
        self.clock = clock            # anything with callLater: the reactor, or a task.Clock
        self.available = dict(stock)  # sku -> units that can still be reserved
        self.holds = {}               # id -> (sku, units, DelayedCall)
        self.next_id = 1

    def execute(self, words):
        match words:
            case ["STOCK", sku] if sku in self.available:
                return f"STOCK {sku} {self.available[sku]}"
            case ["RESERVE", sku, n] if sku in self.available and n.isdigit():
                return self.reserve(sku, int(n))
            case ["RELEASE", rid] if rid.isdigit():
                return self.release(int(rid))
        return "ERR usage: STOCK sku | RESERVE sku units | RELEASE id"

    def reserve(self, sku, units):
        if units > self.available[sku]:
            return f"ERR only {self.available[sku]} {sku} left"
        rid, self.next_id = self.next_id, self.next_id + 1
        self.available[sku] -= units
        expiry = self.clock.callLater(HOLD, self.expire, rid)
        self.holds[rid] = (sku, units, expiry)
        return f"RESERVED {rid} {sku} {units}"

    def release(self, rid):
        if rid not in self.holds:
            return f"ERR no reservation {rid}"
        sku, units, expiry = self.holds.pop(rid)
        expiry.cancel()               # forget this and the units come back twice
        self.available[sku] += units
        return f"RELEASED {rid}"

    def expire(self, rid):
        sku, units, _ = self.holds.pop(rid)
        self.available[sku] += units
# ANCHOR_END: protocol


# ANCHOR: tests
class StockTests(unittest.TestCase):
    def setUp(self):
        self.clock = task.Clock()                 # time moves only when we say so
        self.factory = StockFactory({"WIDGET": 5}, clock=self.clock)
        self.proto = self.factory.buildProtocol(None)
        self.transport = StringTransport()        # records what the protocol writes
        self.proto.makeConnection(self.transport)

    def request(self, line):
        self.transport.clear()
        self.proto.dataReceived(line + b"\r\n")   # runs lineReceived right now
        return self.transport.value()

    def test_replies_end_with_crlf(self):
        self.assertEqual(self.request(b"STOCK WIDGET"), b"STOCK WIDGET 5\r\n")

    def test_never_more_than_is_left(self):
        self.request(b"RESERVE WIDGET 3")
        self.assertEqual(self.request(b"RESERVE WIDGET 3"), b"ERR only 2 WIDGET left\r\n")
        self.assertEqual(self.request(b"RESERVE WIDGET 2"), b"RESERVED 2 WIDGET 2\r\n")

    def test_expires_after_the_hold(self):
        self.request(b"RESERVE WIDGET 5")
        self.clock.advance(HOLD - 1)              # both sides of the deadline
        self.assertEqual(self.request(b"STOCK WIDGET"), b"STOCK WIDGET 0\r\n")
        self.clock.advance(1)
        self.assertEqual(self.request(b"STOCK WIDGET"), b"STOCK WIDGET 5\r\n")

    def test_release_cancels_the_timer(self):
        self.request(b"RESERVE WIDGET 4")
        self.assertEqual(self.request(b"RELEASE 1"), b"RELEASED 1\r\n")
        self.assertEqual(self.clock.getDelayedCalls(), [])
# ANCHOR_END: tests


# ANCHOR: dirty
if os.environ.get("SHOW_UNCLEAN_REACTOR"):
    class LeakyTests(unittest.TestCase):
        def test_leaves_a_timer_behind(self):
            # The real reactor this time, and nobody cancels the expiry: trial fails
            # the test with DirtyReactorAggregateError ("DelayedCalls: ...").
            StockFactory({"WIDGET": 5}).reserve("WIDGET", 1)
# ANCHOR_END: dirty


def trial(env_extra):
    """Runs trial on this file in a scratch directory; returns (exit code, output)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, **env_extra)
        done = subprocess.run(
            [sys.executable, "-m", "twisted.trial", "--temp-directory", os.path.join(scratch, "_trial_temp"),
             os.path.abspath(__file__)],
            capture_output=True, text=True, timeout=20, env=env, cwd=scratch,
        )
        return done.returncode, done.stdout + done.stderr


def selftest():
    code, output = trial({})
    print(output)
    if code != 0:
        return 1
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
