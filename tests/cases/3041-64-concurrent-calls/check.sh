# 64 answers, one per id, each a success; the stub saw each id once.
cat >stdout.jsonl
python3 - stdout.jsonl "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
ids = sorted(m["id"] for m in msgs)
assert ids == list(range(1000, 1064)), ids
for m in msgs:
    assert m["result"]["structuredContent"] == {"data": {"object": "customer"}}, m
paths = sorted(json.loads(l)["path"] for l in open(sys.argv[2]))
assert paths == sorted("/v1/customers/cus_%d" % i for i in range(64)), paths
PY
