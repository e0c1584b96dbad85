# events list for people: filters by connector, connection, entity (and
# _other for unmapped events), type (canonical or the vendor's), since (ISO
# or a span back from now) and limit; usage errors exit 2.
set -eu
. "$ROOT/tests/lib/wait.sh"
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_one","webhook_secret":"whsec_one"}' |
	$BIN connections add stripe --name one --secret-stdin >/dev/null
printf '{"api_key":"sk_test_two","webhook_secret":"whsec_two"}' |
	$BIN connections add stripe --name two --secret-stdin >/dev/null
printf '{"access_token":"ghp_x","webhook_secret":"gh-secret"}' |
	$BIN connections add github --name gh --secret-stdin >/dev/null
$BIN events list >"$TMP/empty.out" 2>"$TMP/empty.err"
[ ! -s "$TMP/empty.out" ] && grep -q 'no events yet' "$TMP/empty.err" || fail "empty list"

$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" 2>"$TMP/serve.err" &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
wait_port "$TMP/port"
python3 - "$(cat "$TMP/port")" <<'PY'
import hashlib, hmac, json, sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/hooks"
def send(path, body, headers):
    r = urllib.request.Request(base + path, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(r, timeout=10) as resp:
        assert resp.status == 200, resp.status
def stripe(conn, secret, eid, etype):
    body = json.dumps({"id": eid, "type": etype, "data": {"object": {}}}).encode()
    t = str(int(time.time()))
    sig = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    send(f"/stripe/{conn}", body, {"Stripe-Signature": f"t={t},v1={sig}"})
stripe("one", b"whsec_one", "evt_a", "customer.created")
stripe("one", b"whsec_one", "evt_b", "invoice.paid")
stripe("two", b"whsec_two", "evt_c", "customer.created")
stripe("two", b"whsec_two", "evt_d", "payout.paid")
body = json.dumps({"action": "closed", "issue": {"number": 1}}).encode()
send("/github/gh", body, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "gd-1",
     "X-Hub-Signature-256": "sha256=" + hmac.new(b"gh-secret", body, hashlib.sha256).hexdigest()})
PY
kill $SRV; wait $SRV || fail "serve exit"
trap - EXIT

ids() { $BIN events list --jsonl "$@" | python3 -c "import json,sys; print(' '.join(json.loads(l)['vendor_event_id'] for l in sys.stdin))"; }
[ "$(ids)" = "gd-1 evt_d evt_c evt_b evt_a" ] || fail "all: $(ids)"
[ "$(ids --connector stripe)" = "evt_d evt_c evt_b evt_a" ] || fail "connector"
[ "$(ids --connection two)" = "evt_d evt_c" ] || fail "connection"
[ "$(ids --connection stripe/one --entity invoices)" = "evt_b" ] || fail "connection+entity"
[ "$(ids --entity customers)" = "evt_c evt_a" ] || fail "entity"
[ "$(ids --entity _other)" = "evt_d" ] || fail "_other"
[ "$(ids --type created)" = "evt_c evt_a" ] || fail "canonical type"
[ "$(ids --type customer.created --connector stripe)" = "evt_c evt_a" ] || fail "vendor type"
[ "$(ids --type issues.closed)" = "gd-1" ] || fail "github type"
[ "$(ids --since -1h --limit 2)" = "gd-1 evt_d" ] || fail "since+limit"
[ "$(ids --since 2020-01-01T00:00:00Z --connector github)" = "gd-1" ] || fail "since iso"
[ -z "$(ids --since 2999-01-01)" ] || fail "future since"
$BIN events list --connector stripe | grep -q 'stripe/two .*-  *payout.paid *payout.paid  evt_d' || fail "text: $($BIN events list --connector stripe)"

set +e
$BIN events list --since tomorrow 2>"$TMP/e1"; s1=$?
$BIN events list --limit 0 2>"$TMP/e2"; s2=$?
$BIN events list --bogus 2>"$TMP/e3"; s3=$?
$BIN events list --connection nobody 2>"$TMP/e4"; s4=$?
$BIN events 2>"$TMP/e5"; s5=$?
set -e
[ $s1 = 2 ] && grep -q "since takes an ISO 8601 time" "$TMP/e1" || fail "bad since: $s1 $(cat "$TMP/e1")"
[ $s2 = 2 ] || fail "bad limit: $s2"
[ $s3 = 2 ] && grep -q "unknown or incomplete option '--bogus'" "$TMP/e3" || fail "bad option"
[ $s4 = 1 ] && grep -q "nobody" "$TMP/e4" || fail "unknown connection: $s4 $(cat "$TMP/e4")"
[ $s5 = 2 ] && grep -q '^usage: switchboard events list' "$TMP/e5" || fail "usage"
echo ok
