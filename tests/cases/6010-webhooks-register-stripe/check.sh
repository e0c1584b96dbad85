# webhooks register/list/remove with Stripe: the exact requests Stripe sees,
# the whsec_ secret from the create answer kept sealed (never in the .db
# bytes, stdout or stderr), webhook_url remembered, and webhooks serve then
# verifying a delivery signed with that secret; remove drops the secret of
# the endpoint removed; a 400 and a 404 from Stripe give a clear message and
# exit 1.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
SECRET=whsec_c2VjcmV0X2Zyb21fc3RyaXBlX3Rlc3Q
printf '{"api_key":"sk_test_reg123"}' |
	$BIN connections add stripe --name main --secret-stdin --set base_url=$STUB >/dev/null

$BIN webhooks register main --url https://hooks.example.com/ \
	--events customer.created,invoice.paid >"$TMP/reg.out" 2>"$TMP/reg.err" ||
	fail "register: $(cat "$TMP/reg.out" "$TMP/reg.err")"
grep -q '^registered we_123  https://hooks.example.com/hooks/stripe/main' "$TMP/reg.out" || fail "reg out: $(cat "$TMP/reg.out")"
grep -q 'stored the signing secret as webhook_secret (sealed)' "$TMP/reg.err" || fail "reg err: $(cat "$TMP/reg.err")"
grep -q 'webhook_url: https://hooks.example.com/hooks/stripe/main' "$TMP/reg.err" || fail "reg err url"

# A vendor error: clear message, exit 1, nothing changes.
set +e
$BIN webhooks register main --url https://hooks.example.com >"$TMP/bad.out" 2>"$TMP/bad.err"
rc=$?
set -e
[ $rc = 1 ] || fail "400 exit $rc"
grep -q 'cannot create the subscription: .*Invalid URL: URL must be publicly accessible' "$TMP/bad.err" || fail "400 message: $(cat "$TMP/bad.err")"
[ ! -s "$TMP/bad.out" ] || fail "400 stdout: $(cat "$TMP/bad.out")"

$BIN webhooks list main >"$TMP/list.out" 2>"$TMP/list.err" || fail "list: $(cat "$TMP/list.err")"
grep -q '^\* we_123 .*https://hooks.example.com/hooks/stripe/main  customer.created,invoice.paid$' "$TMP/list.out" || fail "list: $(cat "$TMP/list.out")"
grep -q '^  we_other .*https://elsewhere.example.com/x  \*$' "$TMP/list.out" || fail "list other: $(cat "$TMP/list.out")"
$BIN --json webhooks list main >"$TMP/list.json" || fail "list --json"
python3 -c "
import json,sys
rows=json.load(open(sys.argv[1]))
assert rows[0]=={'id':'we_123','url':'https://hooks.example.com/hooks/stripe/main','events':['customer.created','invoice.paid'],'this_connection':True}, rows
assert rows[1]['this_connection'] is False, rows
" "$TMP/list.json" || fail "list json"

