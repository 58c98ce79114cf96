"""The capstone's real-time inventory service, the Twisted way: scanners on TLS with
client certificates, a JSON API, live dashboards on WebSocket, a reorder job, and a
drain on SIGTERM, all on one reactor.

    python inventory.py [--listen HOST:PORT] [--pki DIR] [--reorder SKU=N]...
                        [--reorder-every SECS] [--drain-secs SECS]
    python inventory.py --selftest    play a scanner, a dashboard and the API against
                                      it, drain it, exit 0 if all is well

--pki DIR: if DIR/ca.pem exists, the service only READS ca.pem, server.pem and
server.key there (a PKI someone else made, e.g. the Rust demo); otherwise it first
writes a fresh test PKI there: ca.pem, server.pem/.key (localhost, 127.0.0.1),
scanner.pem/.key (CN scanner-1, signed by the CA) and intruder.pem/.key (signed by
another CA). Default: a fresh temporary folder.
"""

import importlib.util
import json
import sys
import tempfile
import warnings
from pathlib import Path

from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.types import ConnectionDeny
from twisted.internet import defer, endpoints, protocol, ssl, task
from twisted.internet.interfaces import IHandshakeListener, IPushProducer
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.web import resource, server
from zope.interface import implementer

BOOK = Path(__file__).resolve().parents[2]  # book/src


