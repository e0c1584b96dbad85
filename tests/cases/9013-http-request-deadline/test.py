import json
import socket
import sys
import time
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--request-timeout", "2"])  # 2 s: a loaded machine's margin below
body = json.dumps(modern(1, "tools/list")).encode()
head = ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
        "Mcp-Method: tools/list\r\nContent-Length: %d\r\n\r\n" % len(body)).encode()


def trickle(data, sleep):
    """Send data a byte at a time; how long until the server cut us off."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    t0 = time.time()
    try:
        for b in data:
            s.sendall(bytes([b]))
            time.sleep(sleep)
            if time.time() - t0 > 8:
                return None
        s.settimeout(3)
        return time.time() - t0 if s.recv(65536) == b"" else None
    except OSError:
        return time.time() - t0
    finally:
        s.close()


cut = trickle(head + body, 0.3)
expect(cut is not None and cut < 6, "headers trickled in: cut off", cut)
s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
s.sendall(head)
t0 = time.time()
try:
    for b in body:
        s.sendall(bytes([b]))
        time.sleep(0.3)
        if time.time() - t0 > 8:
            break
    got = s.recv(65536)
except OSError:
    got = b""
s.close()
expect(got == b"" and time.time() - t0 < 6, "a body trickled in: cut off", (got[:100], time.time() - t0))
# A whole request, then a short wait (within the deadline) on the kept
# connection, then another request: both answered.
c = srv.connect()
r = srv.post(modern(2, "tools/list"), conn=c)
expect(r.status == 200, "answered", r)
time.sleep(0.5)
r = srv.post(modern(3, "tools/list"), conn=c)
expect(r.status == 200 and r.json["id"] == 3, "the kept connection's next request", r)
c.close()
srv.stop()
print("ok")
