cat >stdout.jsonl
python3 - stdout.jsonl "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert sorted(m["id"] for m in msgs) == list(range(100, 106)), msgs
for m in msgs:
    assert not m["result"].get("isError"), m
paths = sorted(json.loads(l)["path"] for l in open(sys.argv[2]))
assert paths == ["/Contacts/c%d" % i for i in range(6)], paths
PY
