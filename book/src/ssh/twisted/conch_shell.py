"""The inventory shell over SSH, the Twisted way: a conch server, and a conch client.

    python conch_shell.py [--port N]         serve on 127.0.0.1:N (default: a free
                                             port); log in as clerk, password widgets
    python conch_shell.py --connect HOST:PORT COMMAND
                                             run COMMAND there as clerk, print its
                                             output, exit with its exit status
    python conch_shell.py --selftest         the client against the server
"""
import sys

from cryptography.hazmat.primitives.asymmetric import ed25519
from twisted.conch import avatar
from twisted.conch.checkers import InMemorySSHKeyDB, SSHPublicKeyChecker
from twisted.conch.client.knownhosts import KnownHostsFile
from twisted.conch.endpoints import SSHCommandClientEndpoint
from twisted.conch.ssh import factory, keys, session, userauth
from twisted.cred import checkers, portal
from twisted.internet import defer, endpoints, protocol, reactor, task
from twisted.internet.error import ConnectionDone, ProcessTerminated
from twisted.python import components, failure
from zope.interface import implementer

USER, PASSWORD = b"clerk", b"widgets"
GREETING = b"ERP inventory shell. Commands: list, stock SKU, move SKU QTY, quit\n"
PROMPT = b"inventory> "
MAX_LINE = 256
MAX_AUTH_ATTEMPTS = 3
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 127


# ANCHOR: inventory
class Inventory:
    """The stock every session shares, and the legacy shell's commands."""

    def __init__(self):
        self.stock = {"GADGET": 3, "SPROCKET": 12, "WIDGET-1": 40}

    def run(self, line):
        """One command line in, (output, exit status) out: knows nothing of SSH."""
        words = line.split()
        if not words:
            return "", EXIT_OK
        match words:
            case ["list"]:
                lines = (f"{sku} {qty}\n" for sku, qty in sorted(self.stock.items()))
                return "".join(lines), EXIT_OK
            case ["stock", sku]:
                if sku not in self.stock:
                    return f"no such SKU: {sku}\n", EXIT_FAILED
                return f"{sku} {self.stock[sku]}\n", EXIT_OK
            case ["move", sku, delta]:
                try:
                    delta = int(delta)
                except ValueError:
                    return f"not a quantity: {delta}\n", EXIT_USAGE
                if sku not in self.stock:
                    return f"no such SKU: {sku}\n", EXIT_FAILED
                if self.stock[sku] + delta < 0:
                    return f"{sku} has only {self.stock[sku]}\n", EXIT_FAILED
                self.stock[sku] += delta
                return f"{sku} {self.stock[sku]}\n", EXIT_OK
            case ["list" | "stock" | "move", *_]:
                return "usage: list | stock SKU | move SKU QTY\n", EXIT_USAGE
            case [command, *_]:
                return f"unknown command: {command}\n", EXIT_UNKNOWN
# ANCHOR_END: inventory


def exited(status):
    """How conch is told a 'process' ended: it sends exit-status, then closes."""
    return failure.Failure(ProcessTerminated(exitCode=status))


# ANCHOR: session
class ShellProtocol(protocol.Protocol):
    """The interactive shell: one line in, its answer and a prompt out. Not a
    LineReceiver: those read transport.disconnecting, which conch's session
    transport does not have."""

    def __init__(self, inventory):
        self.inventory, self.buffer = inventory, b""
        self.too_long = self.ended = False

    def connectionMade(self):
        self.transport.write(GREETING + PROMPT)

    def dataReceived(self, data):
        self.buffer += data
        while not self.ended:
            line, found, self.buffer = self.buffer.partition(b"\n")
            if not found:
                self.buffer = line
                if len(line) > MAX_LINE:  # keep nothing of a line too long
                    self.buffer, self.too_long = b"", True
                return
            line = line.removesuffix(b"\r")
            if self.too_long or len(line) > MAX_LINE:
                self.too_long = False
                refusal = f"line too long (max {MAX_LINE} bytes)\n"
                self.transport.write(refusal.encode() + PROMPT)
            else:
                self.lineReceived(line.decode("utf-8", "replace"))

    def lineReceived(self, line):
        if line.strip() in ("quit", "exit"):
            self.transport.write(b"bye\n")
            return self.end()
        output, _status = self.inventory.run(line)
        self.transport.write(output.encode() + PROMPT)

    def end(self):
        if not self.ended:
            self.ended = True
            self.transport.processEnded(exited(EXIT_OK))


class InventoryAvatar(avatar.ConchUser):
    """A logged-in clerk: may open session channels, nothing else."""

    def __init__(self, username, inventory):
        super().__init__()
        self.username, self.inventory = username, inventory
        self.channelLookup[b"session"] = session.SSHSession


@implementer(session.ISession)
class InventorySession:
    """What a session channel's requests do: exec, shell, pty-req, EOF."""

    def __init__(self, avatar):
        self.inventory = avatar.inventory
        self.shell = None

    def execCommand(self, transport, command):
        # Answer on the reactor's next turn: conch sends the exec request's
        # success reply after this returns, and conch's own client fails on
        # output that comes before that reply.
        reactor.callLater(0, self.answer, transport, command)

    def answer(self, transport, command):
        output, status = self.inventory.run(command.decode("utf-8", "replace"))
        transport.write(output.encode())
        transport.processEnded(exited(status))  # exit-status, then close

    def openShell(self, transport):
        self.shell = ShellProtocol(self.inventory)
        self.shell.makeConnection(transport)
        transport.makeConnection(session.wrapProtocol(self.shell))

    def getPty(self, term, windowSize, modes):
        pass  # accepted; this small shell does not echo (a terminal would want it)

    def eofReceived(self):
        if self.shell is not None:  # input ended: the shell is done
            self.shell.end()

    def closed(self):
        pass


