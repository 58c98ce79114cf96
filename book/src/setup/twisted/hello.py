"""Hello, reactor: a countdown on Twisted's event loop, the twin of exercise 00.

Run it:             python hello.py
Check it (CI):      python hello.py --selftest   (virtual time: no real waiting)
"""

import sys

from twisted.internet import task

TICK = 1.0  # seconds between two numbers


# ANCHOR: countdown
def countdown(clock, start, say, done, every=TICK):
    """Says start, start-1, ... 1, `every` seconds apart, then "liftoff", then done()."""

    def tick(n):
        if n == 0:
            say("liftoff")
            done()
            return
        say(str(n))
        clock.callLater(every, tick, n - 1)  # come back later; never time.sleep()

    tick(start)
# ANCHOR_END: countdown


# ANCHOR: main
def main():
    from twisted.internet import reactor

    countdown(reactor, 3, print, reactor.stop)  # stop the loop when it is over
    reactor.run()  # the event loop: runs until reactor.stop()
# ANCHOR_END: main


def selftest():
    # task.Clock is a fake reactor clock: advance() fires the delayed calls that are
    # due, so three seconds of countdown take no time and always give the same result.
    clock = task.Clock()
    said, finished = [], []
    countdown(clock, 3, said.append, lambda: finished.append(clock.seconds()))
    assert said == ["3"], said
    clock.advance(TICK)
    assert said == ["3", "2"], said
    clock.pump([TICK, TICK])
    assert said == ["3", "2", "1", "liftoff"], said
    assert finished == [3 * TICK], finished
    # The real reactor too: a short countdown stops the loop it runs on.
    from twisted.internet import reactor

    lines = []
    countdown(reactor, 1, lines.append, reactor.stop, every=0.01)
    reactor.callLater(10, lambda: (lines.append("timeout"), reactor.stop()))
    reactor.run()
    assert lines == ["1", "liftoff"], lines
    print("selftest ok")


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        main()
