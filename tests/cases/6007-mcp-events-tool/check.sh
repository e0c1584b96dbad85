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
import hashlib, hmac, json, subprocess, sys, time, urllib.request
from mcpclient import Session
binary, port = sys.argv[1], sys.argv[2]
s = Session([binary, "--connectors", "stripe", "--mode", "discover", "serve"], stderr=subprocess.DEVNULL)
assert "switchboard_events" not in s.tool_names()
body = json.dumps({"id": "evt_1", "type": "customer.created", "data": {"object": {"id": "cus_9"}}}).encode()
t = str(int(time.time()))
sig = hmac.new(b"whsec_evtool", t.encode() + b"." + body, hashlib.sha256).hexdigest()
req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/stripe/main", data=body,
                             headers={"Stripe-Signature": f"t={t},v1={sig}"}, method="POST")
assert urllib.request.urlopen(req, timeout=10).status == 200
s.notification("notifications/tools/list_changed")
assert "switchboard_events" in s.tool_names()
r = s.tool("switchboard_events", {"connector": "stripe", "entity": "customers"})
assert not r.get("isError"), r
events = r["structuredContent"]["data"]
assert len(events) == 1 and "customer.created" in json.dumps(events), events
assert s.close() == 0
print("ok")
PY
kill -TERM $SRV; wait $SRV || true
trap - EXIT
echo ok
