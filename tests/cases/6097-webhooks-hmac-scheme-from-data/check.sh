# A vendor signed like GitHub but with its own header and prefix, declared
# only in its connector file (scheme hmac_sha256: signature_header,
# signature_encoding hex, signature_prefix v1=): a good delivery is stored
# once, a forged one is refused, a signature without the prefix is malformed,
# and a file that names no header fails `check` saying what is missing.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; cat "$TMP/serve.err" 2>/dev/null; exit 1; }
SB="$BIN --capabilities $CASE/caps"
printf '%s' '{"token":"acme-token","webhook_secret":"acme-hook-secret"}' |
	$SB connections add acmehooks --name main --secret-stdin --no-test >/dev/null
$SB webhooks serve --listen 127.0.0.1:0 --path-prefix /in --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$(cat "$TMP/port")" <<'PY' || fail "deliveries"
import hashlib, hmac, json, sys, urllib.request, urllib.error
base = f"http://127.0.0.1:{sys.argv[1]}/in/acmehooks/main"
body = json.dumps({"id": "evt_1", "type": "order.created", "data": {"id": "o_1"}}).encode()
def post(sig):
    h = {"Content-Type": "application/json"}
    if sig is not None:
        h["X-Acme-Signature"] = sig
    try:
        with urllib.request.urlopen(urllib.request.Request(base, data=body, headers=h), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
good = hmac.new(b"acme-hook-secret", body, hashlib.sha256).hexdigest()
forged = hmac.new(b"guess", body, hashlib.sha256).hexdigest()
got = [post("v1=" + good), post("v1=" + good), post("v1=" + forged), post(good), post(None)]
assert got[:2] == [200, 200], got
assert got[2] == 401 and got[4] == 401, got
assert got[3] in (400, 401), got
PY
kill -INT $SRV
wait $SRV || fail "serve exited $?"
trap - EXIT
grep -q 'signature is not v1=<hex>' "$TMP/serve.err" || fail "no malformed reason"
n=$($SB events list --jsonl | grep -c '"vendor_event_id":"evt_1"')
[ "$n" = 1 ] || fail "$n events stored for evt_1"
$SB events list --jsonl | grep -q '"entity":"orders","event":"created"' || fail "event not mapped"
# No header named: the file does not load.
mkdir -p "$TMP/bad"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); del d['webhooks']['signature_header']; json.dump(d, open(sys.argv[2],'w'))" \
	"$CASE/caps/acme.json" "$TMP/bad/acme.json"
if $BIN check "$TMP/bad/acme.json" >"$TMP/check.out" 2>&1; then fail "check passed without signature_header"; fi
grep -q 'hmac_sha256 scheme needs signature_header' "$TMP/check.out" || fail "check: $(cat "$TMP/check.out")"
echo ok
