"""Opens the dashboard page in a real headless Chromium, sends stock moves to the
feed, and prints the totals the page shows (read from its DOM over the DevTools
protocol, with Python's `websockets`).

    python browser.py WEB_ADDR FEED_ADDR [CHROMIUM]

Prints `page shows WIDGET-1=5 ...` and exits 0 once the page shows every expected
total, or exits 1 with what it saw after 20 s.
"""
import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import sys
import tempfile

from websockets.asyncio.client import connect

MOVES = ["WIDGET-1 5", "GADGET 3", "WIDGET-1 -2"]
EXPECTED = {"WIDGET-1": "3", "GADGET": "3"}
FLAGS = [
    "--headless",
    "--no-sandbox",  # needed as root (CI containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
READ_TOTALS = """
  [document.getElementById("status").textContent,
   Array.from(document.querySelectorAll("#totals tr"),
              r => r.cells[0].textContent + "=" + r.cells[1].textContent)]
"""


class DevTools:
    """Just enough of the DevTools protocol: commands on one page's session."""

    def __init__(self, ws):
        self.ws, self.ids, self.session = ws, itertools.count(1), None

    async def call(self, method, **params):
        id = next(self.ids)
        message = {"id": id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        await self.ws.send(json.dumps(message))
        while True:  # skip events and other answers
            answer = json.loads(await self.ws.recv())
            if answer.get("id") == id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]


async def main(web, feed, chromium):
    with tempfile.TemporaryDirectory() as profile:
        browser = await asyncio.create_subprocess_exec(
            chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group, to end it whole
        )
        try:
            await drive(browser, web, feed)
        finally:
            os.killpg(browser.pid, signal.SIGKILL)  # the browser and its renderers
            await browser.wait()


async def drive(browser, web, feed):
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
        target = await tools.call("Target.createTarget", url=f"http://{web}/")
        attached = await tools.call(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        tools.session = attached["sessionId"]

        async def page():
            result = await tools.call(
                "Runtime.evaluate", expression=READ_TOTALS, returnByValue=True
            )
            return result["result"].get("value") or ["", []]

        while (await page())[0] != "live":  # connected and subscribed
            await asyncio.sleep(0.05)
        host, port = feed.split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        for move in MOVES:
            writer.write(move.encode() + b"\r\n")
            await reader.readline()
        writer.close()
        want = sorted(f"{sku}={total}" for sku, total in EXPECTED.items())
        while True:
            status, rows = await page()
            if sorted(rows) == want:
                print(f"page shows {' '.join(sorted(rows))} ({status})")
                return
            await asyncio.sleep(0.05)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    chromium = sys.argv[3] if len(sys.argv) == 4 else shutil.which("chromium")
    if not chromium:
        print("chromium is missing: apt-get install chromium", file=sys.stderr)
        raise SystemExit(1)
    try:
        asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2], chromium), 20))
    except TimeoutError:
        print("the page did not show the expected totals within 20 s", file=sys.stderr)
        raise SystemExit(1)
