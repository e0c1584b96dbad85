# events poll on Cin7 Omni stock: rows have no id, one row per product option
# and branch; polling.id_field makes the id productOptionId+branchId, so two
# rows of one option at the same modifiedDate stay apart, and a row changed
# later is reported again.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"username":"omni-user","api_key":"omni-key-123"}' |
	$BIN connections add cin7omni --name shop --secret-stdin --set base_url=$STUB >/dev/null
$BIN events poll shop --entity stock 2>"$TMP/p1.err" || fail "poll 1: $(cat "$TMP/p1.err")"
grep -q 'cin7omni/shop stock: first poll: 2 items seen, no events; the next poll reports changes after 2026-12-01T10:00:00Z' "$TMP/p1.err" || fail "p1: $(cat "$TMP/p1.err")"
$BIN events poll shop --entity stock 2>"$TMP/p2.err" || fail "poll 2: $(cat "$TMP/p2.err")"
grep -q 'cin7omni/shop stock: 2 new events (4 items, cursor 2026-12-01T12:00:00Z)' "$TMP/p2.err" || fail "p2: $(cat "$TMP/p2.err")"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
keys = sorted(e["vendor_event_id"] for e in evs)
assert keys == ["poll:1:stock:501+3:2026-12-01T12:00:00Z", "poll:1:stock:502+3:2026-12-01T11:00:00Z"], keys
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 2, reqs
assert reqs[0]["query"]["order"] == "modifiedDate DESC" and "where" not in reqs[0]["query"], reqs[0]
assert reqs[1]["query"]["order"] == "modifiedDate ASC", reqs[1]
assert "2026-12-01T10:00:00" in reqs[1]["query"]["where"], reqs[1]
PY
echo ok
