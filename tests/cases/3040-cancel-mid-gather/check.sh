# Cancelled calls never answer (whether the first page had arrived or not);
# the server goes on. The gather stopped: no third page was asked for.
cat >stdout.jsonl
python3 - "$TMP/stub-requests.jsonl" stdout.jsonl <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[2])]
ids = [m.get("id") for m in msgs if "id" in m]
assert sorted(map(str, ids)) == ["1", "2", "3"], msgs
for m in msgs:
    if m.get("id") == 2:
        assert m["result"]["structuredContent"] == {"data": {"id": "cus_9"}}, m
    elif m.get("id") in (1, 3):
        assert m["result"] == {}, m
    else:
        assert m["method"] == "notifications/progress" and m["params"]["progress"] == 1, m
reqs = [json.loads(l) for l in open(sys.argv[1])]
lists = [r for r in reqs if r["path"] == "/v1/customers" and r["method"] == "GET"]
assert 1 <= len(lists) <= 2, lists
assert not any(r["query"].get("starting_after") == "cus_2" for r in lists), lists
PY
