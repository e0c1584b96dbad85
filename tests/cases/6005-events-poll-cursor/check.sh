# events poll: the first poll records where things stand without events;
# later polls ask from the stored cursor (Stripe's ending_before the
# newest event seen, Cin7 Omni's where expression on the polling field) and
# store only what is new or changed, once. webhooks serve --poll-interval polls beside the
# listener and stops with it.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_poll123","webhook_secret":"whsec_x"}' |
	$BIN connections add stripe --name main --secret-stdin --set base_url=$STUB >/dev/null
printf '{"username":"omni-user","api_key":"omni-key-123"}' |
	$BIN connections add cin7omni --name shop --secret-stdin --set base_url=$STUB >/dev/null
printf 'gho_poll123' | $BIN connections add github --name gh --secret-stdin --set base_url=$STUB >/dev/null

$BIN events poll 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'stripe/main events: first poll: 2 items seen, no events; the next poll reports changes after 1767225700' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
grep -q 'cin7omni/shop products: first poll: 2 items seen' "$TMP/p1.err" || fail "p1 omni: $(cat "$TMP/p1.err")"
[ -z "$($BIN events list --jsonl)" ] || fail "events after the first poll"
# Entities the connection receives webhooks for are not polled; lists that
# need arguments nobody gave are skipped without failing.
! grep -q 'stripe/main customers' "$TMP/p1.err" || fail "polled a webhook entity"
grep -q 'github/gh issues: skipped: github_issues_list needs owner (pass it with --args)' "$TMP/p1.err" || fail "skip: $(cat "$TMP/p1.err")"
for i in 1 2; do
	$BIN events poll gh --entity issues --args '{"owner": "octo", "repo": "hello", "state": "all"}' 2>>"$TMP/gh.err" ||
		fail "github poll $i: $(cat "$TMP/gh.err")"
done
grep -q 'github/gh issues: 2 new events (2 items, cursor 2026-01-05T00:00:00Z)' "$TMP/gh.err" || fail "github: $(cat "$TMP/gh.err")"

$BIN events poll stripe/main shop 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'stripe/main events: 2 new events (3 items, cursor 1767225800)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
grep -q 'cin7omni/shop products: 1 new event (2 items, cursor 2026-01-03T00:00:00Z)' "$TMP/p2.err" || fail "p2 omni: $(cat "$TMP/p2.err")"
$BIN events poll shop --entity products 2>"$TMP/p3.err" || fail "poll 3"
grep -q 'cin7omni/shop products: 0 new events' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"

$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((e["connector"], e["entity"], e["event"], e["vendor_event"], e["vendor_event_id"]) for e in evs)
assert got == [
    ("cin7omni", "products", "changed", "poll", "poll:2:products:1:2026-01-03T00:00:00Z"),
    ("github", "issues", "changed", "poll", "poll:3:issues:1:2026-01-05T00:00:00Z"),
    ("github", "issues", "changed", "poll", "poll:3:issues:2:2026-01-04T00:00:00Z"),
    ("stripe", "events", "changed", "poll", "poll:1:events:evt_3:1767225700"),
    ("stripe", "events", "changed", "poll", "poll:1:events:evt_4:1767225800"),
], got
omni = [e for e in evs if e["connector"] == "cin7omni"][0]
assert omni["payload"]["styleCode"] == "A2" and omni["connection"] == "shop", omni
reqs = [json.loads(l) for l in open(sys.argv[2])]
ev = [r for r in reqs if r["path"] == "/v1/events"]
assert "created[gte]" not in ev[0]["query"], ev[0]
# The next page is the one just newer than the newest event seen.
assert ev[1]["query"]["ending_before"] == "evt_2" and "created[gte]" not in ev[1]["query"], ev[1]
assert ev[1]["headers"]["authorization"] == "Bearer sk_test_poll123", ev[1]
pr = [r for r in reqs if r["path"] == "/v1/Products"]
assert "where" not in pr[0]["query"], pr[0]
assert pr[1]["query"]["where"] == "modifiedDate >= '2026-01-02T00:00:00Z'", pr[1]
assert pr[2]["query"]["where"] == "modifiedDate >= '2026-01-03T00:00:00Z'", pr[2]
gh = [r for r in reqs if r["path"] == "/repos/octo/hello/issues"]
assert len(gh) == 2 and "since" not in gh[0]["query"] and gh[0]["query"]["state"] == "all", gh
assert gh[1]["query"]["since"] == "2026-01-01T00:00:00Z", gh[1]
PY

# Errors: an unknown connection, an env connection, a failing vendor.
set +e
$BIN events poll nobody 2>"$TMP/e1"; s1=$?
$BIN events poll env 2>"$TMP/e2"; s2=$?
set -e
[ $s1 = 1 ] && grep -q nobody "$TMP/e1" || fail "unknown: $s1 $(cat "$TMP/e1")"
[ $s2 = 1 ] && grep -q 'environment connections cannot be polled' "$TMP/e2" || fail "env: $(cat "$TMP/e2")"

# Polling beside the listener, stopped with it.
n_before=$(grep -c '"/v1/events"' "$TMP/stub-requests.jsonl")
$BIN webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/port" --poll-interval 1 2>"$TMP/serve.err" &
SRV=$!
for i in $(seq 600); do
	[ "$(grep -c '"/v1/events"' "$TMP/stub-requests.jsonl")" -ge $((n_before + 2)) ] && break
	sleep 0.1
done
kill -TERM $SRV
wait $SRV || fail "serve: $(cat "$TMP/serve.err")"
[ "$(grep -c '"/v1/events"' "$TMP/stub-requests.jsonl")" -ge $((n_before + 2)) ] || fail "no polls beside serve: $(cat "$TMP/serve.err")"
grep -q 'stripe/main events: 0 new events' "$TMP/serve.err" || fail "serve poll: $(cat "$TMP/serve.err")"
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP/serve.err" "$TMP/p1.err" "$TMP/p2.err" || fail "sanitizer"
if command -v pgrep >/dev/null; then ! pgrep -f "port-file $TMP/port" >/dev/null || fail "poller left running"; fi
echo ok
