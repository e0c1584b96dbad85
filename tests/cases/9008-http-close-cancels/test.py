import json
import os
import sys
import time
from mcphttp import Server, modern, expect, headers_for

srv = Server(sys.argv[1], ["--connectors", "stripe", "--mode", "static", "--log-level", "debug"])


def cancelled():
    return srv.stderr().count("request cancelled by the client")


def wait_cancelled(n, what):
    deadline = time.time() + 15
    while time.time() < deadline and cancelled() < n:
        time.sleep(0.05)
    expect(cancelled() == n, what + ": the call was cancelled", srv.stderr()[-2000:])


# 1. Nothing sent yet: the answer would be one JSON object.
c = srv.connect()
msg = modern(1, "tools/call", {"name": "stripe_customers_read", "arguments": {"id": "cus_never"}})
c.request("POST", "/mcp", body=json.dumps(msg), headers=headers_for(msg))
seen = os.path.join(os.environ["TMP"], "stub-requests.jsonl")
deadline = time.time() + 15
while not (os.path.exists(seen) and os.path.getsize(seen)) and time.time() < deadline:
    time.sleep(0.05)  # the call is in flight (the stub answers 8 s later)
t0 = time.time()
c.close()
wait_cancelled(1, "hung up before any answer")
expect(time.time() - t0 < 5, "cancelled at once", time.time() - t0)

# 2. Mid-stream: after the first progress notification.
msg = modern(2, "tools/call", {"name": "stripe_customers_list",
                               "arguments": {"limit": 2, "max_items": 3}},
             meta={"progressToken": "p"})
s = srv.stream(msg)
ev = s.event()
expect(ev and ev["method"] == "notifications/progress", "a progress notification first", ev)
t0 = time.time()
s.close()
wait_cancelled(2, "hung up mid-stream")
expect(time.time() - t0 < 5, "cancelled at once", time.time() - t0)

r = srv.post(modern(3, "tools/list"))
expect(r.status == 200 and r.json["id"] == 3, "still serving", r)
srv.stop()
print("ok")
