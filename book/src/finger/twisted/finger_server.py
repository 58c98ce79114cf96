"""Finger (RFC 1288), the Twisted way: the finger tutorial's service, three ports.

    python finger_server.py [--port N]           finger on 127.0.0.1:N (default: a free port),
                                                 the setter and the web view on free ports
    python finger_server.py --connect HOST:PORT [QUERY]   a finger client: ask, print the answer
    python finger_server.py --selftest           run scripted clients against it, exit 0 if all is well
"""
import re
import sys
import unicodedata

from twisted.internet import defer, endpoints, protocol, task
from twisted.protocols.basic import LineReceiver
from twisted.protocols.policies import TimeoutMixin
from twisted.web import resource, server

MAX_QUERY_LENGTH = 256  # bytes before the "\n", a "\r" included, as in the Rust server
IDLE_TIMEOUT = 10  # seconds to send the whole query line
LOOKUP_TIMEOUT = 5  # seconds for the answer's lookups
MAX_USERS = 1000


# ANCHOR: service
class FingerService:
    """The users, and the Deferred-returning lookups every protocol shares."""

    def __init__(self, users):
        self.users = dict(users)

    def getUser(self, user):
        return defer.succeed(self.users.get(user))  # None: no such user

    def getUsers(self):
        return defer.succeed(sorted(self.users))

    def setUser(self, user, status):
        if user not in self.users and len(self.users) >= MAX_USERS:
            raise ValueError(f"directory is full ({MAX_USERS} users)")
        self.users[user] = status
# ANCHOR_END: service


# ANCHOR: finger
class FingerProtocol(LineReceiver, TimeoutMixin):
    """One query line in, the answer, then close."""

    # A "\r" before the "\n" is stripped: "\r\n" and a bare "\n" both end a query.
    delimiter = b"\n"
    MAX_LENGTH = MAX_QUERY_LENGTH

    def connectionMade(self):
        self.setTimeout(IDLE_TIMEOUT)  # the whole line must come within it

    def lineReceived(self, line):
        self.setTimeout(None)
        self.setRawMode()  # one query per connection: ignore whatever follows
        query = parse_query(line.removesuffix(b"\r"))
        if isinstance(query, str):
            return self.writeLines([query])  # not a query: say why
        d = self.factory.service_answer(query)
        d.addTimeout(LOOKUP_TIMEOUT, self.factory.reactor)
        # The tutorial's catchError: any failure, a timeout too, reads the same.
        d.addErrback(lambda failure: ["Internal error in server"])
        d.addCallback(self.writeLines)

    def rawDataReceived(self, data):
        pass

    def writeLines(self, lines):
        self.transport.write(b"".join(line.encode() + b"\r\n" for line in lines))
        self.transport.loseConnection()

    def lineLengthExceeded(self, line):
        self.writeLines([f"Query too long (max {MAX_QUERY_LENGTH} bytes)"])

    def connectionLost(self, reason):
        self.setTimeout(None)


class FingerFactory(protocol.ServerFactory):
    protocol = FingerProtocol

    def __init__(self, service, reactor):
        self.service, self.reactor = service, reactor

    @defer.inlineCallbacks
    def service_answer(self, query):
        kind, name, verbose = query
        if kind == "forward":
            # The words of twisted.protocols.finger.
            return ["Finger forwarding service denied"]
        if kind == "user":
            status = yield self.service.getUser(name)
            if status is None:
                return ["No such user"]
            if verbose:
                return [f"Login: {name}", f"Status: {status}"]
            return [f"{name}: {status}"]
        names = yield self.service.getUsers()
        if not verbose:
            return names or ["No users"]
        statuses = yield defer.gatherResults([self.service.getUser(n) for n in names])
        lines = [f"{n}: {s}" for n, s in zip(names, statuses) if s is not None]
        return lines or ["No users"]
# ANCHOR_END: finger


