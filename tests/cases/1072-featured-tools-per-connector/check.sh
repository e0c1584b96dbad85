# Every built-in connector declares a small default set ("featured": true,
# like the vendors' own MCP servers' default toolsets): one to six tools.
# With every connector at once they are too many for --max-tools (40), so
# auto shows the discovery meta-tools alone; with one connector (stripe,
# 59 tools) its featured tools come first.
set -e
python3 - "$ROOT/capabilities" <<'PY'
import json, os, sys
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.startswith("_") or not f.endswith(".json"):
        continue
    doc = json.load(open(os.path.join(d, f)))
    n = sum(1 for e in doc["entities"].values() for a in e["actions"].values() if a.get("featured"))
    assert 1 <= n <= 6, f"{f}: {n} featured tools"
PY
python3 -c '
import json, sys
names = [t["name"] for t in json.load(sys.stdin)]
assert all(n.startswith("switchboard_") for n in names), names
'
"$BIN" --all --connectors stripe tools --json | python3 -c '
import json, sys
names = [t["name"] for t in json.load(sys.stdin)]
gen = [n for n in names if not n.startswith("switchboard_")]
assert gen == ["stripe_customers_create", "stripe_customers_search", "stripe_payment_intents_list", "stripe_refunds_create", "stripe_invoices_list", "stripe_subscriptions_list"], gen
assert "switchboard_search" in names and names.index("switchboard_search") > names.index(gen[-1]), names
'
echo ok
