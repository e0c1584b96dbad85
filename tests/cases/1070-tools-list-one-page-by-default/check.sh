# Several clients read only the first page of tools/list: by default the
# whole list (every built-in tool, over 300) comes in one page, in the
# registry's order (connectors by slug), the same on every run.
python3 -c '
import json, sys
msgs = [json.loads(l) for l in sys.stdin if l.strip()]
r = [m for m in msgs if m.get("id") == 2][0]["result"]
assert "nextCursor" not in r, "a second page"
names = [t["name"] for t in r["tools"]]
assert len(names) > 300, len(names)
gen = [n for n in names if not n.startswith("switchboard_")]
slugs = [n.split("_")[0] for n in gen]
assert slugs == sorted(slugs), "connectors out of order"
print("ok")
'
