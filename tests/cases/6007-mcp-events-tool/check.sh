# switchboard_events appears once the store holds an event (with
# notifications/tools/list_changed), and answers queries by connector, entity
# and type.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_evtool1","webhook_secret":"whsec_evtool"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$BIN" "$(cat "$TMP/port")" <<'PY'
import hashlib, hmac, json, os, select, subprocess, sys, time, urllib.request
binary, port = sys.argv[1], sys.argv[2]
srv = subprocess.Popen([binary, "--connectors", "stripe", "--mode", "discover", "serve"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
buf = b""
def send(m):
    srv.stdin.write((json.dumps(m) + "\n").encode()); srv.stdin.flush()
def until(pred, timeout=10):
    global buf
    end = time.time() + timeout
    while time.time() < end:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            m = json.loads(line)
            if pred(m):
                return m
        r, _, _ = select.select([srv.stdout], [], [], 0.2)
        if r:
            buf += os.read(srv.stdout.fileno(), 65536)
    raise SystemExit("timed out")
def names(i):
    send({"jsonrpc": "2.0", "id": i, "method": "tools/list"})
    return [t["name"] for t in until(lambda m: m.get("id") == i)["result"]["tools"]]
send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
until(lambda m: m.get("id") == 1)
assert "switchboard_events" not in names(2)
body = json.dumps({"id": "evt_1", "type": "customer.created", "data": {"object": {"id": "cus_9"}}}).encode()
t = str(int(time.time()))
sig = hmac.new(b"whsec_evtool", t.encode() + b"." + body, hashlib.sha256).hexdigest()
req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/stripe/main", data=body,
                             headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
assert urllib.request.urlopen(req, timeout=10).status == 200
until(lambda m: m.get("method") == "notifications/tools/list_changed")
assert "switchboard_events" in names(3)
send({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "switchboard_events", "arguments": {"connector": "stripe", "entity": "customers"}}})
r = until(lambda m: m.get("id") == 4)["result"]
assert not r.get("isError"), r
events = r["structuredContent"]["data"]
assert len(events) == 1 and "customer.created" in json.dumps(events), events
srv.stdin.close()
assert srv.wait(10) == 0
print("ok")
PY
kill -TERM $SRV; wait $SRV || true
trap - EXIT
echo ok
