# events poll on Xero: If-Modified-Since the newest UpdatedDateUTC seen with
# order=UpdatedDateUTC ASC and page=1, oldest change first, page after page
# while a page comes full. More changes wait than fit in a page: each one is
# stored once, in order; a page that fails keeps what the pages before
# stored and the cursor stops after them, so the next poll goes on there.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"access_token":"xero-at-poll"}' | $BIN connections add xero --name books --secret-stdin \
	--set tenant_id=00000000-0000-4000-8000-000000000001 --set base_url=$STUB >/dev/null
$BIN events poll books --entity contacts 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'xero/books contacts: first poll: 1 item seen, no events' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
set +e
$BIN events poll books --entity contacts --args '{"limit": 2}' 2>"$TMP/p2.err"; s2=$?
set -e
[ $s2 = 1 ] || fail "poll 2 exit $s2: $(cat "$TMP/p2.err")"
grep -q 'poll xero/books contacts: Xero answered HTTP 400' "$TMP/p2.err" || fail "p2 error: $(cat "$TMP/p2.err")"
grep -q 'xero/books contacts: 2 new events (4 items in 2 pages, cursor /Date(1767225720000+0000)/); the poll failed after them, the cursor is past them only' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
$BIN events poll books --entity contacts --args '{"limit": 2}' 2>"$TMP/p3.err" || fail "poll 3: $(cat "$TMP/p3.err")"
grep -q 'xero/books contacts: 2 new events (5 items in 3 pages, cursor /Date(1767225780900+0000)/)' "$TMP/p3.err" || fail "p3: $(cat "$TMP/p3.err")"
! grep -q 'may be missed' "$TMP/p2.err" "$TMP/p3.err" || fail "warned about a partial page"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
evs.sort(key=lambda e: e["id"])
got = [e["vendor_event_id"] for e in evs]
assert got == ["poll:1:contacts:c%d:/Date(%d+0000)/" % (i, t) for i, t in
               [(1, 1767225660000), (2, 1767225720000), (3, 1767225780250), (4, 1767225780900)]], got
assert [e["payload"]["ContactID"] for e in evs] == ["c1", "c2", "c3", "c4"], evs
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 7, [r["query"] for r in reqs]
for r in reqs:
    assert r["headers"]["authorization"] == "Bearer xero-at-poll", r
    assert r["headers"]["xero-tenant-id"] == "00000000-0000-4000-8000-000000000001", r
assert reqs[0]["query"] == {"order": "UpdatedDateUTC DESC", "page": "1", "pageSize": "100"}, reqs[0]
assert "if-modified-since" not in reqs[0]["headers"], reqs[0]
since = ["2026-01-01T00:00:00", "2026-01-01T00:01:00", "2026-01-01T00:02:00",
         "2026-01-01T00:02:00", "2026-01-01T00:03:00", "2026-01-01T00:03:00"]
for r, s in zip(reqs[1:], since):
    assert r["query"] == {"order": "UpdatedDateUTC ASC", "page": "1", "pageSize": "2"}, r
    assert r["headers"]["if-modified-since"] == s, (r["headers"], s)
PY
! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$TMP"/p*.err || fail "sanitizer: $(cat "$TMP"/p*.err)"
echo ok
