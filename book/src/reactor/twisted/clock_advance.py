"""What time does a callback see during task.Clock.advance?

Twisted's Clock.advance sets the time to the end FIRST, then runs every call due by
then, including calls scheduled during the advance (twisted/internet/task.py).
So a call scheduled from inside an advance counts its delay from the end time.

    python clock_advance.py             print the timeline
    python clock_advance.py --selftest  check it and exit 0
"""
import sys

from twisted.internet import task


# ANCHOR: advance
def timeline():
    clock = task.Clock()
    seen = []

    def at(what):
        return lambda: seen.append(f"t={clock.seconds():g} {what}")

    def first():
        at("first")()
        clock.callLater(2, at("two after the first"))  # due at now + 2 = 7, not 3
        clock.callLater(0, at("zero after the first"))  # due at 5: runs in this advance
        clock.callLater(10, at("ten after the first"))  # due at 15

    clock.callLater(1, first)
    clock.advance(5)  # the time is 5 before `first` runs
    seen.append("-- advance(5) done")
    clock.advance(6)  # 11: runs "two after the first" (due at 7)
    return seen
# ANCHOR_END: advance


EXPECTED = [
    "t=5 first",
    "t=5 zero after the first",
    "-- advance(5) done",
    "t=11 two after the first",
]

if __name__ == "__main__":
    seen = timeline()
    print("\n".join(seen))
    if "--selftest" in sys.argv:
        assert seen == EXPECTED, seen
        print("selftest ok")
