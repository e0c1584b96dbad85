# The vendor signature schemes that are one HMAC in a header of the vendor's
# own are data, and so is the delivery format: a connector file saying
# scheme hmac_sha256 (base64 by default) and payload xero, with no code of
# its own, gets a signed Xero-style batch split into one event per events[]
# element, named eventCategory.eventType and mapped to its entity; a forged
# signature is refused; the empty intent-to-receive delivery stores nothing.
# The old per-vendor scheme names are gone from the schema: a file naming
# one fails `check` at the scheme.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
SB="$BIN --capabilities $CASE/caps"
printf '%s' '{"token":"acme-token","webhook_key":"acme-key"}' |
	$SB connections add acmebatch --name main --secret-stdin --no-test >/dev/null
$SB webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$(cat "$TMP/port")" <<'PY' || fail "deliveries"
import base64, hashlib, hmac, json, sys, urllib.request, urllib.error
url = f"http://127.0.0.1:{sys.argv[1]}/hooks/acmebatch/main"
def post(doc, key=b"acme-key"):
    body = json.dumps(doc).encode()
    sig = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", "X-Acme-Hmac": sig})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
ev = lambda rid, typ: {"resourceId": rid, "eventCategory": "CONTACT", "eventType": typ,
                       "eventDateUtc": "2026-01-01T00:00:00", "resourceUrl": "https://api.acme.example/c/" + rid}
batch = {"events": [ev("c1", "CREATE"), ev("c2", "UPDATE")], "firstEventSequence": 1, "lastEventSequence": 2}
got = [post({"events": [], "firstEventSequence": 0, "lastEventSequence": 0}), post(batch), post(batch, b"guess")]
assert got == [200, 200, 401], got
PY
kill -INT $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
$SB events list --jsonl >"$TMP/events"
[ "$(wc -l <"$TMP/events")" = 2 ] || fail "expected 2 events: $(cat "$TMP/events")"
grep -q '"entity":"contacts","event":"created","vendor_event":"CONTACT.CREATE"' "$TMP/events" || fail "CREATE not split and mapped: $(cat "$TMP/events")"
grep -q '"entity":"contacts","event":"updated","vendor_event":"CONTACT.UPDATE"' "$TMP/events" || fail "UPDATE not split and mapped: $(cat "$TMP/events")"
grep -q 'signature does not match' "$TMP/serve.err" || fail "no reason for the forged delivery"
# A per-vendor scheme name (C code before) is no scheme any more.
mkdir -p "$TMP/old"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['webhooks']['scheme']='xero'; json.dump(d, open(sys.argv[2],'w'))" \
	"$CASE/caps/acme.json" "$TMP/old/acme.json"
if $BIN check "$TMP/old/acme.json" >"$TMP/check.out" 2>&1; then fail "check passed with scheme xero"; fi
grep -q 'webhooks/scheme' "$TMP/check.out" || fail "check: $(cat "$TMP/check.out")"
echo ok
