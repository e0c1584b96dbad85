"""A 2026-07-28 MCP session (argv[1] serve) beside webhooks serve (port argv[2])."""
import hashlib, hmac, json, os, select, subprocess, sys, time, urllib.request

BIN, PORT, ERR = sys.argv[1], sys.argv[2], sys.argv[3]
proc = subprocess.Popen([BIN, "--mode", "static", "serve"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=open(ERR, "w"))
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}
SUB = "io.modelcontextprotocol/subscriptionId"
pending = b""
inbox = []


def pump(timeout):
    global pending
    r, _, _ = select.select([proc.stdout], [], [], timeout)
    if r:
        data = os.read(proc.stdout.fileno(), 65536)
        if not data:
            return False
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            inbox.append(json.loads(line))
    return True


def read_until(pred, timeout=30.0):
    deadline = time.time() + timeout
    while True:
        for i, m in enumerate(inbox):
            if pred(m):
                return inbox.pop(i)
        left = deadline - time.time()
        if left <= 0:
            sys.exit(f"timed out; inbox: {json.dumps(inbox)[:2000]}")
        if not pump(left):
            sys.exit("server closed stdout")


def send(msg):
    proc.stdin.write(json.dumps(msg).encode() + b"\n")
    proc.stdin.flush()


def call(rid, method, params):
    send({"jsonrpc": "2.0", "id": rid, "method": method, "params": dict(params, _meta=META)})
    return read_until(lambda m: m.get("id") == rid and "method" not in m)


def deliver(eid, etype, obj):
    body = json.dumps({"id": eid, "type": etype, "data": {"object": {"id": obj}}}).encode()
    t = str(int(time.time()))
    sig = hmac.new(b"whsec_listen", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/hooks/stripe/main", data=body,
                                 headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


# Two streams: "tools" for the tool list, 7 for one resource (ids of both types).
send({"jsonrpc": "2.0", "id": "tools", "method": "subscriptions/listen",
      "params": {"_meta": META, "notifications": {"toolsListChanged": True, "promptsListChanged": True}}})
ack = read_until(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
assert ack["params"] == {"_meta": {SUB: "tools"}, "notifications": {"toolsListChanged": True}}, ack
send({"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
      "params": {"_meta": META, "notifications": {"resourceSubscriptions": ["events://stripe/customers"]}}})
ack = read_until(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
assert ack["params"] == {"_meta": {SUB: 7},
                         "notifications": {"resourceSubscriptions": ["events://stripe/customers"]}}, ack
before = call(1, "tools/list", {})["result"]
assert before["resultType"] == "complete", before
assert call(9, "tools/list", {})["result"]["tools"] == before["tools"]  # deterministic

# A webhook for the subscribed resource, then one for another resource.
deliver("evt_l1", "customer.created", "cus_1")
note = read_until(lambda m: m.get("method") == "notifications/resources/updated")
assert note["params"] == {"_meta": {SUB: 7}, "uri": "events://stripe/customers"}, note
deliver("evt_l2", "invoice.paid", "in_1")
# The first stored event brings the switchboard_events tool: a list change.
note = read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
assert note["params"] == {"_meta": {SUB: "tools"}}, note

# A connection added in another terminal changes the tool list.
subprocess.run([BIN, "connections", "add", "github", "--name", "gh", "--secret-stdin"],
               input=b"ghp_listen_test_token", check=True, capture_output=True)
note = read_until(lambda m: m.get("method") == "notifications/tools/list_changed")
assert note["params"] == {"_meta": {SUB: "tools"}}, note
after = call(2, "tools/list", {})["result"]
assert any(t["name"].startswith("github_") for t in after["tools"]), after

# Cancelling stream 7 ends it: no more updates for it, and no answer.
send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}})
deliver("evt_l3", "customer.updated", "cus_1")
time.sleep(1.0)
call(3, "tools/list", {})
while pump(0.1):
    if not select.select([proc.stdout], [], [], 0)[0]:
        break
stray = [m for m in inbox if m.get("method") in ("notifications/resources/updated",
                                                 "notifications/resources/list_changed",
                                                 "notifications/prompts/list_changed")
         or m.get("id") == 7 or ("method" in m and SUB not in m.get("params", {}).get("_meta", {}))]
assert not stray, stray

# End of input: the open stream gets its closing result.
proc.stdin.close()
end = read_until(lambda m: m.get("id") == "tools")
assert end["result"]["resultType"] == "complete" and end["result"]["_meta"][SUB] == "tools", end
assert proc.wait(30) == 0
