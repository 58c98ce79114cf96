"""Deferreds: a callback/errback chain with recovery, gatherResults, and async def.

Run it:             python stock_check.py
Check it (CI):      python stock_check.py --selftest
"""

import sys

from twisted.internet import defer, task

# Stock levels a (pretend) warehouse knows; anything else is an unknown SKU.
WAREHOUSE = {"BOLT-M8": 40, "NUT-M8": 15}
log = []


# ANCHOR: fetch
def fetch_stock(reactor, sku):
    """Ask the warehouse: returns at once, with a Deferred that fires later."""
    d = defer.Deferred()
    if sku in WAREHOUSE:
        reactor.callLater(0.01, d.callback, WAREHOUSE[sku])
    else:
        reactor.callLater(0.01, d.errback, KeyError(sku))
    return d
# ANCHOR_END: fetch


# ANCHOR: chain
def available(reactor, sku, reserved):
    d = fetch_stock(reactor, sku)

    def subtract(qty):
        log.append(f"{sku}: callback got {qty}")
        if qty < reserved:
            raise ValueError(f"{sku}: only {qty} left")  # -> errback path
        return qty - reserved

    def unknown_is_zero(failure):
        failure.trap(KeyError)  # anything else: re-raised, stays on the errback path
        log.append(f"{sku}: errback recovered from {failure.value!r}")
        return 0  # -> back on the callback path

    def report(qty):
        log.append(f"{sku}: {qty} available")
        return qty

    d.addCallback(subtract)
    d.addErrback(unknown_is_zero)
    d.addCallback(report)
    return d
# ANCHOR_END: chain


# ANCHOR: gather
def check_all(reactor):
    d = defer.gatherResults(
        [
            available(reactor, "BOLT-M8", 10),
            available(reactor, "NUT-M8", 5),
            available(reactor, "WASHER-M8", 0),
        ]
    )
    d.addCallback(lambda levels: log.append(f"all: {levels}") or levels)
    return d
# ANCHOR_END: gather


# ANCHOR: async
async def check_all_async(reactor):
    # The same chain, written as a coroutine: each await adds callbacks for us.
    try:
        qty = await fetch_stock(reactor, "NUT-M8")
    except KeyError:
        qty = 0
    levels = await defer.gatherResults(
        [available(reactor, "BOLT-M8", 10), defer.succeed(qty)]
    )
    log.append(f"async: {levels}")
    return levels
# ANCHOR_END: async


def main(reactor):
    d = check_all(reactor)
    d.addCallback(lambda _: defer.ensureDeferred(check_all_async(reactor)))
    return d


def selftest(reactor):
    def verify(_):
        assert log == [
            "BOLT-M8: callback got 40",
            "BOLT-M8: 30 available",
            "NUT-M8: callback got 15",
            "NUT-M8: 10 available",
            "WASHER-M8: errback recovered from KeyError('WASHER-M8')",
            "WASHER-M8: 0 available",
            "all: [30, 10, 0]",
            "BOLT-M8: callback got 40",
            "BOLT-M8: 30 available",
            "async: [30, 15]",
        ], log
        # A second callback() is an error, as in the Rust exercise.
        d = defer.succeed(1)
        try:
            d.callback(2)
        except defer.AlreadyCalledError:
            pass
        else:
            raise AssertionError("AlreadyCalledError expected")
        print("selftest ok")

    return main(reactor).addCallback(verify)


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        task.react(selftest)
    else:
        task.react(lambda reactor: main(reactor).addCallback(lambda _: print("\n".join(log))))
