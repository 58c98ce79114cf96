"""A scripted dashboard session, with Python's `websockets` as the client: the same
script against the Twisted snippet and the Rust solution must print the same lines.

    python script.py WEB_ADDR FEED_ADDR     e.g. 127.0.0.1:8010 127.0.0.1:8011

WEB_ADDR serves ws://WEB_ADDR/live; FEED_ADDR takes `SKU qty` lines.
"""
import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


def say(line):
    print(line, flush=True)


async def closed_code(ws):
    """Reads until the server closes; returns the code it sent."""
    try:
        while True:
            say(f"  (unexpected) < {await ws.recv()}")
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


async def main(web, feed):
    page = f"http://{web}"
    host, port = feed.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))

    async def move(line):
        writer.write(line.encode() + b"\r\n")
        say(f"feed > {line}")
        say(f"feed < {(await reader.readline()).decode().rstrip()}")

    live = f"ws://{web}/live"
    async with connect(live, origin=page, ping_interval=None) as ana:
        await ana.send("subscribe WIDGET-1 GADGET")
        say(f"ana < {await ana.recv()}")
        for line in ["WIDGET-1 5", "SPROCKET 2", "GADGET 3", "WIDGET-1 -1"]:
            await move(line)
        for _ in range(3):
            say(f"ana < {await ana.recv()}")
        await ana.send("subscribe")
        say(f"ana < {await ana.recv()}")
        await ana.send("subscribe *")
        say(f"ana < {await ana.recv()}")
        await ana.close(1000, "done")
        say(f"ana -- closed, the server answered {ana.close_code}")

    async with connect(live, origin="http://evil.example", ping_interval=None) as mallory:
        say(f"mallory -- closed with {await closed_code(mallory)}")

    async with connect(live, origin=page, ping_interval=None) as big:
        await big.send("subscribe " + "W" * 5000)
        say(f"big -- closed with {await closed_code(big)}")
    writer.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 20))
