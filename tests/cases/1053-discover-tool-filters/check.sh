# No hit of a search may be a tool the filters left out.
cat > stdout.jsonl
python3 - <<'PY'
import fnmatch, json
for line in open("stdout.jsonl"):
    m = json.loads(line)
    if m.get("id") not in (1, 5):
        continue
    names = [h["name"] for h in m["result"]["structuredContent"]["data"]]
    assert names, f"search {m['id']} found nothing"
    bad = [n for n in names if fnmatch.fnmatch(n, "stripe_refunds_*") or n.endswith("_delete")]
    assert not bad, f"search {m['id']} found filtered-out tools {bad}"
print("ok")
PY