def load(name, path):
    """Another chapter's snippet, loaded from its file, so both speak the same."""
    spec = importlib.util.spec_from_file_location(name, BOOK / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lines_feed = load("lines_feed", "lines/twisted/feed_server.py")  # chapter 05's moves
pki = load("tls_pki", "tls/twisted/pki.py")  # the TLS chapter's test certificates
SKU = lines_feed.SKU.fullmatch  # what chapter 05 accepts as a SKU


# ANCHOR: inventory
class Inventory:
    """What every connection shares: the totals, the alerts, the open connections.
    One reactor thread touches it, so it needs no lock."""

    def __init__(self, thresholds):
        self.feed = lines_feed.FeedFactory()  # chapter 05: parsing, bounds, totals
        self.thresholds = thresholds  # {sku: threshold}
        self.alerted = set()  # SKUs below their threshold, already alerted
        self.alerts = []  # every alert raised, oldest first
        self.applied = 0  # moves applied since start
        self.scanners, self.dashboards = set(), set()
        self.ready = True

    def move(self, line):
        """Applies one scanner line; returns its answer (`SKU TOTAL` or `ERR ...`)."""
        answer = self.feed.apply(line)
        if not answer.startswith("ERR"):
            sku, total = answer.split(" ")
            self.applied += 1
            for dashboard in self.dashboards:
                if dashboard.wants(sku) and not dashboard.behind:
                    dashboard.sendMessage(f"total {sku}={total}".encode())
        return answer

    def check_reorders(self):
        """The reorder job: one alert per crossing below a threshold."""
        for sku, threshold in sorted(self.thresholds.items()):
            qty = self.feed.totals.get(sku, 0)
            if qty >= threshold:
                self.alerted.discard(sku)  # re-armed for the next crossing
            elif sku not in self.alerted:
                self.alerted.add(sku)
                self.alerts.append({"sku": sku, "qty": qty, "threshold": threshold})
                for dashboard in self.dashboards:
                    if dashboard.wants(sku):
                        alert = f"alert {sku}={qty} below={threshold}"
                        dashboard.sendMessage(alert.encode())

    def snapshot(self, skus):
        """`snapshot A=1 B=2`: the wanted SKUs (None: every known one), in SKU order."""
        totals = self.feed.totals
        skus = sorted(totals) if skus is None else sorted(skus)
        return " ".join(["snapshot"] + [f"{sku}={totals.get(sku, 0)}" for sku in skus])
# ANCHOR_END: inventory


# ANCHOR: scanner
@implementer(IHandshakeListener)
class Scanner(TimeoutMixin, LineReceiver):
    """One scanner, over TLS: chapter 05's line protocol, unchanged."""

    delimiter = b"\n"  # a bare \n ends a line too; a \r before it is dropped below
    MAX_LENGTH = 1024 + len(b"\r")
    HANDSHAKE_TIMEOUT = 10  # seconds; Twisted itself would wait forever

    def connectionMade(self):
        self.inventory = self.factory.inventory
        self.inventory.scanners.add(self)
        self.gone = defer.Deferred()  # fired by connectionLost, awaited by the drain
        self.setTimeout(self.HANDSHAKE_TIMEOUT)

    def handshakeCompleted(self):  # IHandshakeListener: the client's cert was good
        self.setTimeout(None)

    def lineReceived(self, line):
        line = line.removesuffix(b"\r")
        if len(line) > 1024:
            return self.lineLengthExceeded(line)
        self.transport.write(self.inventory.move(line).encode() + b"\r\n")

    def lineLengthExceeded(self, line):
        self.transport.write(b"ERR line too long (max 1024 bytes)\r\n")
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.setTimeout(None)
        self.inventory.scanners.discard(self)
        self.gone.callback(None)


def scanner_tls(pki_dir):
    """Our certificate and key, and the CA a scanner's certificate must be signed by.
    PrivateCertificate.options(ca) is CertificateOptions with trustRoot=ca: the
    handshake fails for a client without a certificate signed by it."""
    pem = (pki_dir / "server.pem").read_bytes() + (pki_dir / "server.key").read_bytes()
    ours = ssl.PrivateCertificate.loadPEM(pem)
    ca = ssl.Certificate.loadPEM((pki_dir / "ca.pem").read_bytes())
    return ours.options(ca)
# ANCHOR_END: scanner


# ANCHOR: api
class Api(resource.Resource):
    """The JSON API and the dashboard page, one leaf resource routing on the path."""

    isLeaf = True  # Site hands every path to render() rather than looking for children

    def __init__(self, inventory, page):
        super().__init__()
        self.inventory, self.page = inventory, page

    def render(self, request):
        if request.method not in (b"GET", b"HEAD"):  # HEAD: Twisted drops the body
            return self.json(request, 405, {"error": "method not allowed"})
        path = request.path.decode("utf-8", "replace").split("/")[1:]
        totals = self.inventory.feed.totals
        if path == [""]:
            request.setHeader(b"content-type", b"text/html; charset=utf-8")
            return self.page
        if path == ["live"]:
            return self.text(request, 200, "ok")
        if path == ["ready"] and self.inventory.ready:
            return self.text(request, 200, "ready")
        if path == ["ready"]:
            return self.text(request, 503, "draining")
        if path == ["inventory"]:
            rows = [{"sku": sku, "qty": qty} for sku, qty in sorted(totals.items())]
            return self.json(request, 200, rows)
        if path[0] == "inventory" and len(path) == 2 and path[1] in totals:
            return self.json(request, 200, {"sku": path[1], "qty": totals[path[1]]})
        if path[0] == "inventory" and len(path) == 2:
            return self.json(request, 404, {"error": "unknown sku"})
        if path == ["alerts"]:
            return self.json(request, 200, self.inventory.alerts)
        return self.json(request, 404, {"error": "not found"})

    def json(self, request, code, value):
        request.setResponseCode(code)
        request.setHeader(b"content-type", b"application/json")
        return json.dumps(value, separators=(",", ":")).encode()

    def text(self, request, code, body):
        request.setResponseCode(code)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return body.encode()


class BoundedRequest(server.Request):
    """No route takes a body: a request sending more than 64 KiB is cut off. Twisted
    itself would buffer any size (to a temporary file past 100 KB)."""

    MAX_BODY = 64 * 1024

    def handleContentChunk(self, data):
        if self.content.tell() + len(data) > self.MAX_BODY:
            return self.channel.transport.abortConnection()
        super().handleContentChunk(data)
# ANCHOR_END: api


# ANCHOR: dashboards
@implementer(IPushProducer)
class Lag:
    """The websocket chapter's slow-consumer signal: Twisted pauses this producer
    when the dashboard's write buffer is full, resumes it when it has drained."""

    def __init__(self, dashboard):
        self.dashboard = dashboard

    def pauseProducing(self):
        self.dashboard.behind = True  # skipped by moves until it catches up

    def resumeProducing(self):
        self.dashboard.resync()  # then a fresh snapshot rather than the backlog

    def stopProducing(self):
        pass


class Dashboard(WebSocketServerProtocol):
    """One live dashboard: `subscribe *` or `subscribe SKU...`, then pushes."""

    skus = ()  # None: every SKU; (): not subscribed yet
    behind = False

    def onConnect(self, request):
        if request.origin and request.origin not in self.factory.page_origins:
            raise ConnectionDeny(403, "a page from elsewhere")  # HTTP 403, no upgrade

    def onOpen(self):
        self.inventory = self.factory.inventory
        self.gone = defer.Deferred()  # fired by onClose, awaited by the drain
        self.inventory.dashboards.add(self)  # wants() nothing until it subscribes
        self.registerProducer(Lag(self), True)

    def onMessage(self, payload, isBinary):
        words = [] if isBinary else payload.decode("utf-8", "replace").split()
        skus = words[1:]
        if words[:1] == ["subscribe"] and skus == ["*"]:
            self.skus = None
        elif words[:1] == ["subscribe"] and 0 < len(skus) <= 64 and all(map(SKU, skus)):
            self.skus = set(skus)
        else:
            return self.sendMessage(b"error expected `subscribe *` or `subscribe SKU...`")
        self.resync()

    def wants(self, sku):
        return self.skus is None or sku in self.skus

    def resync(self):
        self.behind = False
        if self.skus != ():
            self.sendMessage(self.inventory.snapshot(self.skus).encode())

    def goodbye(self):
        """The drain: the final totals, then Close 1001 (going away). sendClose only
        takes 1000 and 3000-4999; sendCloseFrame is autobahn's frame-level call."""
        self.resync()
        self.sendCloseFrame(code=1001, reasonUtf8=b"going away")

    def onClose(self, wasClean, code, reason):
        if hasattr(self, "gone"):  # onClose runs even if the upgrade never happened
            self.inventory.dashboards.discard(self)
            self.gone.callback(None)
# ANCHOR_END: dashboards


PAGE = """<!doctype html><meta charset="utf-8"><title>Inventory</title>
<h1>Inventory</h1><pre id="totals">connecting...</pre><ul id="alerts"></ul>
<script>
const totals = {}, show = () => document.getElementById("totals").textContent =
  Object.keys(totals).sort().map(s => s + " " + totals[s]).join("\\n");
const ws = new WebSocket("ws://" + location.hostname + ":DASHBOARD_PORT/");
ws.onopen = () => ws.send("subscribe *");
ws.onmessage = ({data}) => {
  const [kind, ...pairs] = data.split(" ");
  if (kind === "alert") {
    const li = document.createElement("li"); li.textContent = data;
    document.getElementById("alerts").append(li);
    return;
  }
  for (const pair of pairs) { const [s, n] = pair.split("="); totals[s] = n; }
  show();
};
</script>
"""


# ANCHOR: start
@defer.inlineCallbacks
def start(reactor, host, port, pki_dir, thresholds, every):
    """Listens on the three ports and starts the reorder job; returns the pieces."""
    inventory = Inventory(thresholds)
    scanners = protocol.Factory.forProtocol(Scanner)
    scanners.inventory = inventory
    tls = scanner_tls(pki_dir)
    scanner_endpoint = endpoints.SSL4ServerEndpoint(reactor, 0, tls, interface=host)
    scanner_port = yield scanner_endpoint.listen(scanners)

    hub = WebSocketServerFactory()
    hub.protocol, hub.inventory = Dashboard, inventory
    # 4 KiB messages at most; failByDrop=False: send the close code before closing.
    hub.setProtocolOptions(
        maxMessagePayloadSize=4096, maxFramePayloadSize=4096, failByDrop=False
    )
    dashboard_endpoint = endpoints.TCP4ServerEndpoint(reactor, 0, interface=host)
    dashboard_port = yield dashboard_endpoint.listen(hub)

    page = PAGE.replace("DASHBOARD_PORT", str(dashboard_port.getHost().port))
    site = server.Site(Api(inventory, page.encode()))
    site.requestFactory = BoundedRequest
    api_endpoint = endpoints.TCP4ServerEndpoint(reactor, port, interface=host)
    api_port = yield api_endpoint.listen(site)
    api = api_port.getHost().port
    hub.page_origins = {f"http://{host}:{api}", f"http://localhost:{api}"}

    job = task.LoopingCall(inventory.check_reorders)
    job.clock = reactor
    # LoopingCall keeps to its grid: ticks missed while the reactor was busy are
    # skipped (one late run, then the grid), never made up in a burst.
    # now=False: the first check comes after one period.
    job.start(every, now=False)
    return inventory, job, [scanner_port, dashboard_port], api_port
# ANCHOR_END: start


# ANCHOR: drain
@defer.inlineCallbacks
def drain(reactor, inventory, job, ports, deadline):
    """SIGTERM or SIGINT: what runs before the reactor stops (a Deferred it waits for)."""
    inventory.ready = False  # /ready says 503 from now on; the API port stays open
    job.stop()
    yield defer.gatherResults([port.stopListening() for port in ports])  # no newcomers
    # Lines already received were applied and answered in lineReceived: closing
    # writes what is still buffered, then the TLS close_notify.
    for scanner in list(inventory.scanners):
        scanner.transport.loseConnection()
    for dashboard in list(inventory.dashboards):
        dashboard.goodbye()
    left = [c.gone for c in inventory.scanners | inventory.dashboards]
    try:
        yield defer.DeferredList(left).addTimeout(deadline, reactor)
    except defer.TimeoutError:
        for connection in inventory.scanners | inventory.dashboards:
            connection.transport.abortConnection()  # past the deadline: cut
    print(f"drained: {inventory.applied} moves applied", flush=True)
# ANCHOR_END: drain


def write_pki(pki_dir):
    """The test PKI, if the folder has none yet (the TLS chapter's pki.py makes it)."""
    if (pki_dir / "ca.pem").exists():
        return
    pki_dir.mkdir(parents=True, exist_ok=True)
    ca, stranger = pki.TestCa(), pki.TestCa("not our CA")
    (pki_dir / "ca.pem").write_bytes(ca.cert_pem)
    client = pki.ExtendedKeyUsageOID.CLIENT_AUTH
    for name, (cert, key) in [
        ("server", ca.server()),
        ("scanner", ca._sign("scanner-1", ["scanner-1"], client)),
        ("intruder", stranger._sign("scanner-1", ["scanner-1"], client)),
    ]:
        (pki_dir / f"{name}.pem").write_bytes(cert)
        (pki_dir / f"{name}.key").write_bytes(key)


# ANCHOR: main
@defer.inlineCallbacks
def serve(reactor, options):
    host, port = options["listen"].rsplit(":", 1)
    pki_dir = Path(options["pki"] or tempfile.mkdtemp(prefix="untwisted-capstone-"))
    write_pki(pki_dir)
    every, thresholds = options["reorder_every"], options["reorder"]
    inventory, job, ports, api_port = yield start(
        reactor, host, int(port), pki_dir, thresholds, every
    )
    scanner_port, dashboard_port = ports
    print(f"scanners listening on {host}:{scanner_port.getHost().port}")
    print(f"api listening on http://{host}:{api_port.getHost().port}")
    print(f"dashboards listening on ws://{host}:{dashboard_port.getHost().port}")
    print(f"pki in {pki_dir}", flush=True)
    # The reactor's own SIGTERM/SIGINT handlers call reactor.stop(); 'before'
    # 'shutdown' triggers run first, and a Deferred they return holds the stop.
    deadline = options["drain_secs"]
    reactor.addSystemEventTrigger(
        "before", "shutdown", drain, reactor, inventory, job, ports, deadline
    )
    yield defer.Deferred()  # serve until stopped
# ANCHOR_END: main


def parse(args):
    options = {"listen": "127.0.0.1:0", "pki": None, "reorder": {}}
    options.update(reorder_every=5.0, drain_secs=10.0)
    args = iter(args)
    for flag in args:
        value = next(args, None)
        if value is None:
            raise SystemExit(f"{flag} needs a value\n{__doc__}")
        if flag == "--listen":
            options["listen"] = value
        elif flag == "--pki":
            options["pki"] = value
        elif flag == "--reorder":
            sku, _, n = value.partition("=")
            options["reorder"][sku] = int(n)
        elif flag in ("--reorder-every", "--drain-secs"):
            options[flag[2:].replace("-", "_")] = float(value)
        else:
            raise SystemExit(f"unknown option {flag}\n{__doc__}")
    return options


# The self-test: a scanner, an intruder, the API, a dashboard and a drain, in-process.


class Client(LineReceiver):
    def __init__(self):
        self.answers = defer.DeferredQueue()
        self.closed = defer.Deferred()

    def lineReceived(self, line):
        self.answers.put(line.decode())

    def connectionLost(self, reason):
        self.closed.callback(None)


@defer.inlineCallbacks
def selftest(reactor):
    from autobahn.twisted.websocket import WebSocketClientFactory, WebSocketClientProtocol
    from twisted.web.client import Agent, readBody

    # readBody warns about Agent's own transport wrapper (no abortConnection).
    warnings.filterwarnings("ignore", "Using readBody", DeprecationWarning)

    pki_dir = Path(tempfile.mkdtemp(prefix="untwisted-capstone-"))
    write_pki(pki_dir)
    thresholds = {"WIDGET-1": 0}
    inventory, job, ports, api_port = yield start(
        reactor, "127.0.0.1", 0, pki_dir, thresholds, 0.05
    )
    scanner_addr = ("127.0.0.1", ports[0].getHost().port)
    ca = ssl.Certificate.loadPEM((pki_dir / "ca.pem").read_bytes())

    def scanner(name):
        pem = [(pki_dir / f"{name}.{kind}").read_bytes() for kind in ("pem", "key")]
        cert = ssl.PrivateCertificate.loadPEM(b"".join(pem))
        tls = ssl.optionsForClientTLS("localhost", trustRoot=ca, clientCertificate=cert)
        client = Client()
        endpoint = endpoints.SSL4ClientEndpoint(reactor, *scanner_addr, tls)
        return endpoints.connectProtocol(endpoint, client).addCallback(lambda _: client)

    frames, closed = defer.DeferredQueue(), defer.Deferred()

    class Watcher(WebSocketClientProtocol):
        def onOpen(self):
            self.sendMessage(b"subscribe WIDGET-1 GADGET")

        def onMessage(self, payload, isBinary):
            frames.put(payload.decode())

        def onClose(self, wasClean, code, reason):
            closed.callback(code)

    watch = WebSocketClientFactory()
    watch.protocol = Watcher
    dashboards = ports[1].getHost().port
    yield endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", dashboards).connect(watch)
    assert (yield frames.get()) == "snapshot GADGET=0 WIDGET-1=0"

    good = yield scanner("scanner")
    said = []
    for line in [b"WIDGET-1 5", b"GADGET 3", b"WIDGET-1 -7", b"WIDGET-1 five"]:
        good.sendLine(line)
        said.append((yield good.answers.get().addTimeout(10, reactor)))
    expected = ["WIDGET-1 5", "GADGET 3", "WIDGET-1 -2"]
    expected.append('ERR qty must be a whole number, got "five"')
    assert said == expected, said
    pushed = []
    for _ in range(4):
        pushed.append((yield frames.get().addTimeout(10, reactor)))
    expected = ["total WIDGET-1=5", "total GADGET=3", "total WIDGET-1=-2"]
    expected.append("alert WIDGET-1=-2 below=0")
    assert pushed == expected, pushed

    intruder = yield scanner("intruder")
    intruder.sendLine(b"WIDGET-1 100")
    yield intruder.closed.addTimeout(10, reactor)  # the handshake failed: no answer
    assert intruder.answers.pending == [], intruder.answers.pending

    agent, api = Agent(reactor), f"http://127.0.0.1:{api_port.getHost().port}"
    response = yield agent.request(b"GET", f"{api}/inventory".encode())
    body = json.loads((yield readBody(response)))
    assert body == [{"sku": "GADGET", "qty": 3}, {"sku": "WIDGET-1", "qty": -2}]
    response = yield agent.request(b"GET", f"{api}/alerts".encode())
    alerts = json.loads((yield readBody(response)))
    assert alerts == [{"sku": "WIDGET-1", "qty": -2, "threshold": 0}], alerts

    yield drain(reactor, inventory, job, ports, 2.0)
    response = yield agent.request(b"GET", f"{api}/ready".encode())
    assert response.code == 503, response.code
    assert (yield frames.get()) == "snapshot GADGET=3 WIDGET-1=-2"
    assert (yield closed.addTimeout(10, reactor)) == 1001
    yield good.closed.addTimeout(10, reactor)
    yield api_port.stopListening()
    print("selftest ok: moves answered and pushed, one alert, an intruder refused,")
    print("the API's JSON, and a drain: final totals, close 1001")


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if args[:1] in (("-h",), ("--help",)):
        print(__doc__)
        return None
    return serve(reactor, parse(args))


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
