# events poll on Stripe events: the list is newest first, but ending_before
# <event id> answers the page just newer than that event. A poll asks from
# the newest event seen, then from the newest of each page while has_more,
# and stores each page oldest first. Two events share one second (the id
# keeps them apart). A page that fails keeps what the pages before stored,
# the cursor stops after them and the next poll goes on from there.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"api_key":"sk_test_poll456"}' | $BIN connections add stripe --name main --secret-stdin \
	--set base_url=$STUB >/dev/null
$BIN events poll main --entity events 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'stripe/main events: first poll: 2 items seen, no events; the next poll reports changes after 1767225700' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
set +e
$BIN events poll main --entity events --args '{"limit": 2}' 2>"$TMP/p2.err"; s2=$?
set -e
[ $s2 = 1 ] || fail "poll 2 exit $s2: $(cat "$TMP/p2.err")"
grep -q 'poll stripe/main events: .*400' "$TMP/p2.err" || fail "p2 error: $(cat "$TMP/p2.err")"
grep -q 'stripe/main events: 4 new events (4 items in 2 pages, cursor 1767226000); the poll failed after them, the cursor is past them only' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
$BIN events poll main --entity events --args '{"limit": 2}' 2>"$TMP/p3.err" || fail "poll 3: $(cat "$TMP/p3.err")"
grep -q 'stripe/main events: 1 new event (1 item, cursor 1767226100)' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"
! grep -q 'may be missed' "$TMP/p1.err" "$TMP/p2.err" "$TMP/p3.err" || fail "warned about a partial page"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda e: e["id"])
got = [e["payload"]["id"] for e in evs]
assert got == ["evt_3", "evt_4", "evt_5", "evt_6", "evt_7"], got
assert evs[0]["vendor_event_id"] == "poll:1:events:evt_3:1767225800", evs[0]
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 5, [r["query"] for r in reqs]
for r in reqs:
    assert r["headers"]["authorization"] == "Bearer sk_test_poll456", r
    assert "created[gte]" not in r["query"] and "starting_after" not in r["query"], r
assert "ending_before" not in reqs[0]["query"], reqs[0]
assert [r["query"].get("ending_before") for r in reqs[1:]] == ["evt_2", "evt_4", "evt_6", "evt_6"], reqs
assert [r["query"]["limit"] for r in reqs[1:]] == ["2"] * 4, reqs
PY
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/p*.err || fail "sanitizer: $(cat "$TMP"/p*.err)"
echo ok
