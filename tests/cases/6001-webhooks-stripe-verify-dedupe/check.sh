# webhooks serve end to end with Stripe: a signed delivery is stored once
# however often it is replayed; wrong signatures, wrong secrets, stale
# timestamps, oversized bodies, unknown routes and other methods are
# refused with the right status and never stored; events list shows it.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"api_key":"sk_test_abc123secret","webhook_secret":"whsec_stripe_test_secret"}' |
	$BIN connections add stripe --name main --secret-stdin >/dev/null
printf 'sk_test_other999' | $BIN connections add stripe --name nosecret --secret-stdin >/dev/null

$BIN --log-level info webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" \
	2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"
grep -q "listening on http://127.0.0.1:$(cat "$TMP/port")/hooks/" "$TMP/serve.err" || fail "no listening line"

python3 "$CASE/deliver.py" "$(cat "$TMP/port")" || fail "deliveries"

kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
err=$(cat "$TMP/serve.err")
! printf '%s' "$err" | grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' || fail "sanitizer: $err"
# One line per refusal, and never the body of an unverified delivery.
[ "$(grep -c 'rejected a delivery from 127.0.0.1' "$TMP/serve.err")" = 4 ] || fail "rejections: $err"
grep -q 'signature does not match' "$TMP/serve.err" || fail "mismatch reason"
grep -q 'outside the 300 s window' "$TMP/serve.err" || fail "stale reason"
grep -q "no connection 'stripe/ghost'" "$TMP/serve.err" || fail "404 reason"
grep -q 'no webhook_secret to verify deliveries with' "$TMP/serve.err" || fail "500 reason"
! grep -q 'FORGED_MARKER' "$TMP/serve.err" || fail "a rejected body reached the log"
! grep -q 'whsec_stripe_test_secret' "$TMP/serve.err" || fail "the secret reached the log"

$BIN events list --jsonl >"$TMP/list.jsonl"
[ "$(wc -l <"$TMP/list.jsonl")" = 2 ] || fail "events: $(cat "$TMP/list.jsonl")"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
first, second = evs[1], evs[0]  # newest first
assert first["connector"] == "stripe" and first["connection"] == "main", first
assert first["entity"] == "customers" and first["event"] == "created", first
assert first["vendor_event"] == "customer.created" and first["vendor_event_id"] == "evt_1", first
assert first["payload"]["data"]["object"]["id"] == "cus_1", first
assert first["received_at"].endswith("Z"), first
assert second["entity"] is None and second["event"] == "balance.available", second
assert set(first) == {"id", "connector", "connection", "entity", "event", "vendor_event",
                      "vendor_event_id", "received_at", "payload"}, first
PY
$BIN events list >"$TMP/list.txt"
grep -q 'stripe/main .*customers .*created .*customer.created  evt_1' "$TMP/list.txt" || fail "text list: $(cat "$TMP/list.txt")"
echo ok
