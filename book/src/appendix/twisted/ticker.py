"""The drawbacks appendix's ticker, the Twisted way: a LoopingCall reports a tally, and a
scanner thread hands its moves in with reactor.callFromThread, the one thread-safe way in.

Run `python ticker.py --selftest`: a thread sends five moves; every change to the tally
and every report happens on the reactor's thread, and the last report has them all.
"""
import sys
import threading

from twisted.internet import task


# ANCHOR: ticker
class Ticker:
    """Reports the tally every `every` seconds; the tally lives on the reactor thread."""

    def __init__(self, reactor, every):
        self.reactor = reactor
        self.stock = {}
        self.reports = []
        self.loop = task.LoopingCall(self.report)
        self.loop.clock = reactor
        self.done = self.loop.start(every, now=True)

    def report(self):
        self.reports.append(dict(self.stock))

    def move(self, sku, delta):
        """Reactor thread only: LoopingCall and this dict have no lock."""
        self.stock[sku] = self.stock.get(sku, 0) + delta

    def finish(self):
        self.report()
        self.loop.stop()


def scanner(reactor, ticker, scans):
    """Runs in a thread (a blocking driver, say): never touches the ticker directly."""
    for sku, delta in scans:
        reactor.callFromThread(ticker.move, sku, delta)
    reactor.callFromThread(ticker.finish)
# ANCHOR_END: ticker


SCANS = [("GEAR", 5), ("BOLT", 40), ("GEAR", -2), ("BOLT", -15), ("GEAR", 1)]


def selftest():
    from twisted.internet import reactor

    ticker = Ticker(reactor, 0.005)
    loop_thread = threading.current_thread()
    touched = []
    move = ticker.move
    ticker.move = lambda *a: (touched.append(threading.current_thread()), move(*a))
    thread = threading.Thread(target=scanner, args=(reactor, ticker, SCANS), name="scanner")
    outcome = {}

    def stopped(result):
        outcome["reports"] = ticker.reports
        reactor.stop()

    ticker.done.addCallback(stopped)
    reactor.callWhenRunning(thread.start)
    reactor.callLater(10, reactor.stop)  # a guard: never hang
    reactor.run()
    thread.join()
    reports = outcome.get("reports")
    assert reports, "the ticker never finished"
    assert reports[-1] == {"GEAR": 4, "BOLT": 25}, reports[-1]
    assert touched and all(t is loop_thread for t in touched), "a move ran off the reactor"
    print(f"{len(reports)} reports, last {reports[-1]}, every move on the reactor thread")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
        print("selftest ok")
    else:
        print(__doc__)
