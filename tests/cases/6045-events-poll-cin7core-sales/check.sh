# events poll on Cin7 Core sales: SaleList rows carry SaleID, not ID (the
# entity's id for read); polling.id_field names it, so the cursor keeps ids
# and the changes since the newest Updated seen become events.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"account_id":"acc-1","application_key":"cin7-appkey-1"}' |
	$BIN connections add cin7core --name inv --secret-stdin --set base_url=$STUB >/dev/null
$BIN events poll inv --entity sales 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'cin7core/inv sales: first poll: 2 items seen, no events; the next poll reports changes after 2026-12-01T10:00:00' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
$BIN events poll inv --entity sales 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'cin7core/inv sales: 2 new events (3 items, cursor 2026-12-01T12:00:00)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda e: e["id"])
keys = sorted(e["vendor_event_id"] for e in evs)
assert keys == ["poll:1:sales:0b6a1f3e-0000-4000-8000-000000000001:2026-12-01T12:00:00",
                "poll:1:sales:0b6a1f3e-0000-4000-8000-000000000003:2026-12-01T11:00:00"], keys
assert {e["payload"]["Status"] for e in evs} == {"INVOICED", "ORDERED"}, evs
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 2, reqs
assert "UpdatedSince" not in reqs[0]["query"], reqs[0]
assert reqs[1]["query"]["UpdatedSince"].startswith("2026-12-01T10:00:00"), reqs[1]
for r in reqs:
    assert r["headers"]["api-auth-applicationkey"] == "cin7-appkey-1", r
PY
echo ok
