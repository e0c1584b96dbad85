# kill -9 after a verified delivery is stored but before the 2xx (the
# webhook_after_store fault point, src/base/util.h): the vendor sees no answer and
# retries; the event was already kept, the retry is answered 200, and the
# store holds it once.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"api_key":"sk_test_abc123secret","webhook_secret":"whsec_crash_secret"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
serve() {
	rm -f "$TMP/port"
	$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>>"$TMP/serve.err" &
	SRV=$!
	wait_port "$TMP/port"
	[ -s "$TMP/port" ] || fail "no port file"
}
trap 'kill $SRV 2>/dev/null || true' EXIT
deliver() {
	python3 - "$(cat "$TMP/port")" <<'PY'
import hashlib, hmac, json, sys, time, urllib.request
body = json.dumps({"id": "evt_crash", "object": "event", "type": "customer.created",
                   "data": {"object": {"id": "cus_9", "object": "customer"}}}).encode()
t = int(time.time())
sig = hmac.new(b"whsec_crash_secret", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/hooks/stripe/main", data=body,
                             headers={"Stripe-Signature": f"t={t},v1={sig}",
                                      "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except Exception as e:
    print("no answer:", type(e).__name__)
PY
}

SWITCHBOARD_FAULT=webhook_after_store serve
got=$(deliver)
case "$got" in "no answer"*) ;; *) fail "the vendor got an answer: $got" ;; esac
rc=0; wait $SRV || rc=$?
[ "$rc" = 137 ] || fail "serve was not killed at the fault point (exit $rc)"
[ "$($BIN events list --jsonl | wc -l)" = 1 ] || fail "the delivery was not kept before the crash"

# The vendor retries the same event to a restarted listener.
serve
got=$(deliver)
[ "$got" = 200 ] || fail "retry answered $got"
kill -TERM $SRV; wait $SRV || fail "serve exited $?"
trap - EXIT
$BIN events list --jsonl >"$TMP/list.jsonl"
[ "$(wc -l <"$TMP/list.jsonl")" = 1 ] || fail "stored $(wc -l <"$TMP/list.jsonl") times: $(cat "$TMP/list.jsonl")"
grep -q '"vendor_event_id":"evt_crash"' "$TMP/list.jsonl" || fail "event: $(cat "$TMP/list.jsonl")"
echo ok
