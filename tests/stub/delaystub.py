#!/usr/bin/env python3
"""delaystub.py --port-file F --delay-ms N - a loopback vendor for the
bench's calls in flight: every request (any method and path) is answered
200 with Stripe's empty list for that path, N ms after it arrived, on a
kept-alive HTTP/1.1 connection. One asyncio loop, so hundreds of requests
wait together without a thread each (tests/stub/stub.py starts a thread per
connection and records every request; 256 at once cost it about 100 ms of
its own, which the floor then measured too). Standard library only."""
import argparse
import asyncio
import json
import os


async def serve(reader, writer, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(delay)
            body = json.dumps({"object": "list", "url": path, "has_more": False, "data": []}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--delay-ms", type=int, default=200)
    a = ap.parse_args()
    server = await asyncio.start_server(lambda r, w: serve(r, w, a.delay_ms / 1000), "127.0.0.1", 0,
                                        backlog=1024)
    port = server.sockets[0].getsockname()[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.rename(tmp, a.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
