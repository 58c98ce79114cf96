"""Eager deferreds, lazy coroutines: who runs when.

Run it:             python eager.py
Check it (CI):      python eager.py --selftest
"""

import sys

from twisted.internet import defer

log = []


# ANCHOR: eager
def eager_vs_lazy():
    d = defer.Deferred()
    d.addCallback(lambda n: log.append(f"deferred callback: got {n}") or n * 2)

    async def body():
        log.append("coroutine: body runs")
        return 21

    coro = body()  # a coroutine object: nothing has run yet
    d.callback(21)  # the callback runs right here, inside callback()
    log.append("nothing awaited yet")
    started = defer.ensureDeferred(coro)  # Twisted starts it now, no event loop needed
    started.addCallback(lambda n: log.append(f"coroutine gave {n}"))
# ANCHOR_END: eager


if __name__ == "__main__":
    eager_vs_lazy()
    print("\n".join(log))
    if "--selftest" in sys.argv:
        assert log == [
            "deferred callback: got 21",
            "nothing awaited yet",
            "coroutine: body runs",
            "coroutine gave 21",
        ], log
        print("selftest ok")
