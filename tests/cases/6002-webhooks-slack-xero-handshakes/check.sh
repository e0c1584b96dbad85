# The handshakes vendors make before they send events: Slack's signed
# url_verification is answered with its challenge (an unsigned one is not),
# and Xero's intent-to-receive gets 401 for a bad signature and 200 for a
# good one. Neither is stored; Xero's real deliveries then are, one event
# per element of events[].
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
printf '{"access_token":"xoxb-0000-test","signing_secret":"slack-signing-secret-1"}' |
	$BIN connections add slack --name team --secret-stdin >/dev/null
printf '{"access_token":"xero-at-test","webhook_key":"xero-webhook-key-1"}' |
	$BIN connections add xero --name books --secret-stdin \
	--set tenant_id=00000000-0000-4000-8000-000000000001 >/dev/null

$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"

python3 "$CASE/deliver.py" "$(cat "$TMP/port")" || fail "deliveries"
kill -TERM $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" || fail "sanitizer"

$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((e["connector"], e["entity"], e["event"], e["vendor_event"]) for e in evs)
want = sorted([("xero", "contacts", "created", "CONTACT.CREATE"),
               ("xero", "invoices", "updated", "INVOICE.UPDATE"),
               ("slack", "messages", "posted", "message.channels")])
assert got == want, got
for e in evs:
    assert e["connection"] in ("books", "team"), e
    if e["connector"] == "xero":
        assert e["vendor_event_id"].startswith("sha256:"), e
        assert e["payload"]["resourceId"] in ("c-1", "i-1"), e
PY
echo ok