# ANCHOR: parse
def parse_query(line):
    """("list" | "user" | "forward", name, verbose), or the refusal's words."""
    if any(b >= 0x80 for b in line):
        return "Query must be ASCII"
    if any((b < 0x20 and b != 0x09) or b == 0x7F for b in line):
        return "Query has a control character"
    words = line.decode("ascii").split()
    verbose = bool(words) and words[0].lower() == "/w"
    if verbose:
        words = words[1:]
    if len(words) > 1:
        return "Usage: [/W] [user]"
    if not words:
        return ("list", None, verbose)
    kind = "forward" if "@" in words[0] else "user"
    return (kind, words[0], verbose)
# ANCHOR_END: parse


# ANCHOR: setter
class FingerSetterProtocol(LineReceiver):
    """`user status` lines set a status: the tutorial's setter, one answer per line."""

    delimiter = b"\n"
    MAX_LENGTH = 512

    def lineReceived(self, line):
        answer = self.factory.set(line.removesuffix(b"\r"))
        self.transport.write(answer.encode() + b"\r\n")

    def lineLengthExceeded(self, line):
        self.transport.write(b"ERR line too long (max 512 bytes)\r\n")
        self.transport.loseConnection()


class FingerSetterFactory(protocol.ServerFactory):
    protocol = FingerSetterProtocol

    def __init__(self, service):
        self.service = service

    def set(self, line):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return "ERR line is not UTF-8"
        user, *status = re.split("[ \t]", text.strip(), maxsplit=1)
        if not status:
            return "ERR expected: user status"
        status = status[0].strip()
        if not valid_user(user):
            return "ERR user must be 1 to 32 letters, digits, '.', '_' or '-'"
        if not valid_status(status):
            return "ERR status must be 1 to 200 bytes without control characters"
        try:
            self.service.setUser(user, status)
        except ValueError as full:
            return f"ERR {full}"
        return "OK"
# ANCHOR_END: setter


def valid_user(user):
    return 1 <= len(user) <= 32 and all(c.isascii() and (c.isalnum() or c in "._-") for c in user)


def valid_status(status):
    """1 to 200 bytes of UTF-8, no control character (Rust's char::is_control: Cc)."""
    return 1 <= len(status.encode()) <= 200 and all(unicodedata.category(c) != "Cc" for c in status)


# ANCHOR: web
class UsersPage(resource.Resource):
    """GET /users: the names, one per line; /users/<name>: one status, or 404."""

    def __init__(self, service):
        super().__init__()
        self.service = service

    def getChild(self, name, request):
        if name == b"":
            return self
        return UserPage(self.service, name.decode("utf-8", "replace"))

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        d = self.service.getUsers()
        d.addCallback(lambda names: "".join(f"{n}\n" for n in names))
        d.addCallback(lambda text: request.write(text.encode()))
        d.addCallback(lambda _: request.finish())
        return server.NOT_DONE_YET


class UserPage(resource.Resource):
    isLeaf = True

    def __init__(self, service, name):
        super().__init__()
        self.service, self.name = service, name

    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")

        def write(status):
            if status is None:
                request.setResponseCode(404)
                status = "no such user"
            request.write(f"{status}\n".encode())
            request.finish()

        self.service.getUser(self.name).addCallback(write)
        return server.NOT_DONE_YET
# ANCHOR_END: web


# ANCHOR: client
class FingerClient(protocol.Protocol):
    """Sends one query, collects the answer until the server closes."""

    def __init__(self, query):
        self.query, self.chunks = query, []
        self.answered = defer.Deferred()

    def connectionMade(self):
        self.transport.write(self.query.encode("ascii") + b"\r\n")

    def dataReceived(self, data):
        self.chunks.append(data)

    def connectionLost(self, reason):
        self.answered.callback(b"".join(self.chunks))


def finger(reactor, host, port, query):
    client = FingerClient(query)
    endpoint = endpoints.TCP4ClientEndpoint(reactor, host, port)
    d = endpoints.connectProtocol(endpoint, client)
    d.addCallback(lambda _: client.answered)
    return d.addTimeout(10, reactor)
