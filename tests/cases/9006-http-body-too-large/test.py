import json
import socket
import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--max-message-bytes", "2000"])
big = modern(1, "tools/list", {"cursor": "x" * 3000})
r = srv.post(big)
expect(r.status == 413 and r.json["error"]["code"] == -32600 and "2000" in r.json["error"]["message"],
       "413 for a body over the cap", r)
# Chunked, no Content-Length: counted as it arrives.
body = json.dumps(big).encode()
s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
head = ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
        "Mcp-Method: tools/list\r\nTransfer-Encoding: chunked\r\n\r\n")
s.sendall(head.encode())
for i in range(0, len(body), 500):
    part = body[i:i + 500]
    s.sendall(b"%x\r\n%s\r\n" % (len(part), part))
s.sendall(b"0\r\n\r\n")
reply = b""
while b"\r\n\r\n" not in reply:
    got = s.recv(4096)
    if not got:
        break
    reply += got
s.close()
expect(reply.startswith(b"HTTP/1.1 413"), "413 for a chunked body over the cap", reply[:200])
r = srv.post(modern(2, "tools/list"))
expect(r.status == 200 and r.json["id"] == 2, "still serving", r)
srv.stop()
print("ok")
