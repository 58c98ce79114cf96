"""DeferredList and gatherResults, as Twisted really behaves: the facts behind the
chapter's table, each one checked.

Run it:             python lists.py
Check it (CI):      python lists.py --selftest
"""

import gc
import sys

from twisted.internet import defer
from twisted.logger import globalLogBeginner, globalLogPublisher

seen = []  # what each case observed, in order


def watch(name, d):
    """Records how `d` fires; an error counts as handled."""
    d.addCallbacks(
        lambda value: seen.append(f"{name}: value {value!r}"),
        lambda failure: seen.append(f"{name}: error {failure.value!r}"),
    )


# ANCHOR: deferred_list
def deferred_list():
    a, b = defer.Deferred(), defer.Deferred()
    watch("DeferredList", defer.DeferredList([a, b], consumeErrors=True))
    b.errback(KeyError("NUT-M8"))  # fails first; the list keeps waiting for a
    seen.append("b failed, a pending")
    a.callback(40)
    # -> DeferredList: value [(True, 40), (False, <Failure KeyError>)]
# ANCHOR_END: deferred_list


# ANCHOR: gather
def gather():
    a, b, c = defer.Deferred(), defer.Deferred(), defer.Deferred()
    watch("gatherResults", defer.gatherResults([a, b, c], consumeErrors=True))
    c.callback(3)
    b.errback(KeyError("NUT-M8"))  # fires the gathered deferred at once
    seen.append("a fires after the error")
    a.callback(1)                  # too late: nobody is listening any more
    # -> gatherResults: error FirstError[#1, KeyError('NUT-M8')]
# ANCHOR_END: gather


def the_rest():
    watch("gatherResults of nothing", defer.gatherResults([]))
    watch("DeferredList of nothing", defer.DeferredList([]))

    # In list order, whatever order they fired in.
    a, b = defer.Deferred(), defer.Deferred()
    watch("gatherResults in order", defer.gatherResults([a, b]))
    b.callback("second")
    a.callback("first")

    # The list does not take the results: a callback added to a member afterwards
    # still sees its value...
    d = defer.succeed(7)
    defer.gatherResults([d])
    watch("member after gatherResults", d)
    # ...and, without consumeErrors, its failure too (with it: None).
    kept, consumed = defer.fail(KeyError("kept")), defer.fail(KeyError("consumed"))
    defer.DeferredList([kept], consumeErrors=False)
    defer.DeferredList([consumed], consumeErrors=True)
    watch("member, consumeErrors=False", kept)
    watch("member, consumeErrors=True", consumed)


def unhandled_error_is_logged():
    """Without consumeErrors, a failure nobody handles is logged when the member
    deferred is garbage collected: "Unhandled error in Deferred"."""
    logged = []

    def observer(event):
        if event.get("log_format", "").startswith("Unhandled error in Deferred"):
            logged.append(event)

    # Log to this observer only (not to stderr): the selftest expects the error.
    globalLogBeginner.beginLoggingTo([observer], redirectStandardIO=False)
    try:
        d = defer.Deferred()
        defer.DeferredList([d])  # consumeErrors=False, the default
        d.errback(KeyError("lost"))
        del d
        gc.collect()
    finally:
        globalLogPublisher.removeObserver(observer)
    return len(logged)


def main():
    deferred_list()
    gather()
    the_rest()
    print("\n".join(seen))


def selftest():
    main()
    assert seen[0] == "b failed, a pending", seen
    assert seen[1].startswith("DeferredList: value [(True, 40), (False, <twisted.python.failure.Failure builtins.KeyError"), seen
    assert seen[2] == "gatherResults: error FirstError[#1, KeyError('NUT-M8')]", seen
    assert seen[3] == "a fires after the error", seen
    assert seen[4:] == [
        "gatherResults of nothing: value []",
        "DeferredList of nothing: value []",
        "gatherResults in order: value ['first', 'second']",
        "member after gatherResults: value 7",
        "member, consumeErrors=False: error KeyError('kept')",
        "member, consumeErrors=True: value None",
    ], seen
    assert unhandled_error_is_logged() == 1
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
