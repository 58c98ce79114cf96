"""The inventory API on Twisted Web: a resource tree, render_GET and render_POST.

    python inventory_site.py --listen 127.0.0.1:8008   serve until Ctrl-C
    python inventory_site.py --selftest                serve on a free port, ask it
                                                       a few questions, exit 0

It answers like the Rust solution of exercise 08 (the book's tests send both the
same requests with curl and compare the answers).
"""

import json
import sys

from twisted.internet import defer, endpoints, reactor, task
from twisted.web import resource, server

MAX_BODY_BYTES = 4096
I64_MAX = 2**63 - 1


# ANCHOR: json
def json_page(request, code, value):
    """Sets the status and type; returns the body, compact like serde_json."""
    request.setResponseCode(code)
    request.setHeader(b"Content-Type", b"application/json")
    return json.dumps(value, separators=(",", ":")).encode()


def error(request, code, message):
    return json_page(request, code, {"error": message})
# ANCHOR_END: json


# ANCHOR: tree
class Inventory(resource.Resource):
    """/inventory: GET lists every SKU; each SKU is a child made on demand."""

    def __init__(self, stock):
        super().__init__()
        self.stock = stock

    def render_GET(self, request):
        levels = [{"sku": s, "qty": q} for s, q in sorted(self.stock.items())]
        return json_page(request, 200, levels)

    def getChild(self, name, request):
        if name == b"":  # /inventory/ : no SKU is empty, so the plain 404
            return super().getChild(name, request)
        sku = name.decode("ascii", "replace")
        if sku in self.stock:
            return Sku(self.stock, sku)
        return UnknownSku(sku)
# ANCHOR_END: tree


# ANCHOR: sku
class Sku(resource.Resource):
    """/inventory/<SKU>: GET shows it (HEAD too, through the inherited
    render_HEAD), POST moves stock."""

    def __init__(self, stock, sku):
        super().__init__()
        self.stock, self.sku = stock, sku

    def render_GET(self, request):
        return json_page(request, 200, {"sku": self.sku, "qty": self.stock[self.sku]})

    def render_POST(self, request):
        ctype = request.getHeader(b"content-type") or b""
        if ctype.split(b";")[0].strip().lower() != b"application/json":
            return error(request, 415, "expected Content-Type: application/json")
        # Twisted has already read the whole body into request.content.
        body = request.content.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            return error(request, 413, f"body over {MAX_BODY_BYTES} bytes")
        delta = parse_delta(body)
        if delta is None:
            return error(request, 400, 'expected a JSON body like {"delta": 5}')
        qty = self.stock[self.sku]
        if not 0 <= qty + delta <= I64_MAX:
            message = f"{self.sku} has {qty}: the move would leave it out of range"
            return error(request, 409, message)
        self.stock[self.sku] = qty + delta
        return json_page(request, 200, {"sku": self.sku, "qty": qty + delta})
# ANCHOR_END: sku


class UnknownSku(resource.Resource):
    """A SKU the inventory does not have: 404, with a JSON body."""

    def __init__(self, sku):
        super().__init__()
        self.sku = sku

    def render_GET(self, request):
        return error(request, 404, f"unknown SKU {self.sku}")

    render_POST = render_GET


def parse_delta(body):
    """The integer `delta` of a JSON object, or None."""
    try:
        move = json.loads(body)
    except ValueError:
        return None
    delta = move.get("delta") if isinstance(move, dict) else None
    if type(delta) is not int or not -(2**63) <= delta <= I64_MAX:
        return None  # type(...) is int: True and False are ints in Python
    return delta


# ANCHOR: site
def make_site():
    root = resource.Resource()  # renders nothing: GET / is 404
    stock = {"WIDGET-1": 10, "GADGET": 3, "SPROCKET-7": 0}
    root.putChild(b"inventory", Inventory(stock))
    return server.Site(root)
# ANCHOR_END: site


def listen(host, port):
    endpoint = endpoints.TCP4ServerEndpoint(reactor, port, interface=host)
    return endpoint.listen(make_site())


async def selftest(reactor):
    import warnings
    from io import BytesIO

    from twisted.web.client import Agent, FileBodyProducer, readBody
    from twisted.web.http_headers import Headers

    # readBody warns about the Agent's own transport; not this snippet's business.
    warnings.simplefilter("ignore", DeprecationWarning)
    port = await listen("127.0.0.1", 0)
    base = f"http://127.0.0.1:{port.getHost().port}"
    agent = Agent(reactor)

    async def ask(method, path, body=None, ctype=b"application/json"):
        headers = Headers({b"Content-Type": [ctype]}) if body is not None else None
        producer = FileBodyProducer(BytesIO(body)) if body is not None else None
        url = (base + path).encode()
        response = await agent.request(method, url, headers, producer)
        content = await readBody(response)
        allow = response.headers.getRawHeaders(b"allow", [b""])[0].decode()
        print(f"{method.decode()} {path} -> {response.code} {allow} {content[:60]!r}")
        return response.code, allow, content

    assert (await ask(b"GET", "/inventory/WIDGET-1"))[0] == 200
    moved = await ask(b"POST", "/inventory/WIDGET-1", b'{"delta": -4}')
    assert moved == (200, "", b'{"sku":"WIDGET-1","qty":6}'), moved
    assert (await ask(b"POST", "/inventory/GADGET", b"[1]"))[0] == 400
    assert (await ask(b"POST", "/inventory/GADGET", b"1", b"text/plain"))[0] == 415
    assert (await ask(b"GET", "/inventory/NOPE"))[0] == 404
    assert (await ask(b"GET", "/inventory/"))[0] == 404
    assert (await ask(b"POST", "/inventory", b"{}"))[:2] == (405, "HEAD, GET")
    assert (await ask(b"DELETE", "/inventory"))[0] == 501
    await port.stopListening()
    print("selftest ok")


def main(argv):
    if argv[1:] == ["--selftest"]:
        task.react(lambda r: defer.ensureDeferred(selftest(r)))
    elif len(argv) == 3 and argv[1] == "--listen":
        host, _, port = argv[2].rpartition(":")
        listening = listen(host, int(port))
        listening.addCallback(
            lambda p: print(f"inventory API listening on {host}:{p.getHost().port}", flush=True)
        )
        reactor.run()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
