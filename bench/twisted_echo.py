"""Twisted's echo server, for `cargo xtask bench echo` beside the Rust ones.

The echo server of Twisted's own examples (a Protocol whose dataReceived writes the
bytes back), on the platform's default reactor (epoll on Linux). It listens on
127.0.0.1 and a free port, prints `listening on 127.0.0.1:PORT (versions)` for the
benchmark to read, and runs until it is killed.

Run it by hand with a Python that has Twisted (book/requirements.txt):
    python bench/twisted_echo.py
"""

import platform
import sys

import twisted
from twisted.internet import protocol, reactor


class Echo(protocol.Protocol):
    def connectionMade(self):
        # The Rust servers set TCP_NODELAY too: the same wire behaviour for all.
        self.transport.setTcpNoDelay(True)

    def dataReceived(self, data):
        self.transport.write(data)


class EchoFactory(protocol.Factory):
    protocol = Echo


def main():
    # Twisted's default backlog is 50; tokio and mio use 1024. The load generator
    # keeps up to 128 connects in flight, so a short queue would drop SYNs and
    # measure the kernel's one-second retransmit instead of the server.
    port = reactor.listenTCP(0, EchoFactory(), backlog=1024, interface="127.0.0.1")
    address = port.getHost()
    # The first word after "listening on" is the address; the rest is for the table.
    print(
        f"listening on {address.host}:{address.port} "
        f"(Twisted {twisted.__version__}, {type(reactor).__name__}, "
        f"Python {platform.python_version()})",
        flush=True,
    )
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
