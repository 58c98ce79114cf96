"""Starts the room, loads its live page in a real headless Chromium while simulated
attendees post verdicts, restarts the room under the page, and prints what the page
shows (read from its DOM over the DevTools protocol, with Python's `websockets`).

    python browser.py ROOM_BINARY TOKEN CHROMIUM STATE_FILE

Prints one `ok: ...` line per thing seen and exits 0, or exits 1 saying what the
page showed instead (after 20 s at most).
"""
import asyncio
import itertools
import json
import os
import re
import signal
import sys
import tempfile

from websockets.asyncio.client import connect

EVIL = "<img src=x onerror=alert(1)>"
FLAGS = [
    "--headless",
    "--no-sandbox",  # needed as root (CI containers)
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
READ_PAGE = """
  ({status: document.getElementById("status")?.textContent ?? null,
    text: document.body ? document.body.innerText : "",
    images: document.querySelectorAll("img").length,
    alerted: window.__alerted || false,
    rows: Array.from(document.querySelectorAll("#attendees tr"),
                     r => [r.dataset.name, r.className.trim(),
                           ...Array.from(r.cells, c => c.textContent)])})
"""
# Any alert() would set this (installed before the page's own script runs).
CATCH_ALERTS = "window.alert = () => { window.__alerted = true; };"


class DevTools:
    """Just enough of the DevTools protocol: commands on one page's session."""

    def __init__(self, ws):
        self.ws, self.ids = ws, itertools.count(1)

    async def call(self, method, session=None, **params):
        id = next(self.ids)
        message = {"id": id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send(json.dumps(message))
        while True:  # skip events and other answers
            answer = json.loads(await self.ws.recv())
            if answer.get("id") == id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    async def open(self, url):
        """A new tab on `url` (alerts caught); its session id."""
        target = await self.call("Target.createTarget", url="about:blank")
        attached = await self.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        session = attached["sessionId"]
        await self.call("Page.enable", session)
        await self.call("Page.addScriptToEvaluateOnNewDocument", session, source=CATCH_ALERTS)
        await self.call("Page.navigate", session, url=url)
        return session

    async def read(self, session):
        result = await self.call("Runtime.evaluate", session, expression=READ_PAGE, returnByValue=True)
        return result["result"].get("value") or {}


async def post(addr, token, path, body):
    host, port = addr.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    data = json.dumps(body).encode()
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
        + data
    )
    answer = await reader.read()
    writer.close()
    status = answer.split(b" ", 2)[1].decode()
    if status != "204":
        raise RuntimeError(f"POST {path} {body}: {answer!r}")


def verdict(name, exercise, passed, total, step=None, kind="assertion"):
    failing = {"step": step, "kind": kind} if step else None
    return {"name": name, "exercise": exercise, "passed": passed, "total": total, "failing": failing}


async def until(what, tools, session, done):
    """Reads the page every 50 ms until `done(page)`; says what was seen."""
    while True:
        page = await tools.read(session)
        if done(page):
            print(f"ok: {what}")
            return page
        until.last = page
        await asyncio.sleep(0.05)


class Room:
    """The room's binary on a loopback port (a free one the first time); its first
    line must be the contract's."""

    def __init__(self, binary, token, state):
        self.binary, self.token, self.state, self.process, self.addr = binary, token, state, None, None

    async def start(self):
        listen = self.addr or "127.0.0.1:0"
        self.process = await asyncio.create_subprocess_exec(
            self.binary, "--listen", listen, "--token", self.token, "--exercises", "00-welcome,05-lines",
            "--state", self.state, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        first = (await self.process.stdout.readline()).decode().rstrip("\n")
        found = re.fullmatch(r"room listening on http://(\S+)/\?token=(\S+)", first)
        if not found or found[2] != self.token:
            raise RuntimeError(f"the room's first line is not the contract's: {first!r}")
        self.addr = found[1]
        asyncio.ensure_future(self.process.stdout.read())  # keep draining it

    async def stop(self):
        self.process.terminate()  # SIGTERM: the room saves its state and exits
        await self.process.wait()


async def drive(browser, room):
    addr, token = room.addr, room.token
    while True:  # Chromium says where DevTools listens on stderr
        line = (await browser.stderr.readline()).decode()
        if not line:
            raise RuntimeError("chromium exited before DevTools started")
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            break
    asyncio.ensure_future(browser.stderr.read())  # keep draining it
    async with connect(found[1], max_size=None, ping_interval=None) as ws:
        tools = DevTools(ws)
        page = await tools.open(f"http://{addr}/?token={token}")
        await until("the page is live", tools, page, lambda p: p.get("status") == "live")

        await post(addr, token, "/api/join", {"name": "Ada"})
        await post(addr, token, "/api/verdict", verdict("Ada", "05-lines", 3, 6, "step_4_splits_lines"))
        await post(addr, token, "/api/verdict", verdict("Grace", "00-welcome", 2, 2))
        await post(addr, token, "/api/verdict", verdict(EVIL, "05-lines", 1, 6, "step_2_reads", "panic"))

        def row(p, name):
            return next((r for r in p.get("rows", []) if r[0] == name), None)

        def three_rows(p):
            ada = row(p, "Ada")
            return len(p.get("rows", [])) == 3 and ada and "step_4_splits_lines" in ada[4]

        await until("a row per attendee, Ada on step_4_splits_lines", tools, page, three_rows)
        await post(addr, token, "/api/verdict", verdict("Ada", "05-lines", 6, 6))
        await until("Ada's row updates to 6/6", tools, page, lambda p: (row(p, "Ada") or [""] * 5)[4].startswith("6/6"))
        seen = await tools.read(page)
        evil = row(seen, EVIL)
        if not evil or evil[2] != EVIL or seen["images"] != 0 or seen["alerted"]:
            raise RuntimeError(f"the evil name was not shown as text: {seen}")
        print("ok: the name <img src=x onerror=alert(1)> shows as text (no img element, no alert)")
        # With Grace gone, one of the two present is failing step_2_reads: more
        # than a third of the room.
        await post(addr, token, "/api/leave", {"name": "Grace"})
        await until(
            "Grace leaves (greyed) and the hardest steps list shows 05-lines step_2_reads", tools, page,
            lambda p: "05-lines step_2_reads: 1 failing" in p["text"] and "absent" in (row(p, "Grace") or ["", ""])[1],
        )

        # The room restarts under the open page: it reconnects, and the state is back.
        await room.stop()
        await until("the page says it is reconnecting", tools, page, lambda p: p.get("status", "").startswith("reconnecting"))
        await room.start()
        await until(
            "the page is live again after the restart, rows restored", tools, page,
            lambda p: p.get("status") == "live" and len(p["rows"]) == 3 and (row(p, "Ada") or [""] * 5)[4].startswith("6/6"),
        )

        wrong = await tools.open(f"http://{addr}/?token=not-the-token-0123456789")
        shown = await until(
            "a wrong token shows no data", tools, wrong,
            lambda p: "wrong or missing token" in p.get("text", ""),
        )
        if shown["rows"] or "Ada" in shown["text"] or "Grace" in shown["text"]:
            raise RuntimeError(f"a wrong token showed data: {shown}")


async def main(binary, token, chromium, state):
    room = Room(binary, token, state)
    await room.start()
    print("ok: the room's first line is the contract's")
    with tempfile.TemporaryDirectory() as profile:
        browser = await asyncio.create_subprocess_exec(
            chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, to end it whole
        )
        try:
            await drive(browser, room)
        finally:
            os.killpg(browser.pid, signal.SIGKILL)  # the browser and its renderers
            await browser.wait()
            if room.process.returncode is None:
                room.process.kill()
                await room.process.wait()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    try:
        asyncio.run(asyncio.wait_for(main(*sys.argv[1:]), 20))
    except TimeoutError:
        print(f"timed out; the page last showed: {getattr(until, 'last', None)}", file=sys.stderr)
        raise SystemExit(1)
