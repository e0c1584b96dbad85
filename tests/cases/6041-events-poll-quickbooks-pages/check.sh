# events poll on QuickBooks: the query asks WHERE MetaData.LastUpdatedTime >=
# the newest seen ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION 1
# MAXRESULTS <page>, oldest change first, page after page while a page comes
# full. Four changes wait behind a page size of two: each is stored once,
# in order, and the cursor ends at the newest.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"access_token":"qb-at-poll"}' | $BIN connections add quickbooks --name co --secret-stdin \
	--set realmId=4620816365 --set base_url=$STUB >/dev/null
$BIN events poll co --entity customers 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'quickbooks/co customers: first poll: 1 item seen, no events; the next poll reports changes after 2026-01-01T00:00:00-08:00' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
$BIN events poll co --entity customers --args '{"limit": 2}' 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'quickbooks/co customers: 4 new events (9 items in 5 pages, cursor 2026-01-01T00:04:00-08:00)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
! grep -q 'may be missed\|brought nothing new' "$TMP/p2.err" || fail "p2 warned: $(cat "$TMP/p2.err")"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda e: e["id"])
got = [e["vendor_event_id"] for e in evs]
assert got == ["poll:1:customers:%d:2026-01-01T00:0%d:00-08:00" % (10 + m, m) for m in range(1, 5)], got
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 6, [r["query"] for r in reqs]
for r in reqs:
    assert r["headers"]["authorization"] == "Bearer qb-at-poll", r
    assert r["query"]["minorversion"] == "75", r
assert reqs[0]["query"]["query"] == (
    "SELECT * FROM Customer ORDERBY MetaData.LastUpdatedTime DESC STARTPOSITION 1 MAXRESULTS 100"), reqs[0]
for m, r in enumerate(reqs[1:]):
    assert r["query"]["query"] == (
        "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2026-01-01T00:0%d:00-08:00' "
        "ORDERBY MetaData.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 2" % m), (m, r["query"])
PY
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/p*.err || fail "sanitizer: $(cat "$TMP"/p*.err)"
echo ok
