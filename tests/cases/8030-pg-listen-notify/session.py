"""Process B (argv[1] serve, its own application_name) beside webhooks serve
(port argv[2]); argv[4] argv[5] restart PostgreSQL (cluster.sh down/up).
Then a `serve --http` replica's subscriptions/listen stream."""
import hashlib, hmac, json, os, subprocess, sys, time, urllib.request
from mcpclient import Session
from mcphttp import Server, modern

BIN, PORT, ERR, CLUSTER, PGDIR = sys.argv[1:6]
URL = os.environ["SWITCHBOARD_STORE"]
env = dict(os.environ, SWITCHBOARD_STORE=URL + "&application_name=sb_replica_b", SWITCHBOARD_LOG="info")
s = Session([BIN, "--mode", "static", "serve"], stderr=open(ERR, "w"), env=env,
            initialize=False, timeout=30)
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}
SUB = "io.modelcontextprotocol/subscriptionId"
# The fallback poll is every 5000 ms: events at random times that each
# arrive within 2 s (a loaded machine's margin) came by LISTEN/NOTIFY.
LIMIT_MS = 2000
n = 0


def deliver(etype, obj):
    global n
    n += 1
    body = json.dumps({"id": f"evt_n{n}", "type": etype, "data": {"object": {"id": obj}}}).encode()
    t = str(int(time.time()))
    sig = hmac.new(b"whsec_notify", t.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/hooks/stripe/main", data=body,
                                 headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def polls(seconds):
    """How many distinct queries B's connection started in a quiet while
    (pg_stat_activity's query_start, sampled): polling every 200 ms makes
    about 5 a second; listening makes at most the one fallback poll."""
    starts = set()
    end = time.time() + seconds
    while time.time() < end:
        r = subprocess.run(["psql", "-X", "-q", "-At", URL, "-c",
                            "SELECT query_start FROM pg_stat_activity"
                            " WHERE application_name = 'sb_replica_b'"],
                           capture_output=True, text=True, check=True)
        starts.update(r.stdout.split("\n"))
        time.sleep(0.1)
    starts.discard("")
    return len(starts) - 1  # the query running when the quiet began


def updated_within(label):
    t0 = time.time()
    deliver("customer.updated", "cus_1")
    note = s.until(lambda m: m.get("method") == "notifications/resources/updated")
    lag = (time.time() - t0) * 1000
    assert note["params"] == {"_meta": {SUB: 7}, "uri": "events://stripe/customers"}, note
    print(f"{label}: event {n} reached B {lag:.0f} ms after the delivery to A", file=sys.stderr)
    assert lag < LIMIT_MS, f"{label}: {lag:.0f} ms"


s.send({"jsonrpc": "2.0", "id": "tools", "method": "subscriptions/listen",
        "params": {"_meta": META, "notifications": {"toolsListChanged": True}}})
s.until(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
s.send({"jsonrpc": "2.0", "id": 7, "method": "subscriptions/listen",
        "params": {"_meta": META, "notifications": {"resourceSubscriptions": ["events://stripe/customers"]}}})
s.until(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
# The first event brings the switchboard_events tool: settle that first.
deliver("customer.created", "cus_1")
s.until(lambda m: m.get("method") == "notifications/resources/updated")
s.until(lambda m: m.get("method") == "notifications/tools/list_changed")

q = polls(2.0)
print(f"quiet 2 s: B started {q} queries", file=sys.stderr)
assert q <= 1, f"B polls the store ({q} queries in 2 s)"
for i in range(5):
    updated_within("listening")
    time.sleep(0.1 + 0.15 * i)

t0 = time.time()
subprocess.run([BIN, "connections", "add", "github", "--name", "gh", "--secret-stdin"],
               input=b"ghp_notify_test_token", check=True, capture_output=True)
note = s.until(lambda m: m.get("method") == "notifications/tools/list_changed")
lag = (time.time() - t0) * 1000
print(f"a connection added by another process: tools/list_changed after {lag:.0f} ms",
      file=sys.stderr)
assert note["params"] == {"_meta": {SUB: "tools"}}, note
assert lag < LIMIT_MS + 500, f"{lag:.0f} ms"  # includes the CLI's own start

# A PostgreSQL restart: B reconnects on its own and LISTENs again.
subprocess.run(["sh", CLUSTER, "down", PGDIR], check=True)
time.sleep(0.5)
subprocess.run(["sh", CLUSTER, "up", PGDIR], check=True)
time.sleep(1.0)
for i in range(3):
    updated_within("after the restart")
    time.sleep(0.2)
q = polls(2.0)
print(f"quiet 2 s after the restart: B started {q} queries", file=sys.stderr)
assert q <= 1, f"B polls the store after the restart ({q} queries in 2 s)"
assert s.close() == 0

# The same over HTTP: a subscriptions/listen stream on a `serve --http`
# replica (its loop wakes on the store's feed as well).
srv = Server(BIN, ["--keepalive", "1"], env=env)
with srv.stream(modern("l1", "subscriptions/listen",
                       {"notifications": {"resourceSubscriptions": ["events://stripe/customers"]}})) as st:
    ack = st.event()
    assert ack.get("method") == "notifications/subscriptions/acknowledged", ack
    for i in range(3):
        t0 = time.time()
        deliver("customer.updated", "cus_1")
        while True:
            ev = st.event(timeout=10)
            assert ev is not None, "the stream ended"
            if ev.get("method") == "notifications/resources/updated":
                break
        lag = (time.time() - t0) * 1000
        print(f"serve --http: event {n} on the listen stream {lag:.0f} ms after the delivery to A",
              file=sys.stderr)
        assert lag < LIMIT_MS, f"{lag:.0f} ms"
        time.sleep(0.3)
err = srv.stop()
