"""A callback that returns the Deferred it is attached to: Twisted warns, and the
chain is stuck for good.

Run it:             python waits_on_itself.py
Check it (CI):      python waits_on_itself.py --selftest
"""

import sys
import warnings

from twisted.internet import defer

log = []


# ANCHOR: itself
def waits_on_itself():
    d = defer.Deferred()
    d.addCallback(lambda qty: d)  # "carry on when d fires": but d is us
    d.addCallback(lambda qty: log.append(f"callback 2: got {qty}"))
    d.addErrback(lambda failure: log.append(f"errback: {failure.value!r}"))
    d.callback(40)  # DeprecationWarning: Callback returned the Deferred it was ...
    log.append(f"paused={d.paused}, {d}")
    return d
# ANCHOR_END: itself


def main():
    waits_on_itself()
    print("\n".join(log))


def selftest():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d = waits_on_itself()
    messages = [(w.category, str(w.message)) for w in caught]
    assert messages == [
        (
            DeprecationWarning,
            "Callback returned the Deferred it was attached to; this breaks the "
            "callback chain and will raise an exception in the future.",
        )
    ], messages
    # No exception, no errback: the chain paused on itself and never resumes.
    assert len(log) == 1 and log[0].startswith("paused=1, <Deferred at 0x"), log
    assert "waiting on Deferred at" in log[0], log
    d.addCallback(lambda qty: log.append("callback 3: MUST NOT RUN"))
    assert len(log) == 1, log
    try:
        d.callback(41)
    except defer.AlreadyCalledError:
        pass
    else:
        raise AssertionError("a stuck deferred has still fired: AlreadyCalledError")
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
