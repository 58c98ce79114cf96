"""LoopingCall, callLater and deferToThread: Twisted's scheduling tools.

Run `python scheduling.py --selftest`: the timed parts run on task.Clock (virtual time),
the threaded part on the real reactor.
"""
import os
import sys
import threading
import time

from twisted.internet import defer, task, threads


# ANCHOR: looping
STOCK = {"WIDGET": 12, "GEAR": 3, "BOLT": 40}     # SKU -> quantity on hand
REORDER_POINT = {"WIDGET": 10, "GEAR": 5, "BOLT": 20}


def reorder_check(report):
    """Runs every N seconds: report SKUs below their reorder point."""
    low = sorted(sku for sku, qty in STOCK.items() if qty < REORDER_POINT[sku])
    report(low)


def start_reorder_check(report, every=60.0, clock=None):
    lc = task.LoopingCall(reorder_check, report)
    if clock is not None:
        lc.clock = clock          # tests drive it with task.Clock
    # A Deferred: fires on stop(), errbacks if the call raises.
    done = lc.start(every, now=True)
    return lc, done
# ANCHOR_END: looping


# ANCHOR: later
def schedule_recount(clock, sku):
    """A delayed call whose result someone waits for; cancelling it errbacks the wait."""
    return task.deferLater(clock, 30.0, lambda: f"recount {sku}")
# ANCHOR_END: later


# ANCHOR: thread
def slow_erp_lookup(sku):
    """A blocking call (a legacy ERP client, a database driver): never on the reactor."""
    time.sleep(0.3)
    return f"{sku}: supplier ACME"


def lookup_without_blocking(reactor, sku, on_progress):
    def in_thread():
        result = slow_erp_lookup(sku)
        # Reactor APIs are not thread-safe: hand the progress note back to the loop.
        reactor.callFromThread(on_progress, f"looked up {sku}")
        return result

    return threads.deferToThread(in_thread)   # runs in the reactor's thread pool
# ANCHOR_END: thread


def chapter_row(label):
    """The timeline cell of the chapter's missed-tick table row that starts with label."""
    chapter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "index.md")
    with open(chapter, encoding="utf-8") as page:
        for line in page:
            if line.startswith(label):
                return line.split("|")[2].strip()
    raise AssertionError(f"no table row starts with {label!r}")


def selftest_clock():
    clock = task.Clock()
    seen = []
    lc, done = start_reorder_check(lambda low: seen.append((clock.seconds(), low)), 60.0, clock)
    clock.advance(60)
    STOCK["WIDGET"] = 7
    clock.advance(60)
    lc.stop()
    assert seen == [(0, ["GEAR"]), (60, ["GEAR"]), (120, ["GEAR", "WIDGET"])], seen
    assert done.called

    # Missed ticks: 1 s interval, the call at t=1 takes 3.5 s (returns a Deferred).
    # The first six calls, as the chapter's missed-tick table shows them.
    clock = task.Clock()
    starts, counts = [], []

    def stalling(count):
        starts.append(clock.seconds())
        counts.append(count)
        if len(starts) == 2:
            return task.deferLater(clock, 3.5, lambda: None)

    lc = task.LoopingCall.withCount(stalling)
    lc.clock = clock
    lc.start(1.0, now=True)
    while len(starts) < 6:
        clock.advance(0.5)   # 0.5 is exact in binary floating point: no drift
    lc.stop()
    # Twisted skips the missed ticks AND the late one: next call on the next boundary.
    assert starts == [0.0, 1.0, 5.0, 6.0, 7.0, 8.0], starts
    assert counts == [1, 1, 4, 1, 1, 1], counts
    row = ", ".join(f"{t:g}" for t in starts)
    assert chapter_row("| Twisted `LoopingCall`") == row, (chapter_row("| Twisted `LoopingCall`"), row)

    # An exception stops the loop and errbacks its Deferred.
    clock = task.Clock()
    calls = []

    def failing():
        calls.append(clock.seconds())
        if len(calls) == 3:
            raise ValueError("inventory unavailable")

    lc = task.LoopingCall(failing)
    lc.clock = clock
    errors = []
    lc.start(1.0).addErrback(lambda f: errors.append(f.getErrorMessage()))
    clock.advance(1)
    clock.advance(1)
    clock.advance(5)
    assert calls == [0, 1, 2] and errors == ["inventory unavailable"], (calls, errors)

    # Cancelling a deferLater: the function never runs, the waiter sees CancelledError.
    clock = task.Clock()
    d = schedule_recount(clock, "GEAR")
    failures = []
    d.addErrback(lambda f: failures.append(f.check(defer.CancelledError)))
    clock.advance(10)
    d.cancel()
    clock.advance(60)
    assert failures == [defer.CancelledError], failures
    d = schedule_recount(clock, "BOLT")
    clock.advance(30)
    assert d.result == "recount BOLT"


def selftest_reactor():
    from twisted.internet import reactor

    ticks, progress, outcome = [], [], {}
    ticker = task.LoopingCall(lambda: ticks.append(threading.current_thread().name))
    ticker.start(0.02)
    loop_thread = threading.current_thread().name

    def finished(result):
        outcome["result"] = result
        outcome["ticks"] = len(ticks)
        ticker.stop()
        reactor.stop()

    def failed(failure):
        outcome["error"] = failure
        reactor.stop()

    reactor.callWhenRunning(
        lambda: lookup_without_blocking(reactor, "GEAR", progress.append).addCallbacks(finished, failed)
    )
    reactor.callLater(10, reactor.stop)  # a safety net, never the synchronisation
    reactor.run()
    assert outcome.get("result") == "GEAR: supplier ACME", outcome
    # The reactor kept ticking while the lookup slept in its thread.
    assert outcome["ticks"] >= 3, outcome
    assert set(ticks) == {loop_thread}
    assert progress == ["looked up GEAR"], progress


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest_clock()
        selftest_reactor()
        print("selftest ok")
    else:
        print(__doc__)