components.registerAdapter(InventorySession, InventoryAvatar, session.ISession)


@implementer(portal.IRealm)
class Realm:
    def __init__(self, inventory):
        self.inventory = inventory

    def requestAvatar(self, avatarId, mind, *interfaces):
        return interfaces[0], InventoryAvatar(avatarId, self.inventory), lambda: None
# ANCHOR_END: session


# ANCHOR: factory
class LimitedUserAuth(userauth.SSHUserAuthServer):
    # Conch disconnects when a failure would make more than this many (it does
    # not count the `none` probe); every wrong password waits passwordDelay first.
    attemptsBeforeDisconnect = MAX_AUTH_ATTEMPTS - 1
    passwordDelay = 0.3


def ssh_factory(inventory, authorized_keys=()):
    host_key = keys.Key(ed25519.Ed25519PrivateKey.generate())
    f = factory.SSHFactory()
    f.publicKeys = {b"ssh-ed25519": host_key.public()}
    f.privateKeys = {b"ssh-ed25519": host_key}
    f.services = {**f.services, b"ssh-userauth": LimitedUserAuth}
    f.portal = portal.Portal(Realm(inventory), [
        checkers.InMemoryUsernamePasswordDatabaseDontUse(**{USER.decode(): PASSWORD}),
        SSHPublicKeyChecker(InMemorySSHKeyDB({USER: list(authorized_keys)})),
    ])
    return f
# ANCHOR_END: factory


# ANCHOR: client
class AnyHostKey(KnownHostsFile):
    """For this demo only: trusts whatever host key the server shows. Real code
    passes KnownHostsFile.fromPath(FilePath(".../known_hosts")) itself."""

    def verifyHostKey(self, ui, hostname, ip, key):
        return defer.succeed(True)


class Collect(protocol.Protocol):
    """Gathers a command's output; fires with (output, exit status) at the close."""

    def __init__(self):
        self.output, self.done = b"", defer.Deferred()

    def dataReceived(self, data):
        self.output += data

    def connectionLost(self, reason):
        # conch's client reports a non-zero exit-status as ProcessTerminated.
        status = reason.value.exitCode if reason.check(ProcessTerminated) else EXIT_OK
        self.done.callback((self.output.decode(), status))


@defer.inlineCallbacks
def run_command(reactor, host, port, command, password=PASSWORD):
    endpoint = SSHCommandClientEndpoint.newConnection(
        reactor, command.encode(), USER, host.encode(), port,
        password=password, knownHosts=AnyHostKey(None))
    collect = Collect()
    yield endpoints.connectProtocol(endpoint, collect)
    answer = yield collect.done.addTimeout(10, reactor)
    return answer
# ANCHOR_END: client


@defer.inlineCallbacks
def selftest(reactor):
    endpoint = endpoints.TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
    port = yield endpoint.listen(ssh_factory(Inventory()))
    host, number = port.getHost().host, port.getHost().port
    for command, expected in [
        ("stock WIDGET-1", ("WIDGET-1 40\n", EXIT_OK)),
        ("move WIDGET-1 -5", ("WIDGET-1 35\n", EXIT_OK)),
        ("stock NOPE", ("no such SKU: NOPE\n", EXIT_FAILED)),
        ("frobnicate", ("unknown command: frobnicate\n", EXIT_UNKNOWN)),
    ]:
        got = yield run_command(reactor, host, number, command)
        assert got == expected, (command, got, expected)
    wrong = run_command(reactor, host, number, "list", password=b"gadgets")
    refused = yield wrong.addCallbacks(lambda _: False, lambda _: True)
    assert refused, "a wrong password got in"
    yield port.stopListening()
    print("selftest ok: exec with exit statuses, and a wrong password refused")


@defer.inlineCallbacks
def serve(reactor, number):
    endpoint = endpoints.TCP4ServerEndpoint(reactor, number, interface="127.0.0.1")
    port = yield endpoint.listen(ssh_factory(Inventory()))
    address = port.getHost()
    print(f"conch inventory shell listening on {address.host}:{address.port}")
    yield defer.Deferred()  # serve until Ctrl-C


@defer.inlineCallbacks
def connect(reactor, addr, command):
    host, number = addr.rsplit(":", 1)
    output, status = yield run_command(reactor, host, int(number), command)
    sys.stdout.write(output)
    sys.stdout.flush()
    if status != 0:
        raise SystemExit(status)


def main(reactor, *args):
    if args == ("--selftest",):
        return selftest(reactor)
    if len(args) == 3 and args[0] == "--connect":
        return connect(reactor, args[1], args[2])
    if len(args) == 2 and args[0] == "--port":
        return serve(reactor, int(args[1]))
    if not args:
        return serve(reactor, 0)
    raise SystemExit(__doc__)


if __name__ == "__main__":
    task.react(main, sys.argv[1:])
