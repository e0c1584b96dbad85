# Several signing secrets in one connection's webhook_secret: a JSON array
# through --secret-stdin (a rotation: old and new), then two endpoints
# registered through Stripe, each adding its own whsec_ instead of
# replacing; a delivery verifies with any of them; removing an endpoint
# drops its secret and only its secret; all sealed, never printed.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
A=whsec_ZW5kcG9pbnRfb25l
B=whsec_ZW5kcG9pbnRfdHdv
printf '{"api_key":"sk_test_multi","webhook_secret":["whsec_rot_old","whsec_rot_new"]}' |
	$BIN connections add stripe --name main --secret-stdin --set base_url=$STUB >/dev/null 2>"$TMP/add.err" ||
	fail "add: $(cat "$TMP/add.err")"

# Each value is checked like one (Stripe's are whsec_...); only webhook
# secrets take a list.
set +e
printf '{"webhook_secret":["whsec_ok","nope_rot"]}' | $BIN connections edit main --secret-stdin 2>"$TMP/e1.err"
r1=$?
printf '{"api_key":["sk_test_a","sk_test_b"]}' | $BIN connections edit main --secret-stdin 2>"$TMP/e2.err"
r2=$?
printf '{"webhook_secret":[]}' | $BIN connections edit main --secret-stdin 2>"$TMP/e3.err"
r3=$?
set -e
[ $r1 = 1 ] && grep -q "webhook_secret' of stripe does not have the expected form" "$TMP/e1.err" || fail "bad element: $r1 $(cat "$TMP/e1.err")"
[ $r2 = 1 ] && grep -q "field 'api_key' must be a string" "$TMP/e2.err" || fail "api_key list: $r2 $(cat "$TMP/e2.err")"
[ $r3 = 1 ] && grep -q "empty array" "$TMP/e3.err" || fail "empty list: $r3 $(cat "$TMP/e3.err")"

$BIN webhooks register main --url https://a.example.com --events customer.created >"$TMP/r1.out" 2>"$TMP/r1.err" ||
	fail "register 1: $(cat "$TMP/r1.err")"
grep -q 'added the signing secret to webhook_secret (sealed): deliveries verify with any of its 3 secrets' "$TMP/r1.err" || fail "r1: $(cat "$TMP/r1.err")"
! grep -q 'replaces' "$TMP/r1.err" || fail "r1 replaced: $(cat "$TMP/r1.err")"
$BIN webhooks register main --url https://b.example.com --events customer.created >"$TMP/r2.out" 2>"$TMP/r2.err" ||
	fail "register 2: $(cat "$TMP/r2.err")"
grep -q 'any of its 4 secrets' "$TMP/r2.err" || fail "r2: $(cat "$TMP/r2.err")"

serve() {
	rm -f "$TMP/port"
	$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>>"$TMP/serve.err" &
	SRV=$!
	trap 'kill $SRV 2>/dev/null || true' EXIT
	wait_port "$TMP/port"
	[ -s "$TMP/port" ] || fail "no port file"
}
stop() { kill -TERM $SRV; wait $SRV || true; trap - EXIT; }

# deliver.py PORT EXPECTED KEY[+KEY...]...: one delivery per argument, each
# signed with the keys given (several v1 in one header), expecting status.
cat >"$TMP/deliver.py" <<'PY'
import hashlib, hmac, json, sys, time, urllib.request
port, n = sys.argv[1], 0
for arg in sys.argv[2:]:
    want, keys = arg.split(":", 1)
    n += 1
    body = json.dumps({"id": f"evt_{keys[-6:]}_{n}_{time.time_ns()}", "type": "customer.created",
                       "data": {"object": {"id": "cus_9"}}}).encode()
    t = str(int(time.time()))
    sigs = ",".join("v1=" + hmac.new(k.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
                    for k in keys.split("+"))
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/stripe/main", data=body, method="POST",
                                 headers={"Stripe-Signature": f"t={t},{sigs}", "Content-Type": "application/json"})
    try:
        got = urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        got = e.code
    if got != int(want):
        sys.exit(f"signed with {keys.split('+')[0][:9]}...: status {got}, expected {want}")
PY
serve
python3 "$TMP/deliver.py" "$(cat "$TMP/port")" 200:whsec_rot_old 200:whsec_rot_new 200:$A 200:$B \
	401:whsec_wrong 200:whsec_wrong+$B 401:whsec_wrong+whsec_other || fail "deliveries with 4 secrets"
stop

$BIN webhooks remove main we_1 >"$TMP/rm.out" 2>"$TMP/rm.err" || fail "remove: $(cat "$TMP/rm.err")"
grep -q 'dropped the signing secret of we_1 from webhook_secret (3 left)' "$TMP/rm.err" || fail "rm: $(cat "$TMP/rm.err")"
# An endpoint whose secret was never stored here: nothing to drop.
$BIN webhooks remove main we_other >"$TMP/rm2.out" 2>"$TMP/rm2.err" || fail "remove 2: $(cat "$TMP/rm2.err")"
! grep -q 'dropped' "$TMP/rm2.err" || fail "rm2: $(cat "$TMP/rm2.err")"

serve
python3 "$TMP/deliver.py" "$(cat "$TMP/port")" 401:$A 200:$B 200:whsec_rot_old 200:whsec_rot_new || fail "deliveries after remove"
stop
grep -q 'signature does not match (any of the secrets)' "$TMP/serve.err" || fail "serve log: $(cat "$TMP/serve.err")"

# Sealed, never printed.
for f in "$TMP"/*.err "$TMP"/*.out; do
	! grep -q "$A\|$B\|whsec_rot_\|sk_test_multi" "$f" || fail "a secret in $f"
done
! grep -rqa "$A\|$B\|whsec_rot_\|ZW5kcG9pbnRf" "$TMP/data/switchboard" || fail "a secret in plain text in the store"
$BIN connections show main --json | grep -q '"webhook_secret": *true' || fail "show: webhook_secret not set"
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/*.err || fail "sanitizer: $(cat "$TMP"/*.err)"
echo ok
