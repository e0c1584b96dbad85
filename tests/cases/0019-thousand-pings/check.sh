# stdout arrives on stdin: 1000 answers, each {} for a distinct id, in order
python3 -c '
import json, sys
msgs = [json.loads(l) for l in sys.stdin if l.strip()]
ids = [m.get("id") for m in msgs]
assert len(msgs) == 1000, "got %d answers" % len(msgs)
assert ids == list(range(1000)), "ids out of order or missing"
assert all(m == {"jsonrpc": "2.0", "id": m["id"], "result": {}} for m in msgs), "bad answer"
'
