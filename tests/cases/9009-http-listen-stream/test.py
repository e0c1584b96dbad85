import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.request
from mcphttp import Server, modern, expect

BIN, HOOKS = sys.argv[1], sys.argv[2]
SUB = "io.modelcontextprotocol/subscriptionId"
srv = Server(BIN, ["--mode", "static", "--keepalive", "1", "--log-level", "debug"], store=False)


def deliver(eid, etype, obj):
    body = json.dumps({"id": eid, "type": etype, "data": {"object": {"id": obj}}}).encode()
    t = str(int(time.time()))
    sig = hmac.new(b"whsec_listen", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{HOOKS}/hooks/stripe/main", data=body,
                                 headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        expect(r.status == 200, "webhook delivered", r.status)


res = srv.stream(modern("res", "subscriptions/listen",
                        {"notifications": {"resourceSubscriptions": ["events://stripe/customers"]}}))
expect(res.headers.get("x-accel-buffering") == "no", "X-Accel-Buffering: no", res.headers)
ack = res.event()
expect(ack["method"] == "notifications/subscriptions/acknowledged" and ack["params"]["_meta"][SUB] == "res",
       "acknowledged with the client's id", ack)
tools = srv.stream(modern(5, "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))
ack = tools.event()
expect(ack["params"] == {"_meta": {SUB: 5}, "notifications": {"toolsListChanged": True}}, "ack", ack)

deliver("evt_h1", "customer.created", "cus_1")
note = res.event()
expect(note["method"] == "notifications/resources/updated" and
       note["params"] == {"_meta": {SUB: "res"}, "uri": "events://stripe/customers"}, "updated", note)

# A connection added in another terminal changes the tool list.
subprocess.run([BIN, "connections", "add", "github", "--name", "work", "--secret-stdin", "--no-test"],
               input=b"ghp_0123456789abcdef0123456789abcdef0123", check=True,
               stdout=subprocess.DEVNULL)
note = tools.event()
expect(note["method"] == "notifications/tools/list_changed" and note["params"]["_meta"][SUB] == 5,
       "tools/list_changed", note)

# Quiet: keep-alive comments, about one a second.
n = tools.count_comments(2.5)
expect(2 <= n <= 4, "keep-alive comments in 2.5 s", n)
res.close()
deadline = time.time() + 15
while time.time() < deadline and "subscription ended by the client" not in srv.stderr():
    time.sleep(0.05)
expect("subscription ended by the client" in srv.stderr(), "closing the stream ended it",
       srv.stderr()[-1500:])

# SIGTERM: the open stream ends with its final result.
srv.proc.send_signal(15)
tools.conn.sock.settimeout(10)
final = tools.event()
expect(final and final.get("id") == 5 and final["result"]["_meta"][SUB] == 5, "a final result", final)
srv.stop()
print("ok")
