"""Twisted beside a foreign loop: the threadedselect reactor, as Kivy and wxPython
use it. The foreign loop (here a stand-in for a GUI's) owns the main thread; the
reactor waits for sockets on a helper thread and, when there is work, *wakes* the
foreign loop, which then runs the reactor's work on the main thread.

    python foreign_loop.py --selftest
"""
import sys
import queue

from twisted.internet import _threadedselect

_threadedselect.install()
from twisted.internet import reactor  # noqa: E402  (after install, on purpose)


# ANCHOR: interleave
class FakeGuiLoop:
    """A GUI main loop in miniature: a queue of callables, run one by one."""

    def __init__(self):
        self.pending = queue.Queue()
        self.running = True

    def call_soon(self, func):  # what wx.CallAfter / GLib.idle_add / Kivy's Clock do
        self.pending.put(func)

    def run(self):
        while self.running:
            self.pending.get(timeout=10)()


gui = FakeGuiLoop()
reactor.interleave(gui.call_soon)  # the reactor wakes the GUI loop when it has work
reactor.addSystemEventTrigger("after", "shutdown", lambda: setattr(gui, "running", False))
# ANCHOR_END: interleave


def selftest():
    fired = []
    reactor.callLater(0.05, lambda: (fired.append("timer ran on the GUI thread"), reactor.stop()))
    gui.run()  # returns once the reactor has shut down
    assert fired == ["timer ran on the GUI thread"], fired
    print("selftest ok:", fired[0])


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        selftest()
    else:
        print("run with --selftest")
