# The full static list (--all --mode static, built-in connectors) stays
# within its byte budget; an update whose create tool is listed names its
# body fields, each one declared on that create tool, while
# switchboard_describe gives the update in full (every field with its
# schema), and the full definitions compile in Ajv's strict mode too (2132
# checks the listed ones); the listed words still pick the right tool
# (tests/eval/list_eval.py, a BM25 proxy for a model reading the list).
# Budget: 395.6 KB before the listed/full split, 366 KB before annotations
# said only what differs from MCP's defaults and constants left the list
# (the issue's 424 KB at filing; its goal, half of that, is 212 KB, below
# what the types, enums and constraints alone take: see README "Tools").
# The list is 350.3 KB now. Raise the budget only knowingly.
set -e
BUDGET=356352
grep '"id":2,' >"$TMP/list.json" || { echo "no tools/list answer"; exit 1; }
size=$(wc -c <"$TMP/list.json")
echo "static list: $size bytes (budget $BUDGET)"
[ "$size" -le "$BUDGET" ] || { echo "static list of $size bytes is over its budget of $BUDGET"; exit 1; }
python3 - "$TMP/list.json" "$TMP" <<'PY'
import json, sys
tools = json.load(open(sys.argv[1]))["result"]["tools"]
t = {x["name"]: x for x in tools}
assert len(tools) > 300, len(tools)
updates = []
for name, x in t.items():
    if not name.endswith("_update") or "Fields as declared in" not in x["description"]:
        continue
    create = name[: -len("update")] + "create"
    assert create in x["description"] and create in t, (name, x["description"])
    cprops = t[create]["inputSchema"]["properties"]
    bare = [k for k, v in x["inputSchema"]["properties"].items() if v == {}]
    assert bare, name
    for k in bare:
        assert k in cprops and cprops[k], (name, k)
    updates.append(name)
assert len(updates) >= 20, updates
assert "xero_invoices_update" in updates and "stripe_customers_update" in updates, updates
# Everything else in the list is whole (but for constants): no other empty
# schema at the top.
for name, x in t.items():
    if name not in updates:
        assert all(v != {} for v in x["inputSchema"]["properties"].values()), name
# The describe requests for the updates, ten names at a time (its limit).
with open(sys.argv[2] + "/describe.jsonl", "w") as f:
    f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}) + "\n")
    f.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    for i in range(0, len(updates), 10):
        f.write(json.dumps({"jsonrpc": "2.0", "id": 10 + i, "method": "tools/call", "params": {"name": "switchboard_describe", "arguments": {"names": updates[i:i + 10]}}}) + "\n")
json.dump(updates, open(sys.argv[2] + "/updates.json", "w"))
PY
"$BIN" --all --mode discover serve <"$TMP/describe.jsonl" >"$TMP/described.jsonl"
python3 - "$TMP/list.json" "$TMP/described.jsonl" "$TMP/full.json" <<'PY'
import json, sys
listed = {x["name"]: x for x in json.load(open(sys.argv[1]))["result"]["tools"]}
full = []
for line in open(sys.argv[2]):
    msg = json.loads(line)
    if msg.get("id", 0) >= 10:
        full += msg["result"]["structuredContent"]["data"]
updates = json.load(open(sys.argv[3].rsplit("/", 1)[0] + "/updates.json"))
assert sorted(d["name"] for d in full) == sorted(updates), [d["name"] for d in full]
for d in full:
    lst = listed[d["name"]]
    lp, fp = lst["inputSchema"]["properties"], d["inputSchema"]["properties"]
    assert list(lp) == [k for k, v in fp.items() if "const" not in v], d["name"]
    for k, v in lp.items():
        assert v == {} and fp[k] or v == fp[k], (d["name"], k)
    assert lst["inputSchema"].get("required") == d["inputSchema"].get("required"), d["name"]
    assert "Fields as declared in" not in d["description"], d["description"]
    assert d["description"] in lst["description"], d["name"]
    assert {k: v for k, v in lst.items() if k not in ("inputSchema", "description")} == \
        {k: v for k, v in d.items() if k not in ("inputSchema", "description")}, d["name"]
# A constant argument is sent whatever the model gives: the list leaves it
# out, the full definition keeps it.
x = {d["name"]: d for d in full}["quickbooks_invoices_update"]
assert x["inputSchema"]["properties"]["sparse"]["const"] is True, x["inputSchema"]["properties"]
assert "sparse" not in listed["quickbooks_invoices_update"]["inputSchema"]["properties"]
assert not [n for n, t in listed.items() for v in t["inputSchema"]["properties"].values() if "const" in v]
# Described in full: the update's fields keep their words.
x = {d["name"]: d for d in full}["xero_invoices_update"]
assert x["inputSchema"]["properties"]["Status"]["enum"], x["inputSchema"]["properties"]["Status"]
json.dump(full, open(sys.argv[3], "w"))
PY
python3 "$ROOT/tests/eval/list_eval.py" --floor-top1 50 --floor-top5 80 <"$TMP/list.json"
python3 "$ROOT/tests/eval/list_eval.py" --set holdout.jsonl --floor-top1 60 --floor-top5 85 <"$TMP/list.json"
# In auto mode's short list an update names its fields only when its create
# tool is shown too (acmetwo features create, acme does not).
"$BIN" --capabilities "$CASE/caps" --all --connectors acme,acmetwo --max-tools 5 tools --json | python3 -c '
import json, sys
t = {x["name"]: x for x in json.load(sys.stdin)}
assert "acme_widgets_create" not in t and "acmetwo_widgets_create" in t, list(t)
one, two = t["acme_widgets_update"], t["acmetwo_widgets_update"]
assert one["inputSchema"]["properties"]["size"]["properties"]["w"]["type"] == "integer", one
assert "Fields as declared" not in one["description"], one["description"]
assert two["inputSchema"]["properties"]["size"] == {}, two
assert "acmetwo_widgets_create" in two["description"], two["description"]
'
if ! command -v node >/dev/null 2>&1; then
	echo "ok (Ajv not run: node is not installed)"
	exit 0
fi
dir="$ROOT/tests/ajv"
sh "$dir/setup.sh" >&2 || { echo "ok (Ajv not run: npm ci failed)"; exit 0; }
node "$dir/check.mjs" <"$TMP/full.json"
