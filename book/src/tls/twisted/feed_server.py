"""The inventory feed of chapter 05 over TLS, with Twisted: TLS from the first byte
(SSL4ServerEndpoint), or plain lines until STARTTLS (transport.startTLS).

    python feed_server.py --selftest           # scripted clients, then exit
    python feed_server.py --listen 8009 --pem-dir DIR [--starttls]

It makes its certificates at start-up and writes DIR/ca.pem for clients to trust.
"""

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from twisted.internet import defer, endpoints, protocol, reactor, ssl
from twisted.internet.interfaces import IHandshakeListener
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from zope.interface import implementer

from pki import TestCa


def chapter_05_feed():
    """Chapter 05's Twisted feed (book/src/lines/twisted/feed_server.py), loaded from
    its file: its parsing, its totals and its answers are what this server speaks."""
    path = Path(__file__).resolve().parents[2] / "lines" / "twisted" / "feed_server.py"
    spec = importlib.util.spec_from_file_location("chapter_05_feed", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lines_feed = chapter_05_feed()


# ANCHOR: server
@implementer(IHandshakeListener)
class FeedProtocol(TimeoutMixin, LineReceiver):
    """Chapter 05's feed, unchanged; TLS is the transport's business."""

    HANDSHAKE_TIMEOUT = 10  # seconds to complete the handshake (or ask for it)
    MAX_LENGTH = lines_feed.FeedProtocol.MAX_LENGTH

    def connectionMade(self):
        self.secure = not self.factory.starttls  # an SSL4 port is TLS already
        self.setTimeout(self.HANDSHAKE_TIMEOUT)  # TimeoutMixin: drop when it runs out

    def handshakeCompleted(self):  # IHandshakeListener: called over TLS only
        self.setTimeout(None)

    def lineReceived(self, line):
        if not self.secure:
            return self.plainLineReceived(line)
        self.sendLine(self.factory.feed.apply(line).encode())  # chapter 05's answer

    def lineLengthExceeded(self, line):  # chapter 05's bound, and its answer
        self.sendLine(b"ERR line too long (max %d bytes)" % self.MAX_LENGTH)
        self.transport.loseConnection()

    def plainLineReceived(self, line):
        if line != b"STARTTLS":
            return self.sendLine(b"ERR send STARTTLS first")
        # Whatever came behind STARTTLS in the same read was sent in plaintext:
        # LineReceiver would hand it to lineReceived as if TLS protected it.
        if self.clearLineBuffer():
            self.sendLine(b"ERR nothing may follow STARTTLS before the handshake")
            return self.transport.loseConnection()
        self.sendLine(b"OK begin TLS")  # written in plaintext, before TLS starts
        self.transport.startTLS(self.factory.tls)
        self.secure = True


class FeedFactory(protocol.Factory):
    protocol = FeedProtocol

    def __init__(self, tls, starttls=False):
        self.tls, self.starttls = tls, starttls
        self.feed = lines_feed.FeedFactory()  # the totals, and the rules that move them


def listen(port, cert_pem, key_pem, starttls=False):
    server = ssl.PrivateCertificate.loadPEM(cert_pem + key_pem)
    tls = server.options()  # CertificateOptions: TLS 1.2 minimum by default
    if starttls:
        endpoint = endpoints.TCP4ServerEndpoint(reactor, port, interface="127.0.0.1")
    else:
        endpoint = endpoints.SSL4ServerEndpoint(reactor, port, tls, interface="127.0.0.1")
    return endpoint.listen(FeedFactory(tls, starttls))
# ANCHOR_END: server


def make_pki(pem_dir):
    """A fresh CA and server certificate; the CA goes to pem_dir/ca.pem."""
    ca = TestCa()
    with open(os.path.join(pem_dir, "ca.pem"), "wb") as f:
        f.write(ca.cert_pem)
    return ca, ca.server()


@defer.inlineCallbacks
def selftest():
    import feed_client

    pem_dir = tempfile.mkdtemp(prefix="untwisted-tls-")
    ca, (cert, key) = make_pki(pem_dir)
    for starttls in (False, True):
        port = yield listen(0, cert, key, starttls)
        addr = ("127.0.0.1", port.getHost().port)
        answers = yield feed_client.run(addr, ca.cert_pem, ["WIDGET-1 5", "WIDGET-1 -2"], starttls)
        assert answers == ["WIDGET-1 5", "WIDGET-1 3"], answers
        try:  # the certificate is for localhost, not for this name
            yield feed_client.run(addr, ca.cert_pem, ["WIDGET-1 1"], starttls, "elsewhere.test")
            raise AssertionError("a wrong name must fail verification")
        except Exception as err:
            assert "elsewhere.test" in str(err) or "verif" in str(err).lower(), err
        yield port.stopListening()
    print("selftest ok: TLS and STARTTLS feeds answer, a wrong name is refused")


def main(argv):
    if argv[1:] == ["--selftest"]:
        reactor.callWhenRunning(lambda: selftest().addBoth(stop))
        reactor.run()
        sys.exit(0 if stop.ok else 1)
    port, pem_dir, starttls = 8009, tempfile.mkdtemp(prefix="untwisted-tls-"), False
    args = iter(argv[1:])
    for arg in args:
        if arg == "--listen":
            port = int(next(args))
        elif arg == "--pem-dir":
            pem_dir = next(args)
        elif arg == "--starttls":
            starttls = True
    _, (cert, key) = make_pki(pem_dir)

    def listening(p):
        print(f"listening on 127.0.0.1:{p.getHost().port}; CA in {pem_dir}/ca.pem", flush=True)

    listen(port, cert, key, starttls).addCallback(listening)
    reactor.run()


def stop(result):
    stop.ok = not isinstance(result, Exception) and not hasattr(result, "getTraceback")
    if not stop.ok:
        print(result.getTraceback() if hasattr(result, "getTraceback") else result)
    reactor.stop()


if __name__ == "__main__":
    main(sys.argv)