# webhooks serve verifies a delivery signed with the stored secret.
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
[ -s "$TMP/port" ] || fail "no port file"
python3 - "$(cat "$TMP/port")" "$SECRET" <<'PY' || fail "delivery"
import hashlib, hmac, json, sys, time, urllib.request
port, secret = sys.argv[1], sys.argv[2]
body = json.dumps({"id": "evt_reg1", "type": "customer.created", "data": {"object": {"id": "cus_9"}}}).encode()
def send(key):
    t = str(int(time.time()))
    sig = hmac.new(key.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/stripe/main", data=body, method="POST",
                                 headers={"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
assert send("whsec_wrong") == 401
assert send(secret) == 200
PY
kill -TERM $SRV; wait $SRV || true; trap - EXIT
! grep -q "$SECRET" "$TMP/serve.err" || fail "secret in serve log"
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/*.err || fail "sanitizer: $(cat "$TMP"/*.err)"
$BIN events list --jsonl | grep -q '"vendor_event_id":"evt_reg1"' || fail "event not stored"

$BIN webhooks remove main we_123 >"$TMP/rm.out" 2>"$TMP/rm.err" || fail "remove: $(cat "$TMP/rm.err")"
grep -qx 'removed we_123' "$TMP/rm.out" || fail "rm out"
# The endpoint's own secret goes with it.
grep -q 'dropped the signing secret of we_123 from webhook_secret (0 left)' "$TMP/rm.err" || fail "rm err: $(cat "$TMP/rm.err")"
set +e
$BIN webhooks remove main we_gone >"$TMP/rm2.out" 2>"$TMP/rm2.err"
rc=$?
set -e
[ $rc = 1 ] || fail "404 exit $rc"
grep -q "cannot remove webhook we_gone: .*No such webhook endpoint" "$TMP/rm2.err" || fail "404: $(cat "$TMP/rm2.err")"

# The secret: sealed in the store, never printed.
for f in reg.out reg.err bad.out bad.err list.out list.err list.json rm.out rm.err rm2.err; do
	! grep -q "$SECRET\|sk_test_reg123" "$TMP/$f" || fail "a secret in $f"
done
db="$TMP/data/switchboard/switchboard.db"
[ -s "$db" ] || fail "no store file"
! grep -rqa "$SECRET\|c2VjcmV0X2Zyb21fc3RyaXBlX3Rlc3Q" "$TMP/data/switchboard" || fail "the secret in plain text in the store"
$BIN connections show main --json >"$TMP/show.json" || fail "show"
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
s=json.dumps(d)
assert 'https://hooks.example.com/hooks/stripe/main' in s, d
assert 'whsec_' not in s, d
" "$TMP/show.json" || fail "show: $(cat "$TMP/show.json")"
grep -q '"webhook_secret"' "$TMP/show.json" || fail "webhook_secret not set: $(cat "$TMP/show.json")"

python3 - "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
posts = [r for r in reqs if r["method"] == "POST"]
assert len(posts) == 2, posts
p = posts[0]
assert p["path"] == "/v1/webhook_endpoints", p
assert p["headers"]["authorization"] == "Bearer sk_test_reg123", p
assert p["headers"]["content-type"] == "application/x-www-form-urlencoded", p
assert p["raw_body"] == "url=https%3A%2F%2Fhooks.example.com%2Fhooks%2Fstripe%2Fmain&enabled_events%5B0%5D=customer.created&enabled_events%5B1%5D=invoice.paid", p["raw_body"]
# Without --events: every Stripe event the connector maps.
raw = posts[1]["raw_body"]
assert "enabled_events%5B0%5D=customer.created" in raw and "invoice.paid" in raw and "customer.subscription.trial_will_end" in raw, raw
gets = [r for r in reqs if r["method"] == "GET"]
assert [g["path"] for g in gets] == ["/v1/webhook_endpoints"] * 2, gets
dels = [r["path"] for r in reqs if r["method"] == "DELETE"]
assert dels == ["/v1/webhook_endpoints/we_123", "/v1/webhook_endpoints/we_gone"], dels
PY


# The create tool itself (what a model or `switchboard call` sees): the
# signing secret in Stripe's answer is redacted.
$BIN call stripe_webhook_endpoints_create '{"url":"https://hooks.example.com/x","enabled_events":["*"]}' \
	>"$TMP/call.out" 2>"$TMP/call.err" || fail "call: $(cat "$TMP/call.out" "$TMP/call.err")"
grep -q '"secret": "\[redacted\]"' "$TMP/call.out" || fail "call out: $(cat "$TMP/call.out")"
grep -q '"id": "we_123"' "$TMP/call.out" || fail "call out: $(cat "$TMP/call.out")"
! grep -q "$SECRET" "$TMP/call.out" "$TMP/call.err" || fail "the signing secret reached the call's output"
echo ok