# ANCHOR_END: client


SEED = {"alice": "Counting widgets in aisle 7", "bob": "Out to lunch", "moshez": "Happy and well"}


# ANCHOR: listen
@defer.inlineCallbacks
def listen(reactor, service, finger_port=0):
    """One service, three protocols, three ports (the tutorial's FingerService)."""

    def on(port_number, factory):
        loopback = "127.0.0.1"
        endpoint = endpoints.TCP4ServerEndpoint(reactor, port_number, interface=loopback)
        return endpoint.listen(factory)

    root = resource.Resource()
    root.putChild(b"users", UsersPage(service))
    ports = yield defer.gatherResults(
        [
            on(finger_port, FingerFactory(service, reactor)),
            on(0, FingerSetterFactory(service)),
            on(0, server.Site(root)),
        ]
    )
    return [port.getHost() for port in ports]
# ANCHOR_END: listen


class SetterClient(LineReceiver):
    """Sends one setter line, waits for its answer, hangs up."""

    def __init__(self, line):
        self.line = line
        self.answered = defer.Deferred()

    def connectionMade(self):
        self.sendLine(self.line)

    def lineReceived(self, answer):
        self.answered.callback(answer)
        self.transport.loseConnection()


@defer.inlineCallbacks
def selftest(reactor):
    service = FingerService(SEED)
    fingers, setter, web = yield listen(reactor, service)

    def ask(query):
        return finger(reactor, fingers.host, fingers.port, query)

    expected = {
        "alice": b"alice: Counting widgets in aisle 7\r\n",
        "/W moshez": b"Login: moshez\r\nStatus: Happy and well\r\n",
        "carol": b"No such user\r\n",
        "": b"alice\r\nbob\r\nmoshez\r\n",
        "bob@example.com": b"Finger forwarding service denied\r\n",
        "alice bob": b"Usage: [/W] [user]\r\n",
        "a" * 300: b"Query too long (max 256 bytes)\r\n",
    }
    for query, answer in expected.items():
        got = yield ask(query)
        assert got == answer, f"{query[:20]!r}: got {got!r}, expected {answer!r}"
        print(f"finger {query[:20]!r} -> {got!r}")
    # The setter port changes what finger and the web view show.
    setter_client = SetterClient(b"carol Unpacking pallets")
    yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, setter.host, setter.port), setter_client)
    got = yield setter_client.answered.addTimeout(10, reactor)
    assert got == b"OK", got
    got = yield ask("carol")
    assert got == b"carol: Unpacking pallets\r\n", got
    # The web view, asked by hand: FingerClient adds the request's final "\r\n".
    got = yield finger(reactor, web.host, web.port, f"GET /users/carol HTTP/1.0\r\nHost: {web.host}\r\n")
    assert got.startswith(b"HTTP/1.0 200 ") and got.endswith(b"\r\n\r\nUnpacking pallets\n"), got
    print("selftest ok: queries, refusals, the setter and the web view share one service")


@defer.inlineCallbacks
def serve(reactor, finger_port):
    fingers, setter, web = yield listen(reactor, FingerService(SEED), finger_port)
    print(f"finger listening on {fingers.host}:{fingers.port}")
    print(f"setter listening on {setter.host}:{setter.port}")
    print(f"web view listening on {web.host}:{web.port}")
    yield defer.Deferred()  # serve until Ctrl-C


@defer.inlineCallbacks
def query(reactor, addr, text):
    host, _, port = addr.rpartition(":")
    answer = yield finger(reactor, host, int(port), text)
    sys.stdout.write(answer.decode("utf-8", "replace"))


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if args[:1] == ("--connect",) and len(args) in (2, 3):
        return query(reactor, args[1], args[2] if len(args) == 3 else "")
    if args[:1] == ("--port",) and len(args) == 2 and args[1].isdigit():
        return serve(reactor, int(args[1]))
    if not args:
        return serve(reactor, 0)
    print(__doc__, file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
