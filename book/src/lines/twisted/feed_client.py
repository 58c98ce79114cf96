"""A Twisted LineReceiver client for the live inventory feed. It talks to the Rust
demo (`cargo xtask demo 05-lines`) and to feed_server.py alike: same protocol.

    python feed_client.py --connect HOST:PORT ['SKU qty' ...]
    python feed_client.py --selftest   start feed_server.py's factory, talk to it, exit 0
"""
import sys

from twisted.internet import defer, endpoints, task
from twisted.protocols.basic import LineReceiver


# ANCHOR: client
class FeedClient(LineReceiver):
    """Sends stock moves, one line each, and collects one answer per move."""

    delimiter = b"\r\n"  # a server ending its lines in a bare \n would never be heard

    def __init__(self, moves):
        self.moves = moves
        self.answers = []
        self.finished = defer.Deferred()

    def connectionMade(self):
        for move in self.moves:
            self.sendLine(move.encode())

    def lineReceived(self, line):
        self.answers.append(line.decode("utf-8", "replace"))
        print(f"> {self.moves[len(self.answers) - 1]}\n< {self.answers[-1]}")
        if len(self.answers) == len(self.moves):
            self.transport.loseConnection()

    def connectionLost(self, reason):
        self.finished.callback(self.answers)  # also when the server hangs up first
# ANCHOR_END: client


@defer.inlineCallbacks
def talk(reactor, host, port, moves):
    client = FeedClient(moves)
    yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, host, port), client)
    answers = yield client.finished.addTimeout(10, reactor)
    return answers


@defer.inlineCallbacks
def selftest(reactor):
    from feed_server import FeedFactory  # the sibling snippet: a tiny Twisted feed

    listening = yield endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(FeedFactory())
    addr = listening.getHost()
    answers = yield talk(reactor, addr.host, addr.port, ["WIDGET-1 5", "WIDGET-1 -2", "GADGET 3"])
    assert answers == ["WIDGET-1 5", "WIDGET-1 3", "GADGET 3"], answers
    print("selftest ok")
    yield listening.stopListening()


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if len(args) >= 2 and args[0] == "--connect" and ":" in args[1]:
        host, _, port = args[1].rpartition(":")
        moves = list(args[2:]) or ["WIDGET-1 5", "WIDGET-1 -2"]
        return talk(reactor, host, int(port), moves)
    print(__doc__, file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
