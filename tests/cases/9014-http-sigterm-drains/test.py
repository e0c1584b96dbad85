import json
import os
import select
import signal
import socket
import sys
import time
from mcphttp import Server, modern, expect, headers_for

srv = Server(sys.argv[1], ["--connectors", "stripe", "--mode", "static"])
SUB = "io.modelcontextprotocol/subscriptionId"
listen = srv.stream(modern("l", "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))
listen.event()
c = srv.connect()
msg = modern(1, "tools/call", {"name": "stripe_customers_read", "arguments": {"id": "cus_slow"}})
c.request("POST", "/mcp", body=json.dumps(msg), headers=headers_for(msg))
# The call is in flight once the stub has it (it answers 3 s later).
seen = os.path.join(os.environ["TMP"], "stub-requests.jsonl")
deadline = time.time() + 20
while not (os.path.exists(seen) and os.path.getsize(seen)) and time.time() < deadline:
    time.sleep(0.05)
srv.proc.send_signal(signal.SIGTERM)
# Refused soon, and while the call is still in flight (no answer yet).
deadline = time.time() + 10
refused = False
while not refused and time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        time.sleep(0.05)
    except OSError:
        refused = True
expect(refused and not select.select([c.sock], [], [], 0)[0], "no new connection while draining")
r = c.getresponse()
body = json.loads(r.read())
expect(r.status == 200 and body["id"] == 1 and
       body["result"]["structuredContent"]["data"]["id"] == "cus_slow", "the call in flight answered", body)
final = listen.event()
expect(final and final.get("id") == "l" and final["result"]["_meta"][SUB] == "l",
       "the subscription's final result", final)
srv.proc.wait(10)
expect(srv.proc.returncode == 0, "exit 0", srv.proc.returncode)
srv.stop()
print("ok")
