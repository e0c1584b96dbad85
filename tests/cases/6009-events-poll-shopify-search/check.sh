# events poll on Shopify (GraphQL Admin): the server filters with the
# search syntax (updated_at:>='<newest seen>', date quoted) in UPDATED_AT
# order, oldest change first, instead of listing everything; the first
# poll reads the newest page. An item changed in the same second as the
# newest one seen is reported, the one already seen is not.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
printf '{"access_token":"shpat_poll000"}' | $BIN connections add shopify --name shop --auth custom --secret-stdin \
	--set shop=acme --set base_url=$STUB >/dev/null
for i in 1 2; do
	$BIN events poll shop --entity products 2>>"$TMP/p.err" || fail "poll $i: $(cat "$TMP/p.err")"
done
$BIN events poll shop --entity products --args '{"query": "status:active"}' 2>>"$TMP/p.err" || fail "poll 3: $(cat "$TMP/p.err")"
grep -q 'shopify/shop products: first poll: 2 items seen, no events; the next poll reports changes after 2026-09-02T11:40:03Z' "$TMP/p.err" || fail "p1: $(cat "$TMP/p.err")"
grep -q 'shopify/shop products: 2 new events (3 items, cursor 2026-09-03T00:00:00Z)' "$TMP/p.err" || fail "p2: $(cat "$TMP/p.err")"
grep -q 'shopify/shop products: 0 new events (1 item, cursor 2026-09-03T00:00:00Z)' "$TMP/p.err" || fail "p3: $(cat "$TMP/p.err")"
$BIN events list --jsonl >"$TMP/list.jsonl"
python3 - "$TMP/list.jsonl" "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
got = sorted(e["vendor_event_id"] for e in evs)
assert got == ["poll:1:products:gid://shopify/Product/1:2026-09-03T00:00:00Z",
               "poll:1:products:gid://shopify/Product/3:2026-09-02T11:40:03Z"], got
reqs = [json.loads(l) for l in open(sys.argv[2])]
assert len(reqs) == 3, reqs
for r in reqs:
    assert r["headers"]["x-shopify-access-token"] == "shpat_poll000", r
    assert r["body"]["query"].startswith("query ProductList("), r
vs = [r["body"]["variables"] for r in reqs]
assert vs[0] == {"first": 50, "sortKey": "UPDATED_AT", "reverse": True}, vs[0]
# After the first poll, the largest page (200, under the 1,000-point cost cap): oldest first, a poll goes on
# page after page while Shopify says hasNextPage.
assert vs[1] == {"first": 200, "sortKey": "UPDATED_AT", "reverse": False,
                 "query": "updated_at:>='2026-09-02T11:40:03Z'"}, vs[1]
assert vs[2] == {"first": 200, "sortKey": "UPDATED_AT", "reverse": False,
                 "query": "status:active updated_at:>='2026-09-03T00:00:00Z'"}, vs[2]
PY
echo ok
