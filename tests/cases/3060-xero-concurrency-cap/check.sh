# All eight answered, each a success; the vendor never saw more than five
# of them at once, and did see five (the cap is a cap, not a queue of one).
cat >stdout.jsonl
python3 - stdout.jsonl "$TMP/stub-requests.jsonl" <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert sorted(m["id"] for m in msgs) == list(range(100, 108)), msgs
for m in msgs:
    assert not m["result"].get("isError"), m
paths = sorted(json.loads(l)["path"] for l in open(sys.argv[2]))
assert paths == ["/Contacts/c%d" % i for i in range(8)], paths
most = int(open(sys.argv[2] + "-max-in-flight").read())
assert most == 5, f"{most} requests were in flight at once; Xero allows 5"
PY
